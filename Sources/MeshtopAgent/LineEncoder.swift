import MeshtopModel

/// Turns a record into the meshtop log line shipped to the collector (SPEC §2): a JSON object passes through with
/// `"service"` added when it has none; a logfmt line passes through with `service=` added when it has none;
/// anything else (and every multi-line or truncated record) is wrapped as
/// `{"time","service","host","level","msg","file"[,"truncated":true]}`.
struct LineEncoder {
    let format: LogFormat
    let host: String
    private let hostField: [UInt8]
    /// Largest encoded line; a wrapped record whose escaped message would exceed it is cut further.
    static let maxEncoded = 65_000

    init(format: LogFormat, host: String) {
        self.format = format
        self.host = host
        var field = Array(#","host":"#.utf8)
        JSONBytes.appendQuoted(host, to: &field)
        field.append(contentsOf: #","level":""#.utf8)
        hostField = field
    }

    /// `time` as its quoted RFC 3339 text, formatted once per batch of records.
    static func timeText(_ micros: Int64) -> [UInt8] { Array(RFC3339.format(micros: micros).utf8) }

    /// Encodes `record` of `service` read from `file` (nil for stdin) at `timeMicros`.
    func encode(_ record: Record, service: String, file: String?, time: [UInt8]) -> [UInt8] {
        if record.lines == 1 && !record.truncated {
            let passed: [UInt8]? = record.bytes.withUnsafeBytes { raw in
                switch format {
                case .auto:
                    return StructuredLine.json(raw, service: service) ?? StructuredLine.jsonArray(raw)
                        ?? StructuredLine.logfmt(raw, service: service)
                case .json: return StructuredLine.json(raw, service: service) ?? StructuredLine.jsonArray(raw)
                case .logfmt: return StructuredLine.logfmt(raw, service: service)
                case .plain: return nil
                }
            }
            if let passed, passed.count <= Self.maxEncoded { return passed }
        }
        return wrap(record, service: service, file: file, time: time)
    }

    func wrap(_ record: Record, service: String, file: String?, time: [UInt8]) -> [UInt8] {
        var message = record.bytes
        var truncated = record.truncated
        while true {
            var out: [UInt8] = []
            out.reserveCapacity(message.count + 160)
            out.append(contentsOf: #"{"time":""#.utf8)
            out.append(contentsOf: time)
            out.append(contentsOf: #"","service":"#.utf8)
            JSONBytes.appendQuoted(service, to: &out)
            out.append(contentsOf: hostField)
            out.append(contentsOf: LevelWord.detect(message).name.utf8)
            out.append(contentsOf: #"","msg":"#.utf8)
            JSONBytes.appendQuoted(message, to: &out)
            if let file {
                out.append(contentsOf: #","file":"#.utf8)
                JSONBytes.appendQuoted(file, to: &out)
            }
            if record.lines > 1 {
                out.append(contentsOf: #","lines":"#.utf8)
                out.append(contentsOf: String(record.lines).utf8)
            }
            if truncated { out.append(contentsOf: #","truncated":true"#.utf8) }
            out.append(UInt8(ascii: "}"))
            if out.count <= Self.maxEncoded || message.isEmpty { return out }
            let cut = message.withUnsafeBytes { LineSplitter.utf8Cut($0, limit: message.count / 2) }
            message.removeSubrange(cut...)
            truncated = true
        }
    }
}
