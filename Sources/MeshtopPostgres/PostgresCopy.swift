import MeshtopModel
import MeshtopStore
import NIOCore

/// Rows in PostgreSQL's binary COPY format (`COPY … FROM STDIN WITH (FORMAT binary)`): the `PGCOPY` header, then
/// per row an int16 field count and per field an int32 length and its bytes (length -1 for NULL), then the int16
/// -1 trailer. Each value is in its column type's binary form: `bigint` and `integer` big-endian, `text` its UTF-8
/// bytes, `bytea` the raw bytes. A type that does not match the column's exactly (an int8 for an `integer`) makes
/// the server refuse the whole COPY, so each column here states its type.
///
/// Rows are appended to a byte array (JSON columns copied from the batch's `EncodedJSON` when it carries them,
/// else written by `JSONText.append` straight into it, their length filled in after) and handed over in chunks
/// of about `chunkBytes`, each copied once into a ByteBuffer; a row is never split across chunks (PostgreSQL
/// would take it, but whole rows keep each chunk readable alone).
struct PostgresCopyEncoder {
    static let chunkBytes = 1 << 20
    /// `PGCOPY\n\377\r\n\0`, flags 0 (no OIDs), header extension length 0.
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]

    private var chunks: [ByteBuffer] = []
    private var out: [UInt8] = []

    init() {
        out.reserveCapacity(Self.chunkBytes + Self.chunkBytes / 4)
        out.append(contentsOf: Self.header)
    }

    /// Starts a row with its `rowPrefix` (field count, then the collector column); hands over the chunk first
    /// when it is full.
    mutating func row(_ prefix: [UInt8]) {
        if out.count >= Self.chunkBytes {
            chunks.append(ByteBuffer(bytes: out))
            out.removeAll(keepingCapacity: true)
        }
        out.append(contentsOf: prefix)
    }

    /// What every row of one COPY starts with: its int16 field count, then the `collector` text field (the same
    /// on every row).
    static func rowPrefix(fields: Int, collector: String) -> [UInt8] {
        let utf8 = Array(collector.utf8)
        let n = UInt32(utf8.count)
        let count = UInt16(fields)
        return [UInt8(count >> 8), UInt8(count & 0xFF)]
            + [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + utf8
    }

    /// The chunks with the trailer, ready to send. The encoder is spent afterwards.
    mutating func finish() -> [ByteBuffer] {
        be(UInt16.max)
        chunks.append(ByteBuffer(bytes: out))
        out = []
        return chunks
    }

    @inline(__always) private mutating func be<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
    }

    mutating func null() { be(UInt32.max) }

    /// A `bigint`.
    mutating func int8(_ v: Int64) {
        be(UInt32(8))
        be(v)
    }

    /// An `integer`.
    mutating func int4(_ v: Int32) {
        be(UInt32(4))
        be(v)
    }

    /// A `text` value.
    mutating func text(_ s: String) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { utf8 in
            be(UInt32(utf8.count))
            out.append(contentsOf: utf8)
        }
        if done == nil {  // a bridged string without contiguous UTF-8
            let utf8 = Array(s.utf8)
            be(UInt32(utf8.count))
            out.append(contentsOf: utf8)
        }
    }

    mutating func text(_ s: String?) {
        if let s { text(s) } else { null() }
    }

    /// A 16-byte `bytea` (a trace id, big-endian as everywhere in meshtop).
    mutating func id(_ t: TraceID) {
        be(UInt32(16))
        be(t.high)
        be(t.low)
    }

    /// An 8-byte `bytea` (a span id).
    mutating func id(_ s: SpanID) {
        be(UInt32(8))
        be(s.raw)
    }

    mutating func id(_ t: TraceID?) {
        if let t { id(t) } else { null() }
    }

    mutating func id(_ s: SpanID?) {
        if let s { id(s) } else { null() }
    }

    /// A span's `trace_id`, `span_id` and `parent_id` (NULL for a root span) in one append.
    mutating func ids(_ t: TraceID, _ s: SpanID, _ p: SpanID?) {
        let words = (
            UInt32(16).bigEndian, Self.high(t.high), Self.low(t.high), Self.high(t.low), Self.low(t.low),
            UInt32(8).bigEndian, Self.high(s.raw), Self.low(s.raw),
            p == nil ? UInt32.max : UInt32(8).bigEndian, Self.high(p?.raw ?? 0), Self.low(p?.raw ?? 0)
        )
        withUnsafeBytes(of: words) { bytes in
            out.append(contentsOf: p == nil ? UnsafeRawBufferPointer(rebasing: bytes[..<36]) : bytes)
        }
    }

    /// A span's `kind`, `start_us`, `duration_us`, `error` and `status` (integer, bigint, bigint, integer,
    /// integer) in one append.
    mutating func spanNumbers(kind: Int32, start: Int64, duration: Int64, error: Int32, status: Int32) {
        let words = (
            UInt32(4).bigEndian, UInt32(bitPattern: kind).bigEndian,
            UInt32(8).bigEndian, Self.high(UInt64(bitPattern: start)), Self.low(UInt64(bitPattern: start)),
            UInt32(8).bigEndian, Self.high(UInt64(bitPattern: duration)), Self.low(UInt64(bitPattern: duration)),
            UInt32(4).bigEndian, UInt32(bitPattern: error).bigEndian,
            UInt32(4).bigEndian, UInt32(bitPattern: status).bigEndian
        )
        withUnsafeBytes(of: words) { out.append(contentsOf: $0) }
    }

    /// The big-endian halves of a 64-bit value, as words of a tuple (a tuple of UInt32 has no padding).
    @inline(__always) private static func high(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v >> 32).bigEndian }
    @inline(__always) private static func low(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v).bigEndian }

    /// A JSON `text` value already encoded: the `index`th text of `encoded`, copied.
    mutating func json(_ encoded: EncodedJSON, at index: Int) {
        encoded.withText(at: index) { text in
            be(UInt32(text.count))
            out.append(contentsOf: text)
        }
    }

    /// A JSON `text` value of attributes, written in place.
    mutating func json(_ attributes: [Attribute]) {
        let at = openLength()
        JSONText.append(attributes, to: &out)
        closeLength(at)
    }

    /// A JSON `text` value of events, written in place.
    mutating func json(_ events: [SpanEvent]) {
        let at = openLength()
        JSONText.append(events, to: &out)
        closeLength(at)
    }

    /// The `links` column: NULL without links, else their JSON (`SpanLinksJSON`).
    mutating func json(_ links: [SpanLink]) {
        if links.isEmpty { return null() }
        let at = openLength()
        SpanLinksJSON.append(links, to: &out)
        closeLength(at)
    }

    private mutating func openLength() -> Int {
        let at = out.count
        be(UInt32(0))
        return at
    }

    private mutating func closeLength(_ at: Int) {
        let n = UInt32(out.count - at - 4)
        out[at] = UInt8(truncatingIfNeeded: n >> 24)
        out[at + 1] = UInt8(truncatingIfNeeded: n >> 16)
        out[at + 2] = UInt8(truncatingIfNeeded: n >> 8)
        out[at + 3] = UInt8(truncatingIfNeeded: n)
    }
}

/// The rows of spans and logs as `PostgresStore.write` copies them, column for column as in `PostgresSchema`.
enum PostgresCopyRows {
    /// `spans` without `id` (its default, the sequence), in the order `spans(collector, spans)` encodes them.
    static let spanColumns = [
        "collector", "trace_id", "span_id", "parent_id", "service", "name", "kind", "start_us", "duration_us",
        "error", "status", "status_message", "peer_service", "attributes", "events", "links",
    ]

    /// `logs` without `id`, in the order `logs(collector, logs)` encodes them.
    static let logColumns = [
        "collector", "time_us", "service", "host", "severity", "message", "trace_id", "span_id", "attributes",
    ]

    /// NULL as in the schema: `parent_id` for a root span, `status_message` and `peer_service` when absent (an
    /// empty string stays an empty string), `links` for a span without links. `attributes` and `events` are the
    /// batch's columns already encoded (`WriteBatch.spanAttributesJSON`, `spanEventsJSON`), copied when both hold
    /// one text per span; otherwise the spans' are encoded here (the same bytes either way).
    static func spans(
        collector: String, _ spans: [Span], attributes: EncodedJSON = EncodedJSON(), events: EncodedJSON = EncodedJSON()
    ) -> [ByteBuffer] {
        var e = PostgresCopyEncoder()
        let prefix = PostgresCopyEncoder.rowPrefix(fields: spanColumns.count, collector: collector)
        let encoded = attributes.count == spans.count && events.count == spans.count
        spans.withUnsafeBufferPointer { all in
            guard let first = all.baseAddress else { return }
            for i in all.indices {
                let s = first + i
                span(s, prefix, &e)
                if encoded {
                    e.json(attributes, at: i)
                    e.json(events, at: i)
                } else {
                    e.json(s.pointee.attributes)
                    e.json(s.pointee.events)
                }
                e.json(s.pointee.links)
            }
        }
        return e.finish()
    }

    /// One span's row but its JSON columns, read in place (a copy of the `Span` would retain its seven strings
    /// and arrays).
    private static func span(_ s: UnsafePointer<Span>, _ prefix: [UInt8], _ e: inout PostgresCopyEncoder) {
        e.row(prefix)
        e.ids(s.pointee.traceID, s.pointee.spanID, s.pointee.parentID)
        e.text(s.pointee.service)
        e.text(s.pointee.name)
        e.spanNumbers(
            kind: Int32(s.pointee.kind.rawValue), start: s.pointee.startMicros, duration: s.pointee.durationMicros,
            error: s.pointee.isError ? 1 : 0, status: Int32(s.pointee.status.rawValue))
        e.text(s.pointee.statusMessage)
        e.text(s.pointee.peerService)
    }

    /// NULL as in the schema: `trace_id` and `span_id` of a log without them. `attributes`: the batch's column
    /// already encoded (`WriteBatch.logAttributesJSON`), copied when it holds one text per log.
    static func logs(collector: String, _ logs: [LogRecord], attributes: EncodedJSON = EncodedJSON()) -> [ByteBuffer] {
        var e = PostgresCopyEncoder()
        let prefix = PostgresCopyEncoder.rowPrefix(fields: logColumns.count, collector: collector)
        let encoded = attributes.count == logs.count
        logs.withUnsafeBufferPointer { all in
            guard let first = all.baseAddress else { return }
            for i in all.indices {
                let l = first + i
                log(l, prefix, &e)
                if encoded { e.json(attributes, at: i) } else { e.json(l.pointee.attributes) }
            }
        }
        return e.finish()
    }

    private static func log(_ l: UnsafePointer<LogRecord>, _ prefix: [UInt8], _ e: inout PostgresCopyEncoder) {
        e.row(prefix)
        e.int8(l.pointee.timeMicros)
        e.text(l.pointee.service)
        e.text(l.pointee.host)
        e.int4(Int32(l.pointee.severity.rawValue))
        e.text(l.pointee.message)
        e.id(l.pointee.traceID)
        e.id(l.pointee.spanID)
    }
}
