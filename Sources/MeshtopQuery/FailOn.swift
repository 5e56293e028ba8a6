/// `--fail-on EXPR` for `query services|breakers|alerts` (docs/query.md): the command exits 1 when the
/// expression holds for at least one listed row.
///
/// Grammar: `EXPR := COND ("," COND)*` — any condition holding is enough.
/// `COND := WORD` — shorthand for `health=WORD` (services) or `state=WORD` (breakers, alerts);
/// `COND := FIELD OP VALUE` — FIELD is a JSON key of the rows (`error_rate`, `p99_ms`, `health`, `state`, …),
/// OP one of `= != > >= < <=`. Numbers compare numerically (`error_rate>0.05`, `p99_ms>=250`); other values
/// compare as text with `=` and `!=` only.
public struct FailOn: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
    }

    public struct Condition: Sendable, Hashable {
        public var field: String
        public var op: Operator
        public var value: String

        public init(field: String, op: Operator, value: String) {
            self.field = field
            self.op = op
            self.value = value
        }
    }

    public var conditions: [Condition]

    /// Parses `text`; `fields` are the keys conditions may name, `shorthandField` the key a bare word tests,
    /// `shorthandValues` the words allowed bare. Throws `QueryError.invalidArgument` with what is allowed.
    public static func parse(
        _ text: String, fields: [String], shorthandField: String, shorthandValues: [String]
    ) throws -> FailOn {
        var conditions: [Condition] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let term = String(part).trimmingWhitespace()
            guard !term.isEmpty else {
                throw QueryError.invalidArgument(
                    "--fail-on '\(text)': empty condition; write e.g. "
                        + "'\(shorthandValues.first ?? "x")' or '\(fields.first ?? "field")=value'")
            }
            guard let (field, op, value) = split(term) else {
                guard shorthandValues.contains(term) else {
                    throw QueryError.invalidArgument(
                        "--fail-on: unknown word '\(term)'; use one of "
                            + shorthandValues.joined(separator: ", ") + " or FIELD OP VALUE")
                }
                conditions.append(Condition(field: shorthandField, op: .equal, value: term))
                continue
            }
            guard fields.contains(field) else {
                throw QueryError.invalidArgument(
                    "--fail-on: unknown field '\(field)'; use one of "
                        + fields.joined(separator: ", "))
            }
            guard !value.isEmpty else {
                throw QueryError.invalidArgument("--fail-on: '\(term)' has no value after '\(op.rawValue)'")
            }
            if op != .equal && op != .notEqual && Double(value) == nil {
                throw QueryError.invalidArgument("--fail-on: '\(term)': \(op.rawValue) needs a number")
            }
            conditions.append(Condition(field: field, op: op, value: value))
        }
        return FailOn(conditions: conditions)
    }

    /// `field op value` split at the first operator; nil for a bare word.
    static func split(_ term: String) -> (String, Operator, String)? {
        guard let i = term.firstIndex(where: { $0 == "=" || $0 == "!" || $0 == ">" || $0 == "<" }) else {
            return nil
        }
        let rest = term[i...]
        let op =
            [Operator.notEqual, .greaterOrEqual, .lessOrEqual, .equal, .greater, .less]
            .first { rest.hasPrefix($0.rawValue) } ?? .equal
        let field = String(term[..<i]).trimmingWhitespace()
        let value = String(rest.dropFirst(op.rawValue.count)).trimmingWhitespace()
        return (field, op, value)
    }

    /// True when some condition holds for some record.
    public func holds(in records: [OutputRecord]) -> Bool {
        records.contains { record in conditions.contains { $0.holds(for: record) } }
    }
}

extension FailOn.Condition {
    public func holds(for record: OutputRecord) -> Bool {
        guard let actual = record[field] else { return false }
        if let a = actual.numeric, let b = Double(value) {
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            }
        }
        let text: String
        switch actual {
        case .text(let s): text = s
        case .bool(let b): text = b ? "true" : "false"
        case .null: text = ""
        default: text = TableRenderer.cell(actual)
        }
        switch op {
        case .equal: return text == value
        case .notEqual: return text != value
        default: return false
        }
    }
}
