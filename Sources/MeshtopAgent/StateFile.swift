import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One followed file's checkpoint: identity and the offset just after the last line shipped.
struct FileCheckpoint: Codable, Equatable, Sendable {
    var path: String
    var device: UInt64
    var inode: UInt64
    /// FNV-1a of the first `fingerprintLength` bytes, as 16 hex digits.
    var fingerprint: String
    var fingerprintLength: Int
    var offset: Int64

    enum CodingKeys: String, CodingKey {
        case path, device, inode, fingerprint, offset
        case fingerprintLength = "fingerprint_length"
    }

    var key: FileKey { FileKey(device: device, inode: inode) }
}

/// The `--state` file: JSON `{"version":1,"files":[…]}`, replaced atomically (temp file, fsync, rename, fsync of
/// the directory) so a crash leaves either the old or the new checkpoint, never a torn one.
struct StateFile {
    let path: String

    private struct Document: Codable {
        var version: Int
        var files: [FileCheckpoint]
    }

    /// The saved checkpoints; empty when the file does not exist yet.
    func load() throws(AgentError) -> [FileCheckpoint] {
        guard let data = FileManager.default.contents(atPath: path) else {
            guard access(path, F_OK) == 0 else { return [] }
            let reason = access(path, R_OK) == 0 ? "it is not a regular file" : String(cString: strerror(errno))
            throw .stateUnreadable(path, reason)
        }
        if data.isEmpty { return [] }
        do {
            return try JSONDecoder().decode(Document.self, from: data).files
        } catch {
            throw .stateCorrupt(path, Self.describe(error))
        }
    }

    /// A decoding failure in a few words: "not JSON", or which field is missing or of the wrong type.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func at(_ path: [any CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
        }
        switch error {
        case .dataCorrupted(let c) where c.codingPath.isEmpty: return "not valid JSON"
        case .dataCorrupted(let c): return "bad value at \(at(c.codingPath))"
        case .keyNotFound(let key, let c): return "\(at(c.codingPath + [key])) is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(at(c.codingPath)) has the wrong type"
        @unknown default: return "\(error)"
        }
    }

    /// Writes `files` atomically.
    func save(_ files: [FileCheckpoint]) throws(AgentError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(Document(version: 1, files: files)) } catch {
            throw .stateUnwritable(path, "cannot encode the checkpoints: \(error)")
        }
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .stateUnwritable(path, "cannot create \(temp): \(String(cString: strerror(errno)))")
        }
        let ok = data.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temp, path) == 0 else {
            unlink(temp)
            throw .stateUnwritable(path, String(cString: strerror(errno)))
        }
        let dir = (path as NSString).deletingLastPathComponent
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}
