import MeshtopModel
import MeshtopStore
import NIOCore

/// Rows in PostgreSQL's binary COPY format (`COPY … FROM STDIN WITH (FORMAT binary)`), encoded straight into
/// ByteBuffers: the `PGCOPY` header, then per row an int16 field count and per field an int32 length and its bytes
/// (length -1 for NULL), then the int16 -1 trailer. Each value is in its column type's binary form: `bigint` and
/// `integer` big-endian, `text` its UTF-8 bytes, `bytea` the raw bytes. A type that does not match the column's
/// exactly (an int8 for an `integer`) makes the server refuse the whole COPY, so each column here states its type.
///
/// The rows go into chunks of about `chunkBytes` (a row is never split: PostgreSQL takes a row across CopyData
/// messages, but whole rows keep every chunk readable on its own in a test), so a batch of 50,000 spans is some
/// 20 buffers that never reallocate instead of one that grows by copying.
struct PostgresCopyEncoder {
    static let chunkBytes = 1 << 20
    /// `PGCOPY\n\377\r\n\0`, flags 0 (no OIDs), header extension length 0.
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]

    private(set) var chunks: [ByteBuffer] = []
    private var buffer: ByteBuffer
    /// Reused for JSON text (`JSONText.append` writes to a byte array), so no row allocates.
    private var scratch: [UInt8] = []
    private let allocator = ByteBufferAllocator()

    init() {
        buffer = allocator.buffer(capacity: Self.chunkBytes + Self.chunkBytes / 8)
        buffer.writeBytes(Self.header)
        scratch.reserveCapacity(4096)
    }

    /// Starts a row of `fields` values; begins a new chunk when the current one is full.
    mutating func row(_ fields: Int16) {
        if buffer.readableBytes >= Self.chunkBytes {
            chunks.append(buffer)
            buffer = allocator.buffer(capacity: Self.chunkBytes + Self.chunkBytes / 8)
        }
        buffer.writeInteger(fields)
    }

    /// The chunks with the trailer, ready to send. The encoder is spent afterwards.
    mutating func finish() -> [ByteBuffer] {
        buffer.writeInteger(Int16(-1))
        chunks.append(buffer)
        buffer = ByteBuffer()
        return chunks
    }

    mutating func null() { buffer.writeInteger(Int32(-1)) }

    /// A `bigint`.
    mutating func int8(_ v: Int64) { buffer.writeMultipleIntegers(Int32(8), v) }

    /// An `integer`.
    mutating func int4(_ v: Int32) { buffer.writeMultipleIntegers(Int32(4), v) }

    /// A `text` value.
    mutating func text(_ s: String) {
        let at = buffer.writerIndex
        buffer.writeInteger(Int32(0))
        let n = buffer.writeString(s)
        buffer.setInteger(Int32(n), at: at)
    }

    mutating func text(_ s: String?) {
        if let s { text(s) } else { null() }
    }

    /// A `text` value given as its field bytes (length and UTF-8), for one repeated on every row.
    mutating func field(_ lengthAndBytes: [UInt8]) { buffer.writeBytes(lengthAndBytes) }

    /// A 16-byte `bytea` (a trace id, big-endian as everywhere in meshtop).
    mutating func id(_ t: TraceID) { buffer.writeMultipleIntegers(Int32(16), t.high, t.low) }

    /// An 8-byte `bytea` (a span id).
    mutating func id(_ s: SpanID) { buffer.writeMultipleIntegers(Int32(8), s.raw) }

    mutating func id(_ t: TraceID?) {
        if let t { id(t) } else { null() }
    }

    mutating func id(_ s: SpanID?) {
        if let s { id(s) } else { null() }
    }

    /// A `text` value built by `write` as bytes (JSON from `JSONText.append`).
    mutating func text(building write: (inout [UInt8]) -> Void) {
        scratch.removeAll(keepingCapacity: true)
        write(&scratch)
        buffer.writeInteger(Int32(scratch.count))
        buffer.writeBytes(scratch)
    }

    /// The field bytes (int32 length, then UTF-8) of a text value repeated on every row.
    static func field(_ s: String) -> [UInt8] {
        let utf8 = Array(s.utf8)
        let n = UInt32(utf8.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + utf8
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
    /// empty string stays an empty string), `links` for a span without links.
    static func spans(collector: String, _ spans: [Span]) -> [ByteBuffer] {
        var e = PostgresCopyEncoder()
        let collector = PostgresCopyEncoder.field(collector)
        let fields = Int16(spanColumns.count)
        for s in spans {
            e.row(fields)
            e.field(collector)
            e.id(s.traceID)
            e.id(s.spanID)
            e.id(s.parentID)
            e.text(s.service)
            e.text(s.name)
            e.int4(Int32(s.kind.rawValue))
            e.int8(s.startMicros)
            e.int8(s.durationMicros)
            e.int4(s.isError ? 1 : 0)
            e.int4(Int32(s.status.rawValue))
            e.text(s.statusMessage)
            e.text(s.peerService)
            e.text { JSONText.append(s.attributes, to: &$0) }
            e.text { JSONText.append(s.events, to: &$0) }
            if s.links.isEmpty {
                e.null()
            } else {
                e.text { SpanLinksJSON.append(s.links, to: &$0) }
            }
        }
        return e.finish()
    }

    /// NULL as in the schema: `trace_id` and `span_id` of a log without them.
    static func logs(collector: String, _ logs: [LogRecord]) -> [ByteBuffer] {
        var e = PostgresCopyEncoder()
        let collector = PostgresCopyEncoder.field(collector)
        let fields = Int16(logColumns.count)
        for l in logs {
            e.row(fields)
            e.field(collector)
            e.int8(l.timeMicros)
            e.text(l.service)
            e.text(l.host)
            e.int4(Int32(l.severity.rawValue))
            e.text(l.message)
            e.id(l.traceID)
            e.id(l.spanID)
            e.text { JSONText.append(l.attributes, to: &$0) }
        }
        return e.finish()
    }
}
