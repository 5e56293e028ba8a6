import MeshtopModel
import MeshtopNet

/// Why the collector could not start or reload. Each message says what to do.
public enum CollectorError: Error, CustomStringConvertible, Sendable {
    /// A listener could not bind (port in use, address not local, permission). CLI exit code 4.
    case bind(address: HostPort, reason: String, transport: String)
    /// The database could not be opened or created: `reason` is the store's message, which already says what
    /// to do (not meshtop's, in use by another collector, directory missing, …). CLI exit code 3.
    case database(path: String, reason: String)
    /// The rules file could not be read or parsed; `reason` names the line.
    case rules(path: String, reason: String)

    public var description: String {
        switch self {
        case .bind(let address, let reason, let transport):
            let flags =
                transport == "udp"
                ? "--listen HOST:PORT / --jaeger HOST:PORT|off" : "--otlp / --otlp-grpc / --zipkin HOST:PORT|off"
            return
                "cannot listen on \(transport) \(address): \(reason). Stop the process using it (`ss -\(transport.first!)lpn "
                + "| grep :\(address.port)`), or pick another address with \(flags)"
        case .database(_, let reason):
            return reason
        case .rules(let path, let reason):
            return "cannot load rules from \(path): \(reason). Fix the file (see samples/rules.yaml) or omit --rules"
        }
    }
}
