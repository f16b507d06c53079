/// A decoded field value in a form every report can render: JSON, text, filters.
///
/// Byte strings render as lowercase hex, integers as numbers, `short_channel_id` as
/// `BLOCKxTXxOUTPUT`, arrays and records (subtypes, TLV records) as nested values.
public indirect enum FieldValue: Hashable, Sendable {
    case unsigned(UInt64)
    case signed(Int64)
    case bytes([UInt8])
    case shortChannelID(ShortChannelID)
    case array([FieldValue])
    case record([WireField])
}

/// One named field, named exactly as the spec writes it (`amount_msat`, `payment_hash`, …).
public struct WireField: Hashable, Sendable {
    public var name: String
    public var value: FieldValue

    public init(_ name: String, _ value: FieldValue) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: some FixedSizeBytes) {
        self.init(name, .bytes(value.bytes))
    }

    public init(_ name: String, _ value: ShortChannelID) {
        self.init(name, .shortChannelID(value))
    }

    public init(_ name: String, _ value: some UnsignedInteger) {
        self.init(name, .unsigned(UInt64(value)))
    }
}

extension Array where Element == WireField {
    /// The value of the field called `name`, if any.
    public subscript(name: String) -> FieldValue? {
        first { $0.name == name }?.value
    }
}
