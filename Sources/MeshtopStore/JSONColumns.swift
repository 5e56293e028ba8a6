import GRDB
import MeshtopModel

/// Reads the JSON columns the store writes with `JSONText` (`attributes`, `events`, alert `labels`) back into
/// model values, with SQLite's own JSON parser (`json_tree`), so the query layer needs no parser of its own.
enum JSONColumns {
    private struct Node {
        var parent: Int64?
        var key: String?
        var type: String
        var atom: DatabaseValue
        var children: [Int] = []
    }

    /// The members of a JSON object column, in stored order. Anything that is not an object gives `[]`.
    static func attributes(_ db: Database, _ json: String) throws -> [Attribute] {
        if json == "{}" || json.isEmpty { return [] }
        guard case .map(let members)? = try value(db, json) else { return [] }
        return members
    }

    /// A stored span events array: `[{"time":µs,"name":…,"attributes":{…}}]`.
    static func events(_ db: Database, _ json: String) throws -> [SpanEvent] {
        if json == "[]" || json.isEmpty { return [] }
        guard case .array(let items)? = try value(db, json) else { return [] }
        return items.compactMap { item in
            guard case .map(let fields) = item else { return nil }
            var time: Int64 = 0
            if case .int(let t)? = fields[key: "time"] { time = t }
            var attributes: [Attribute] = []
            if case .map(let a)? = fields[key: "attributes"] { attributes = a }
            return SpanEvent(timeMicros: time, name: fields[key: "name"]?.text ?? "", attributes: attributes)
        }
    }

    /// Any JSON text as an attribute value (objects become `.map`, `null` the empty string); nil when invalid.
    static func value(_ db: Database, _ json: String) throws -> AttributeValue? {
        let statement = try db.cachedStatement(sql: "SELECT id, parent, key, type, atom FROM json_tree(?)")
        var nodes: [Node] = []
        var index: [Int64: Int] = [:]
        do {
            let cursor = try Row.fetchCursor(statement, arguments: [json])
            while let row = try cursor.next() {
                let id: Int64 = row[0]
                let parent: Int64? = row[1]
                let keyValue: DatabaseValue = row[2]
                var key: String?
                switch keyValue.storage {
                case .string(let s): key = s
                case .int64(let i): key = String(i)
                default: key = nil
                }
                index[id] = nodes.count
                if let parent, let p = index[parent] { nodes[p].children.append(nodes.count) }
                nodes.append(Node(parent: parent, key: key, type: row[3], atom: row[4]))
            }
        } catch is DatabaseError {
            return nil
        }
        guard !nodes.isEmpty else { return nil }
        return build(nodes, 0)
    }

    private static func build(_ nodes: [Node], _ i: Int) -> AttributeValue {
        let node = nodes[i]
        switch node.type {
        case "object":
            return .map(node.children.map { Attribute(nodes[$0].key ?? "", build(nodes, $0)) })
        case "array":
            return .array(node.children.map { build(nodes, $0) })
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "integer":
            if case .int64(let v) = node.atom.storage { return .int(v) }
            return .int(0)
        case "real":
            if case .double(let v) = node.atom.storage { return .double(v) }
            return .double(0)
        case "text":
            if case .string(let s) = node.atom.storage { return .string(s) }
            return .string("")
        default:
            return .string("")
        }
    }
}
