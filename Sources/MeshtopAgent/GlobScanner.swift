import Glibc

/// Shell-style pattern expansion with `glob(3)`; only regular files are returned, sorted.
enum GlobScanner {
    static func expand(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            guard let p = g.gl_pathv[i] else { continue }
            let path = String(cString: p)
            if FileStatus.of(path: path)?.isRegular == true { out.append(path) }
        }
        return out.sorted()
    }
}
