/// Packs lines into datagrams the way StatsD/DogStatsD clients do: lines joined with `\n`, each datagram at most
/// `limit` bytes (1432, DogStatsD's `UDP_OPTIMAL_PAYLOAD_LENGTH`); a longer line travels alone, up to 65,507 bytes.
public struct DatagramPacker {
    public let limit: Int
    private var current: [UInt8] = []
    /// Lines longer than a UDP datagram can carry (they are not sent).
    public private(set) var oversized = 0

    public init(limit: Int = 1_432) {
        self.limit = limit
        current.reserveCapacity(limit)
    }

    /// Adds a line (without its newline); calls `emit` with every datagram that becomes full.
    public mutating func add(_ line: some Collection<UInt8>, emit: ([UInt8]) -> Void) {
        let n = line.count
        if n > UDPSender.maxDatagram {
            oversized += 1
            return
        }
        if !current.isEmpty && current.count + 1 + n > limit {
            emit(current)
            current.removeAll(keepingCapacity: true)
        }
        if n > limit {
            emit(Array(line))
            return
        }
        if !current.isEmpty { current.append(0x0A) }
        current.append(contentsOf: line)
    }

    /// Emits what is left.
    public mutating func flush(emit: ([UInt8]) -> Void) {
        if !current.isEmpty { emit(current) }
        current.removeAll(keepingCapacity: true)
    }
}
