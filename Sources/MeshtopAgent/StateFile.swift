import Foundation
import Glibc

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
            if access(path, F_OK) == 0 { throw .state(path, "cannot be read") }
            return []
        }
        if data.isEmpty { return [] }
        do {
            return try JSONDecoder().decode(Document.self, from: data).files
        } catch {
            throw .state(path, "is not a meshtop agent state file (\(error))")
        }
    }

    /// Writes `files` atomically.
    func save(_ files: [FileCheckpoint]) throws(AgentError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(Document(version: 1, files: files)) } catch {
            throw .state(path, "cannot be encoded (\(error))")
        }
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .state(path, "cannot create \(temp): \(String(cString: strerror(errno)))") }
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
            throw .state(path, "cannot be written: \(String(cString: strerror(errno)))")
        }
        let dir = (path as NSString).deletingLastPathComponent
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}
