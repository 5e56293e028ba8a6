/// Parses one HTTP/1.1 response from bytes received so far: `parse()` says whether it needs more, and once done
/// hands back the response, the bytes after it and whether the connection stays open. The head is limited to
/// 64 KiB and the body to `limit` bytes.
struct ResponseReader {
    let limit: Int
    var buffer: [UInt8] = []
    /// Set once the head has been parsed and no length was given: the body ends when the server closes.
    private(set) var readsToClose = false
    private var head: (status: Int, headers: [HTTPHeader], keepAlive: Bool, bodyStart: Int)?
    static let maxHead = 64 * 1024

    enum Step {
        case needMore
        case malformed(String)
        case done(HTTPResponse, rest: [UInt8], keepAlive: Bool)
    }

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether any byte of the answer has arrived.
    var started: Bool { !buffer.isEmpty }

    mutating func parse() -> Step {
        if head == nil {
            guard let end = Self.find([13, 10, 13, 10], in: buffer, from: 0) else {
                return buffer.count > Self.maxHead ? .malformed("header longer than 64 KiB") : .needMore
            }
            switch Self.parseHead(buffer[0..<end]) {
            case .failure(let why): return .malformed(why.reason)
            case .success(let h): head = (h.status, h.headers, h.keepAlive, end + 4)
            }
        }
        guard let h = head else { return .needMore }
        let headers = h.headers
        // 1xx, 204 and 304 answers have no body.
        if (100..<200).contains(h.status) || h.status == 204 || h.status == 304 {
            return done(body: [], end: h.bodyStart)
        }
        if let te = headers.first(where: { $0.name == "transfer-encoding" })?.value.lowercased(),
            te.contains("chunked")
        {
            return parseChunked(from: h.bodyStart)
        }
        if let cl = headers.first(where: { $0.name == "content-length" }) {
            guard let length = Int(cl.value.trimmingSpaces), length >= 0 else {
                return .malformed("Content-Length '\(cl.value)'")
            }
            guard length <= limit else { return .malformed("body of \(length) bytes is over \(limit)") }
            guard buffer.count - h.bodyStart >= length else { return .needMore }
            return done(body: Array(buffer[h.bodyStart..<(h.bodyStart + length)]), end: h.bodyStart + length)
        }
        readsToClose = true
        return buffer.count - h.bodyStart > limit ? .malformed("body over \(limit) bytes") : .needMore
    }

    /// The response whose body the server ended by closing the connection.
    func finishAtClose() -> HTTPResponse? {
        guard let h = head else { return nil }
        return HTTPResponse(status: h.status, headers: h.headers, body: Array(buffer[h.bodyStart...]))
    }

    private func done(body: [UInt8], end: Int) -> Step {
        guard let h = head else { return .needMore }
        return .done(
            HTTPResponse(status: h.status, headers: h.headers, body: body), rest: Array(buffer[end...]),
            keepAlive: h.keepAlive)
    }

    private func parseChunked(from start: Int) -> Step {
        var body: [UInt8] = []
        var i = start
        while true {
            guard let lineEnd = Self.find([13, 10], in: buffer, from: i) else { return .needMore }
            let sizeText = String(decoding: buffer[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingSpaces, radix: 16), size >= 0 else {
                return .malformed("chunk size '\(sizeText)'")
            }
            guard body.count + size <= limit else { return .malformed("body over \(limit) bytes") }
            let dataStart = lineEnd + 2
            if size == 0 {
                // Trailers (ignored) end with an empty line.
                var j = dataStart
                while true {
                    guard let e = Self.find([13, 10], in: buffer, from: j) else { return .needMore }
                    if e == j { return done(body: body, end: e + 2) }
                    j = e + 2
                }
            }
            guard buffer.count >= dataStart + size + 2 else { return .needMore }
            body.append(contentsOf: buffer[dataStart..<(dataStart + size)])
            i = dataStart + size + 2
        }
    }

    static func parseHead(_ bytes: ArraySlice<UInt8>) -> Result<
        (status: Int, headers: [HTTPHeader], keepAlive: Bool), ParseFailure
    > {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let statusLine = lines.first else { return .failure(ParseFailure("empty answer")) }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status)
        else { return .failure(ParseFailure("status line '\(statusLine.prefix(80))'")) }
        var headers: [HTTPHeader] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                return .failure(ParseFailure("header line '\(line.prefix(80))'"))
            }
            headers.append(
                HTTPHeader(
                    name: line[..<colon].lowercased(),
                    value: String(line[line.index(after: colon)...]).trimmingSpaces.description))
        }
        let connection = headers.first { $0.name == "connection" }?.value.lowercased() ?? ""
        let keepAlive = parts[0] == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        return .success((status, headers, keepAlive))
    }

    struct ParseFailure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The index where `needle` starts in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        var i = from
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
