/// Why an agent could not start or keep its checkpoint. Each message says what to do.
public enum AgentError: Error, Equatable, CustomStringConvertible {
    /// `--to` is not `HOST:PORT` or the host does not resolve.
    case destination(String, String)
    /// `--multiline` is not a valid regular expression.
    case multiline(String, String)
    /// The state file cannot be read, parsed or written.
    case state(String, String)
    /// No file or glob was given and `--stdin` was not set.
    case noInput
    /// A socket call failed.
    case socket(String)

    public var description: String {
        switch self {
        case .destination(let d, let why): return "--to \(d): \(why); give HOST:PORT, e.g. 127.0.0.1:8125"
        case .multiline(let p, let why): return "--multiline \(p): \(why); give a regular expression for a first line"
        case .state(let p, let why): return "state file \(p) \(why); fix its permissions or remove it to start over"
        case .noInput: return "nothing to follow: give FILE or GLOB arguments, or --stdin"
        case .socket(let why): return "UDP socket: \(why)"
        }
    }
}
