import MeshtopStore

/// Time bounds on reads (SPEC §4 "Safety"): `query sql` takes `--timeout` (default `sqlDefault`); the console
/// bounds each of its loads by `console`, so a slow query shows an error instead of a frozen pane.
public enum QueryTimeout {
    /// `meshtop query sql --timeout` when not given.
    public static let sqlDefault = "5s"
    /// Seconds each console load may take.
    public static let console: Double = 2

    /// The console's line for a load that timed out; nil for other errors.
    public static func consoleMessage(for error: any Error) -> String? {
        guard case .timedOut(let seconds)? = error as? StoreError else { return nil }
        return "took longer than \(StoreError.timedOut(seconds: seconds).boundText) and was stopped; "
            + "narrow the time window or the filter"
    }
}
