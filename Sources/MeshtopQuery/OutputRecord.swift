import MeshtopModel

/// One value of an output record, typed so that each format renders it its own way.
public indirect enum OutputValue: Sendable, Hashable {
    /// Text from ingested data or the database: sanitised in table and CSV, JSON-escaped in JSON.
    case text(String)
    case int(Int64)
    /// A number; `decimals` is how many fraction digits the table shows (JSON and CSV print it in full).
    case number(Double, decimals: Int)
    case bool(Bool)
    /// A time in µs: RFC 3339 UTC with microseconds in JSON and CSV.
    case time(Int64)
    case null
    case list([OutputValue])
    case object([OutputField])

    /// A number of milliseconds: three decimals (µs) in JSON, one in tables.
    public static func millis(_ ms: Double) -> OutputValue { .number(roundTo(ms, 3), decimals: 1) }

    /// A ratio (0–1): six decimals in JSON, as given in tables.
    public static func ratio(_ r: Double, decimals: Int = 4) -> OutputValue {
        .number(roundTo(r, 6), decimals: decimals)
    }

    public static func optional(_ d: Double?, decimals: Int = 2) -> OutputValue {
        d.map { .number($0, decimals: decimals) } ?? .null
    }

    static func roundTo(_ v: Double, _ places: Int) -> Double {
        guard v.isFinite else { return v }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (v * scale).rounded() / scale
    }

    /// Numeric value for `--fail-on` comparisons.
    public var numeric: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .number(let d, _): return d
        case .bool(let b): return b ? 1 : 0
        case .time(let t): return Double(t)
        default: return nil
        }
    }
}

/// A named field. `inTable` false hides it from the table format (e.g. nested attributes).
public struct OutputField: Sendable, Hashable {
    public var key: String
    public var value: OutputValue
    public var inTable: Bool

    public init(_ key: String, _ value: OutputValue, inTable: Bool = true) {
        self.key = key
        self.value = value
        self.inTable = inTable
    }
}

/// One row of output: ordered snake_case fields (the JSON keys of SPEC §1 and docs/query.md).
public struct OutputRecord: Sendable, Hashable {
    public var fields: [OutputField]

    public init(_ fields: [OutputField]) {
        self.fields = fields
    }

    public subscript(key: String) -> OutputValue? {
        fields.first { $0.key == key }?.value
    }
}

/// A list of records with the columns a table shows for them (used for the header when the list is empty).
public struct OutputTable: Sendable, Hashable {
    public var columns: [String]
    public var records: [OutputRecord]

    public init(columns: [String], records: [OutputRecord]) {
        self.columns = columns
        self.records = records
    }
}

extension OutputTable {
    /// Rows ordered by `column`: numbers descending (largest first), text ascending; ties keep their order.
    public func sorted(by column: String) -> OutputTable {
        let indexed = records.enumerated().map { ($0.offset, $0.element) }
        let ordered = indexed.sorted { a, b in
            let x = a.1[column] ?? .null
            let y = b.1[column] ?? .null
            if let p = x.numeric, let q = y.numeric, p != q { return p > q }
            let s = TableRenderer.cell(x)
            let t = TableRenderer.cell(y)
            if x.numeric == nil, y.numeric == nil, s != t { return s < t }
            return a.0 < b.0
        }
        return OutputTable(columns: columns, records: ordered.map(\.1))
    }

    /// The first `limit` rows (all when nil).
    public func prefix(_ limit: Int?) -> OutputTable {
        guard let limit else { return self }
        return OutputTable(columns: columns, records: Array(records.prefix(max(limit, 0))))
    }
}
