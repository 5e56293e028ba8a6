import MeshtopModel

/// Finds a level word near the start of a plain line: one of the first four words, in capitals, optionally in
/// brackets or followed by punctuation (`ERROR`, `[WARN]`, `<DEBUG>`, `FATAL:`, `ERROR:root:`), or in any case
/// when bracketed (`[error]`). Other lowercase words are left alone so "debug mode enabled" stays `info`.
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

    /// The level named by one word: its leading letters (after `[`, `<` or `(`) when they are capitals
    /// (`ERROR`, `WARN:`, `ERROR:root:msg`) or when the word is bracketed (`[error]`, `<warn>`, as nginx writes).
    private static func severity(_ word: ArraySlice<UInt8>) -> Severity? {
        let opened =
            word.first.map { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "(") }
            ?? false
        let body = opened ? word.dropFirst() : word
        let letters = body.prefix(while: { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) })
        guard letters.count >= 3, letters.count <= 11 else { return nil }
        let rest = body.dropFirst(letters.count)
        if let next = rest.first, next != UInt8(ascii: ":"), next != UInt8(ascii: "]"), next != UInt8(ascii: ">"),
            next != UInt8(ascii: ")"), next != UInt8(ascii: ","), next != UInt8(ascii: "|")
        {
            return nil
        }
        let capitals = letters.allSatisfy { $0 >= 65 && $0 <= 90 }
        guard capitals || (opened && rest.first.map { $0 != UInt8(ascii: ":") } ?? false) else { return nil }
        return Severity(name: String(decoding: letters, as: UTF8.self))
    }
}
