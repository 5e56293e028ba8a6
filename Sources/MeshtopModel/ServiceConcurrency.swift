/// In-flight requests of one service over one minute of event time (`minuteMicros` is the minute's start): how
/// many of its requests (the spans `ServiceRollup` counts) were running at once, measured from their start and
/// end times. Little's law ties it to the rollup: mean in-flight = request rate × mean latency.
public struct ServiceConcurrency: Hashable, Sendable {
    public var minuteMicros: Int64
    public var service: String
    /// The most requests in flight at once (held for at least a microsecond).
    public var maxInFlight: Int64
    /// Time-weighted p99: the service had at most this many requests in flight for 99 % of the minute.
    public var p99InFlight: Int64
    /// Time (µs) spent at each in-flight level during the minute, encoded by MeshtopGovernance
    /// (`InFlightLevels`); windows longer than a minute merge these, so percentiles are never averaged.
    public var levels: [UInt8]

    public init(minuteMicros: Int64, service: String, maxInFlight: Int64, p99InFlight: Int64, levels: [UInt8]) {
        self.minuteMicros = minuteMicros
        self.service = service
        self.maxInFlight = maxInFlight
        self.p99InFlight = p99InFlight
        self.levels = levels
    }
}
