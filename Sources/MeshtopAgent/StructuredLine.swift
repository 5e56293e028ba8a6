/// Recognises JSON and logfmt log lines and adds `service` when they have none (SPEC §2 aliases:
/// `service`, `service.name`, `app`). Returns nil when the line is not of that kind, so it gets wrapped.
enum StructuredLine {
    static let serviceKeys: [[UInt8]] = [Array("service".utf8), Array("service.name".utf8), Array("app".utf8)]

    /// A JSON object line, with `"service":…` inserted first when it has no service key at the top level.
    static func json(_ line: UnsafeRawBufferPointer, service: String) -> [UInt8]? {
        guard let first = line.firstIndex(where: { !isSpace($0) }), line[first] == UInt8(ascii: "{"),
            let last = line.lastIndex(where: { !isSpace($0) }), last > first, line[last] == UInt8(ascii: "}"),
            JSONBytes.isValidUTF8(line)
        else { return nil }
        var keys: [ArraySlice<UInt8>] = []
        guard topLevelKeys(line, from: first, to: last, into: &keys) else { return nil }
        if keys.contains(where: { k in serviceKeys.contains(where: { $0.elementsEqual(k) }) }) { return Array(line) }
        var out: [UInt8] = []
        out.reserveCapacity(line.count + service.utf8.count + 16)
        out.append(contentsOf: line[0...first])
        out.append(contentsOf: #""service":"#.utf8)
        JSONBytes.appendQuoted(service, to: &out)
        if !keys.isEmpty { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: line[(first + 1)...])
        return out
    }

    /// A JSON array line (Zipkin v2 spans are sent as one), passed through unchanged.
    static func jsonArray(_ line: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let first = line.firstIndex(where: { !isSpace($0) }), line[first] == UInt8(ascii: "["),
            let last = line.lastIndex(where: { !isSpace($0) }), line[last] == UInt8(ascii: "]"),
            JSONBytes.isValidUTF8(line)
        else { return nil }
        return Array(line)
    }

    /// Collects the keys of the object spanning `from...to`; false when the text is not a well-nested object.
    private static func topLevelKeys(
        _ b: UnsafeRawBufferPointer, from: Int, to: Int, into keys: inout [ArraySlice<UInt8>]
    ) -> Bool {
        var depth = 0
        var i = from
        while i <= to {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let start = i + 1
                i += 1
                while i <= to, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
                guard i <= to else { return false }
                if depth == 1 {
                    var j = i + 1
                    while j <= to, isSpace(b[j]) { j += 1 }
                    if j <= to, b[j] == UInt8(ascii: ":") { keys.append(ArraySlice(b[start..<i])) }
                }
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 && i != to { return false }
                if depth < 0 { return false }
            }
            i += 1
        }
        return depth == 0
    }

    /// A logfmt line (its first word is `key=value`), with ` service=…` appended when it has no service key.
    static func logfmt(_ line: UnsafeRawBufferPointer, service: String) -> [UInt8]? {
        guard JSONBytes.isValidUTF8(line) else { return nil }
        var i = 0
        let n = line.count
        var first = true
        var hasService = false
        while i < n {
            while i < n, isSpace(line[i]) { i += 1 }
            guard i < n else { break }
            let keyStart = i
            while i < n, !isSpace(line[i]), line[i] != UInt8(ascii: "="), line[i] != UInt8(ascii: "\"") { i += 1 }
            let key = line[keyStart..<i]
            let hasValue = i < n && line[i] == UInt8(ascii: "=")
            if first {
                guard hasValue, let k0 = key.first, isKeyStart(k0) else { return nil }
                first = false
            }
            if serviceKeys.contains(where: { $0.elementsEqual(key) }) { hasService = true }
            if hasValue {
                i += 1
                if i < n, line[i] == UInt8(ascii: "\"") {
                    i += 1
                    while i < n, line[i] != UInt8(ascii: "\"") { i += line[i] == UInt8(ascii: "\\") ? 2 : 1 }
                    i += 1
                } else {
                    while i < n, !isSpace(line[i]) { i += 1 }
                }
            } else {
                while i < n, !isSpace(line[i]) { i += 1 }
            }
        }
        guard !first else { return nil }
        if hasService { return Array(line) }
        var out = Array(line)
        while let l = out.last, isSpace(l) { out.removeLast() }
        out.append(contentsOf: " service=".utf8)
        let plainValue =
            !service.isEmpty
            && service.utf8.allSatisfy {
                $0 > 32 && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
            }
        if plainValue { out.append(contentsOf: service.utf8) } else { JSONBytes.appendQuoted(service, to: &out) }
        return out
    }

    private static func isKeyStart(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "_") || b == UInt8(ascii: "@")
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 }
}
