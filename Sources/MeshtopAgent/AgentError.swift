/// Why an agent could not start or keep its checkpoint. Each message says what to do.
public enum AgentError: Error, Equatable, CustomStringConvertible {
    /// `--to` is not `HOST:PORT` or the host does not resolve.
    case destination(String, String)
    /// `--multiline` is not a valid regular expression.
    case multiline(String, String)
    /// The state file exists but cannot be read (permissions, I/O); the reason is `strerror`'s.
    case stateUnreadable(String, String)
    /// The state file is not a meshtop agent state file (not JSON, or another shape); the detail says where.
    case stateCorrupt(String, String)
    /// The state file (or its temporary copy) cannot be written.
    case stateUnwritable(String, String)
    /// No file or glob was given and `--stdin` was not set.
    case noInput
    /// A socket call failed.
    case socket(String)

    public var description: String {
        switch self {
        case .destination(let d, let why): return "--to \(d): \(why); give HOST:PORT, e.g. 127.0.0.1:8125"
        case .multiline(let p, let why): return "--multiline \(p): \(why); give a regular expression for a first line"
        case .stateUnreadable(let p, let why):
            return "cannot read the state file \(p) (\(why)); make it readable by this user (ls -l \(p)), "
                + "or pass --state with another file"
        case .stateCorrupt(let p, let why):
            return "the state file \(p) is not a meshtop agent state file (\(why)); if it is the agent's, delete it "
                + "to start over (files are then read from their end, or from the start with --from-start); "
                + "otherwise pass --state with another file"
        case .stateUnwritable(let p, let why):
            return "cannot write the state file \(p) (\(why)); make its directory writable by this user, "
                + "or pass --state with a file in a writable directory"
        case .noInput: return "nothing to follow: give FILE or GLOB arguments, or --stdin"
        case .socket(let why): return "UDP socket: \(why)"
        }
    }
}
