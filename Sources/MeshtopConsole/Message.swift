import MeshtopModel
import MeshtopQuery

/// Everything that can happen to the console: input, resize, the clock, and query results.
public enum Message: Sendable {
    case key(Key)
    case resize(rows: Int, cols: Int)
    /// The refresh timer fired; `nowMicros` is wall-clock time.
    case tick(nowMicros: Int64)
    case loaded(Response)
}

/// A read the console wants done. Run off the input loop by an effect runner, answered with a `Response`.
public enum Request: Sendable, Hashable {
    case status
    case services(TimeWindow)
    case topology(TimeWindow)
    case traces(TraceSearch)
    case trace(String)
    /// `generation` lets the console drop answers to a search it has since changed.
    case logs(LogSearch, generation: Int)
    case metrics(MetricSearch)
    case breakers
    case breakerHistory(caller: String, callee: String)
    case alerts
    case limits(TimeWindow)

    /// Requests of the same kind replace each other when one is already running.
    public var kind: String {
        switch self {
        case .status: return "status"
        case .services: return "services"
        case .topology: return "topology"
        case .traces: return "traces"
        case .trace: return "trace"
        case .logs: return "logs"
        case .metrics: return "metrics"
        case .breakers: return "breakers"
        case .breakerHistory: return "breakerHistory"
        case .alerts: return "alerts"
        case .limits: return "limits"
        }
    }
}

/// The answer to a `Request`.
public enum Response: Sendable {
    case status(CollectorStatus, latestEventMicros: Int64?)
    case services([ServiceRow])
    case topology(Topology)
    case traces(TraceSearch, [TraceSummary])
    case trace(String, TraceDetail?)
    case logs([LogRow], generation: Int)
    case metrics([MetricRow])
    case breakers([BreakerStatus])
    case breakerHistory(caller: String, callee: String, [BreakerTransition])
    case alerts([AlertStatus], [AlertTransition])
    case limits([LimitStat])
    case failed(Request, String)
}

/// What `update` asks the outside world to do.
public enum Effect: Sendable, Hashable {
    case load(Request)
    case quit
}

extension Request {
    /// Runs the request against `reader` (blocking: call it off the input loop). Errors become `.failed`.
    public func perform(on reader: any QueryReading) -> Response {
        do {
            switch self {
            case .status:
                return .status(try reader.collectorStatus(), latestEventMicros: try reader.latestEventMicros())
            case .services(let w): return .services(try reader.services(window: w))
            case .topology(let w): return .topology(try reader.topology(window: w))
            case .traces(let s): return .traces(s, try reader.traces(s))
            case .trace(let id): return .trace(id, try reader.trace(idOrPrefix: id))
            case .logs(let s, let g): return .logs(try reader.logs(s), generation: g)
            case .metrics(let s): return .metrics(try reader.metrics(s))
            case .breakers: return .breakers(try reader.breakers())
            case .breakerHistory(let a, let b):
                return .breakerHistory(
                    caller: a, callee: b, try reader.breakerHistory(caller: a, callee: b, limit: 50))
            case .alerts: return .alerts(try reader.alerts(state: nil), try reader.alertHistory(limit: 100))
            case .limits(let w): return .limits(try reader.limits(window: w))
            }
        } catch {
            return .failed(self, QueryTimeout.consoleMessage(for: error) ?? String(describing: error))
        }
    }
}
