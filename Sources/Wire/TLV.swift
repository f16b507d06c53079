/// One TLV record kept as raw bytes: a record of a type this codec does not know.
///
/// BOLT #1 §"Type-Length-Value Format": unknown odd records are skipped by a receiver;
/// lntrace keeps them so that decoding then encoding gives back the same bytes.
public struct TLVRecord: Hashable, Sendable {
    public var type: UInt64
    public var value: [UInt8]

    public init(type: UInt64, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    /// How an unknown record appears in reports: named by its type number, value as hex.
    public var field: WireField { WireField(String(type), .bytes(value)) }
}

/// One record being read from a TLV stream: its type and a reader over exactly its value.
public struct TLVRecordReader: Sendable {
    public let type: UInt64
    /// Offset of the record's type in the message.
    public let offset: Int
    public var value: WireReader
    let field: String

    /// Accepts the record as unknown: an odd type is kept, an even type fails the stream.
    public func unknown() throws(WireError) -> TLVRecord {
        guard type & 1 == 1 else {
            throw WireError(.tlvUnknownEven(type: type), field: field, offset: offset)
        }
        var copy = value
        return TLVRecord(type: type, value: copy.readRemaining())
    }

    /// Checks that a known record's encoding used its whole value.
    public func finish() throws(WireError) {
        if !value.isAtEnd {
            throw WireError(.tlvValueTooLong(type: type, extra: value.remaining), field: field, offset: value.position)
        }
    }

    /// Decodes a multi-field record with `body`, naming errors after the record.
    public mutating func decode<T>(
        _ recordField: String, _ body: (inout WireReader) throws(WireError) -> T
    ) throws(WireError) -> T {
        do {
            return try body(&value)
        } catch {
            throw error.within(recordField)
        }
    }
}

/// Iterates the records of a TLV stream that fills the rest of a reader, enforcing the
/// receiver requirements of BOLT #1 §"Type-Length-Value Format": minimal BigSize `type`
/// and `length`, strictly increasing types, `length` within the stream.
public struct TLVStreamReader: Sendable {
    private var previous: UInt64?
    private let field: String

    /// `field` names the stream in errors (for example `tlvs`).
    public init(field: String = "tlvs") {
        self.field = field
    }

    /// The next record, or `nil` when no bytes remain.
    public mutating func next(_ reader: inout WireReader) throws(WireError) -> TLVRecordReader? {
        if reader.isAtEnd { return nil }
        let offset = reader.position
        let type = try reader.readBigSize(field + ".type")
        if let previous {
            if type == previous {
                throw WireError(.tlvDuplicate(type: type), field: field, offset: offset)
            }
            if type < previous {
                throw WireError(.tlvNotIncreasing(previous: previous, type: type), field: field, offset: offset)
            }
        }
        previous = type
        let length = try reader.readBigSize(field + ".length")
        guard length <= UInt64(reader.remaining) else {
            throw WireError(
                .tlvLengthOverrun(type: type, length: length, available: reader.remaining),
                field: field, offset: reader.position)
        }
        let value = try reader.subReader(length: Int(length), field)
        return TLVRecordReader(type: type, offset: offset, value: value, field: field)
    }
}

/// Collects a stream's records and writes them in increasing type order with minimal
/// BigSize types and lengths, as BOLT #1 requires of a sender.
public struct TLVStreamWriter: Sendable {
    private var records: [TLVRecord]

    public init(unknown: [TLVRecord] = []) {
        records = unknown
    }

    /// Adds the record `type` whose value `body` writes.
    public mutating func add(_ type: UInt64, _ body: (inout WireWriter) throws(WireError) -> Void) throws(WireError) {
        var value = WireWriter()
        try body(&value)
        records.append(TLVRecord(type: type, value: value.bytes))
    }

    public func write(to writer: inout WireWriter) {
        for record in records.sorted(by: { $0.type < $1.type }) {
            writer.writeBigSize(record.type)
            writer.writeBigSize(UInt64(record.value.count))
            writer.writeBytes(record.value)
        }
    }
}

/// The message extension of a message type for which the spec defines no TLV records
/// (BOLT #1 §"Lightning Message Format": every message may end with a TLV `extension`).
/// Only unknown odd records can appear in it.
public struct ExtensionTLVs: TLVStream {
    public var unknownRecords: [TLVRecord]

    /// A source's named records: none is known to this stream (records of unknown types
    /// are kept only from bytes).
    public init(named records: [WireField]) {
        self.init()
    }

    /// No record is known to this stream: `false`.
    public mutating func set(named record: String, _ value: FieldValue) -> Bool { false }

    public init(unknownRecords: [TLVRecord] = []) {
        self.unknownRecords = unknownRecords
    }

    public init(from reader: inout WireReader) throws(WireError) {
        self.init()
        var stream = TLVStreamReader()
        while let record = try stream.next(&reader) {
            unknownRecords.append(try record.unknown())
        }
    }

    public func encode(to writer: inout WireWriter) throws(WireError) {
        TLVStreamWriter(unknown: unknownRecords).write(to: &writer)
    }

    public var fields: [WireField] { unknownRecords.map(\.field) }

    /// Sets a record of unknown type from text: `65537=0a0b` (`none` removes it).
    public mutating func assign(_ field: String, _ text: String) throws(AssignmentError) {
        guard let type = UInt64(field) else { throw AssignmentError(field, "no such field or TLV record") }
        try assignUnknown(type, text, field)
    }
}

/// A message's TLV extension, decoded into its known records plus unknown odd ones.
public protocol TLVStream: Hashable, Sendable {
    init(from reader: inout WireReader) throws(WireError)
    func encode(to writer: inout WireWriter) throws(WireError)
    /// Records by spec name (unknown ones by type number), in type order.
    var fields: [WireField] { get }
    var unknownRecords: [TLVRecord] { get set }
}
