import GRDB

/// A `WHERE` clause built from conditions with bound parameters (never interpolated values).
struct SQLFilter {
    private(set) var conditions: [String] = []
    private(set) var arguments = StatementArguments()

    init() {}

    /// Adds `condition` with one bound value per `?` in it.
    mutating func add(_ condition: String, _ values: any DatabaseValueConvertible...) {
        conditions.append(condition)
        arguments += StatementArguments(values)
    }

    /// Adds `condition` bound to `value` only when `value` is present.
    mutating func add(_ condition: String, ifPresent value: (any DatabaseValueConvertible)?) {
        if let value { add(condition, value) }
    }

    /// ` WHERE a AND b`, or `""` without conditions.
    var clause: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }
}
