import MeshtopModel

/// Finds a level word near the start of a plain line: one of the first four words, in capitals, optionally in
/// brackets (`ERROR`, `[WARN]`, `<DEBUG>`, `FATAL:`). Lowercase words are left alone so a message such as
/// "debug mode enabled" stays `info`.
enum LevelWord {
    static func detect(_ bytes: [UInt8]) -> Severity {
        var words = 0
        var i = 0
        let n = min(bytes.count, 160)
        while i < n && words < 4 {
            while i < n, bytes[i] == 32 || bytes[i] == 9 { i += 1 }
            let start = i
            while i < n, bytes[i] != 32, bytes[i] != 9, bytes[i] != 10 { i += 1 }
            if i > start, let s = severity(bytes[start..<i]) { return s }
            words += 1
            if i < n, bytes[i] == 10 { break }
        }
        return .info
    }

    private static func severity(_ word: ArraySlice<UInt8>) -> Severity? {
        let trimmed = word.drop(while: isPunct).reversed().drop(while: isPunct).reversed()
        guard trimmed.count >= 3, trimmed.count <= 11, trimmed.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
            return nil
        }
        return Severity(name: String(decoding: trimmed, as: UTF8.self))
    }

    private static func isPunct(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "[") || b == UInt8(ascii: "]") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
            || b == UInt8(ascii: "(") || b == UInt8(ascii: ")") || b == UInt8(ascii: ":") || b == UInt8(ascii: ",")
            || b == UInt8(ascii: "|")
    }
}
