/// `--format` values (SPEC §1). `dot`/`mermaid` apply to topology, `tree` to one trace.
public enum OutputFormat: String, Sendable, Hashable, CaseIterable {
    case table, json, jsonl, csv, dot, mermaid, tree

    /// The formats every list query accepts.
    public static let lists: [OutputFormat] = [.table, .json, .jsonl, .csv]
}

/// Renders records in one of the list formats.
public enum OutputRenderer {
    /// The whole output for `format` (`table`, `json`, `jsonl` or `csv`), ending with a newline unless empty.
    public static func render(_ table: OutputTable, as format: OutputFormat) -> String {
        switch format {
        case .json: return JSONRenderer.array(table.records) + "\n"
        case .jsonl: return table.records.map { JSONRenderer.encode(.object($0.fields)) + "\n" }.joined()
        case .csv: return CSVRenderer.render(table)
        case .table, .dot, .mermaid, .tree: return TableRenderer.render(table)
        }
    }
}
