import MeshtopModel

/// Edge rollups of calls the governance leader found by joining spans that reached different collectors
/// (docs/scaling.md, "Edges across collectors"): per caller → callee and minute of the call's end, with the same
/// counts and latency histogram a collector that saw both spans would have written.
public enum JoinedEdges {
    public static func rollups(_ calls: [JoinedCall]) -> [EdgeRollup] {
        var book = RollupBook()
        for c in calls {
            book.addCall(
                EdgeKey(caller: c.caller, callee: c.callee), endMicros: c.endMicros, durationMicros: c.durationMicros,
                isError: c.failed)
        }
        return book.drainChanged().1
    }
}
