import Foundation

/// meshtop's one random source: SplitMix64, small, fast and seedable, so a demo scenario or a benchmark replays
/// the same way for a given seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Log-normal with the given median and 99th percentile (z₀.₉₉ = 2.326): a long right tail.
    public mutating func logNormal(p50: Double, p99: Double) -> Double {
        let mu = log(max(p50, 1e-9))
        let sigma = max(log(max(p99, p50)) - mu, 0) / 2.326
        return exp(mu + sigma * normal())
    }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Poisson-distributed count with mean `lambda` (Knuth; fine for the small means the demo uses).
    public mutating func poisson(_ lambda: Double) -> Int {
        if lambda > 30 { return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded())) }
        let l = exp(-lambda)
        var k = 0
        var p = 1.0
        repeat {
            k += 1
            p *= unit()
        } while p > l
        return k - 1
    }
}
