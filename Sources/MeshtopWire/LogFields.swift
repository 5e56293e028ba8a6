import MeshtopModel

/// Collects the fields of a structured log line (JSON or logfmt) and maps the common aliases of SPEC §2 onto a
/// `LogRecord`. The first field that matches an alias wins; a later duplicate stays an attribute.
///
/// | record field | keys (exact, case-sensitive) |
/// |---|---|
/// | time | `time`, `timestamp`, `ts`, `@timestamp`: RFC 3339 text, or epoch seconds/ms/µs/ns chosen by magnitude |
/// | severity | `level`, `severity`, `lvl`: names as `Severity(name:)`, syslog digits 0–7, pino numbers 10–60 |
/// | message | `msg`, `message`, `body` |
/// | service | `service`, `service.name`, `app`, and ECS `{"service":{"name":…}}` |
/// | trace id | `trace_id`, `traceId`, `trace.id`, ECS `{"trace":{"id":…}}` (1–32 hex digits) |
/// | span id | `span_id`, `spanId`, `span.id`, ECS `{"span":{"id":…}}` (1–16 hex digits) |
/// | host | `host`, `hostname` when a string |
///
/// A value that does not parse for its alias (a bad time, an unknown level, a non-hex id) is kept as an
/// attribute under its own key instead. Everything else becomes attributes in the order sent.
struct LogFields {
    var timeMicros: Int64?
    var severity: Severity?
    var message: String?
    var service: String?
    var host: String?
    var traceID: TraceID?
    var spanID: SpanID?
    var attributes: [Attribute] = []
    /// How many fields were recognised as one of the aliases above.
    var aliasCount = 0

    mutating func add(_ key: String, _ value: AttributeValue) {
        if take(key, value) {
            aliasCount += 1
        } else {
            attributes.append(Attribute(key, value))
        }
    }

    /// The record fields an alias key stands for.
    enum Alias {
        case time, level, message, service, host, traceID, spanID
    }

    /// The aliases as bytes; `trace`/`span` (ECS objects) and `service` accept a nested `{"name"|"id": …}`.
    private static let aliases: [([UInt8], Alias)] =
        ([
            ("time", .time), ("timestamp", .time), ("ts", .time), ("@timestamp", .time), ("level", .level),
            ("severity", .level), ("lvl", .level), ("msg", .message), ("message", .message), ("body", .message),
            ("service", .service), ("service.name", .service), ("app", .service), ("host", .host),
            ("hostname", .host), ("trace_id", .traceID), ("traceId", .traceID), ("trace.id", .traceID),
            ("trace", .traceID), ("span_id", .spanID), ("spanId", .spanID), ("span.id", .spanID), ("span", .spanID),
        ] as [(String, Alias)]).map { (Array($0.0.utf8), $0.1) }

    /// Byte comparison against the table: most keys differ in length or first byte, so this costs a few
    /// integer compares where a `switch` over strings would call the string comparator for every case.
    static func alias(_ key: String) -> Alias? {
        let k = key.utf8
        guard let first = k.first else { return nil }
        let n = k.count
        for (bytes, alias) in aliases where bytes.count == n && bytes[0] == first && k.elementsEqual(bytes) {
            return alias
        }
        return nil
    }

    private mutating func take(_ key: String, _ value: AttributeValue) -> Bool {
        guard let alias = LogFields.alias(key) else { return false }
        switch alias {
        case .time:
            guard timeMicros == nil, let t = LogFields.time(value) else { return false }
            timeMicros = t
        case .level:
            guard severity == nil, let s = LogFields.severity(value) else { return false }
            severity = s
        case .message:
            guard message == nil, case .string(let s) = value else { return false }
            message = s
        case .service:
            if case .map(let inner) = value, key == "service", service == nil,
                case .string(let s)? = inner[key: "name"]
            {
                service = s
                return true
            }
            guard service == nil, case .string(let s) = value, !s.isEmpty else { return false }
            service = s
        case .host:
            guard host == nil, case .string(let s) = value, !s.isEmpty else { return false }
            host = s
        case .traceID:
            guard traceID == nil, let (h, l) = LogFields.hexID(value, key: key).flatMap({ LogFields.hex($0, 32) }),
                h != 0 || l != 0
            else { return false }
            traceID = TraceID(high: h, low: l)
        case .spanID:
            guard spanID == nil, let (_, l) = LogFields.hexID(value, key: key).flatMap({ LogFields.hex($0, 16) }),
                l != 0
            else { return false }
            spanID = SpanID(l)
        }
        return true
    }

    /// 1…`maxDigits` hex digits (≤ 32) as (high, low), without the allocations of `TraceID(hex:)`.
    static func hex(_ s: String, _ maxDigits: Int) -> (UInt64, UInt64)? {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var n = 0
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c &- 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c &- 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c &- 55
            default: return nil
            }
            n += 1
            guard n <= maxDigits else { return nil }
            high = (high << 4) | (low >> 60)
            low = (low << 4) | UInt64(v)
        }
        return n > 0 ? (high, low) : nil
    }

    /// A hex id string; for the bare ECS keys `trace`/`span` only the nested `{"id": …}` form.
    private static func hexID(_ value: AttributeValue, key: String) -> String? {
        switch value {
        case .string(let s): return key == "trace" || key == "span" ? nil : s
        case .map(let inner): if case .string(let s)? = inner[key: "id"] { return s }
        default: break
        }
        return nil
    }

    /// RFC 3339 text, or an epoch number (also as decimal text) in s/ms/µs/ns chosen by magnitude:
    /// < 1e11 seconds, < 1e14 milliseconds, < 1e17 microseconds, else nanoseconds.
    static func time(_ value: AttributeValue) -> Int64? {
        switch value {
        case .int(let i): return epoch(Double(i), exact: i)
        case .double(let d): return epoch(d, exact: nil)
        case .string(let s):
            if let t = RFC3339.parse(s) { return t }
            if let i = Int64(s) { return epoch(Double(i), exact: i) }
            if let d = Double(s) { return epoch(d, exact: nil) }
            return nil
        default: return nil
        }
    }

    private static func epoch(_ d: Double, exact: Int64?) -> Int64? {
        guard d.isFinite, d > 0 else { return nil }
        if d < 1e11 { return Int64((d * 1e6).rounded()) }
        if d < 1e14 { return exact.map { $0 * 1000 } ?? Int64((d * 1e3).rounded()) }
        if d < 1e17 { return exact ?? Int64(d.rounded()) }
        if d < 9e18 { return exact.map { $0 / 1000 } ?? Int64((d / 1e3).rounded()) }
        return nil
    }

    /// Level names, syslog digits 0–7, and pino's numbers (10 trace … 60 fatal).
    static func severity(_ value: AttributeValue) -> Severity? {
        switch value {
        case .string(let s): return Severity(name: s)
        case .int(let i):
            switch i {
            case 0...7: return Severity(rawValue: Int(i))
            case 10, 20: return .debug
            case 30: return .info
            case 40: return .warning
            case 50: return .error
            case 60: return .critical
            default: return nil
            }
        default: return nil
        }
    }

    /// The record, with the defaults of the caller for what the fields did not say.
    func record(
        defaultTime: Int64, defaultService: String, defaultHost: String, defaultMessage: @autoclosure () -> String
    ) -> LogRecord {
        LogRecord(
            timeMicros: timeMicros ?? defaultTime, service: service ?? defaultService, host: host ?? defaultHost,
            severity: severity ?? .info, message: message ?? defaultMessage(), traceID: traceID, spanID: spanID,
            attributes: attributes)
    }

    /// Converts a parsed JSON value to an attribute value; `null` gives nil (the field is dropped).
    static func attribute(_ v: JSONValue) -> AttributeValue? {
        switch v {
        case .null: return nil
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.compactMap { attribute($0) })
        case .object(let m): return .map(m.compactMap { mem in attribute(mem.value).map { Attribute(mem.key, $0) } })
        }
    }
}
