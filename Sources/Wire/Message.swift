/// One BOLT message type: its number, its spec name, and how its payload is read and written.
///
/// Conforming types are generated from the spec (`Scripts/wiregen.py`); each is named after
/// its message (`update_add_htlc` → ``UpdateAddHTLC``).
public protocol WireMessage: Hashable, Sendable {
    /// The message `type` (BOLT #1 §"Lightning Message Format").
    static var type: UInt16 { get }
    /// The spec name, for example `update_add_htlc`.
    static var name: String { get }
    /// The BOLT that defines the message and the section heading, for citations.
    static var section: String { get }
    /// Reads the payload that follows the 2-byte type, including the TLV extension.
    init(from reader: inout WireReader) throws(WireError)
    /// Writes the payload that follows the 2-byte type.
    func encode(to writer: inout WireWriter) throws(WireError)
    /// The message's fields in wire order, named as in the spec (TLVs excluded).
    var fields: [WireField] { get }
    /// The extension's records, named as in the spec.
    var tlvFields: [WireField] { get }
}

/// A message whose type this codec does not know, kept whole.
///
/// BOLT #1: a receiver ignores an unknown *odd* type and closes the connection on an
/// unknown *even* type; which one this is matters to the rules.
public struct UnknownMessage: Hashable, Sendable {
    public var type: UInt16
    public var payload: [UInt8]

    public init(type: UInt16, payload: [UInt8]) {
        self.type = type
        self.payload = payload
    }

    /// "It's ok to be odd": odd unknown types may be ignored by the receiver.
    public var isOdd: Bool { type & 1 == 1 }
}

extension Message {
    /// The largest message the transport carries (BOLT #1, BOLT #8).
    public static let maximumLength = 65535

    /// Decodes one message: a big-endian 2-byte `type` followed by the payload.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Message {
        guard bytes.count <= maximumLength else {
            throw WireError(.messageTooLong(length: bytes.count), field: "", offset: maximumLength)
        }
        guard bytes.count >= 2 else {
            throw WireError(.missingType, field: "type", offset: 0)
        }
        var reader = WireReader(bytes)
        let type = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        _ = try reader.readU16("type")
        do {
            return try decodePayload(type: type, &reader)
        } catch {
            throw error.within(name(ofType: type))
        }
    }

    /// The message as bytes: type then payload.
    public func encoded() throws(WireError) -> [UInt8] {
        var writer = WireWriter(capacity: 128)
        writer.writeU16(type)
        if let payload {
            do {
                try payload.encode(to: &writer)
            } catch {
                throw error.within(name)
            }
        } else if case let .unknown(message) = self {
            writer.writeBytes(message.payload)
        }
        return writer.bytes
    }

    /// The spec name of a message type, or `unknown_<type>`.
    public static func name(ofType type: UInt16) -> String {
        knownTypes[type]?.name ?? "unknown_\(type)"
    }

    public var name: String {
        kind?.name ?? Message.name(ofType: type)
    }

    public var type: UInt16 {
        if let kind { return kind.rawValue }
        if case let .unknown(message) = self { return message.type }
        return 0
    }

    /// Whether the type is one this codec knows.
    public var isKnown: Bool {
        if case .unknown = self { return false }
        return true
    }

    /// Fields in wire order, named as in the spec; an unknown message shows its raw `payload`.
    public var fields: [WireField] {
        if let payload { return payload.fields }
        if case let .unknown(message) = self { return [WireField("payload", .bytes(message.payload))] }
        return []
    }

    /// The TLV extension's records, named as in the spec.
    public var tlvFields: [WireField] {
        payload?.tlvFields ?? []
    }
}

/// A message known only in part: a node log's summary gives the type and some fields.
///
/// A field the source does not carry is absent, never zero or empty: rules that need it
/// report themselves "not evaluated" instead of guessing.
public struct PartialMessage: Hashable, Sendable {
    /// The type number, when the source gives it or names a message this codec knows.
    public var type: UInt16?
    /// The spec name, or the source's own name for a type this codec does not know.
    public var name: String
    /// The fields the source gives, typed (`.unknown` for a type this codec does not know).
    public var typed: TypedMessage
    /// The channel the source puts the message in when the message itself has no field for
    /// it (a log line's context column on a message of unknown type, say).
    public var channel: ChannelID?

    /// A message of `kind`, no field known yet.
    public init(kind: MessageKind) {
        type = kind.rawValue
        name = kind.name
        typed = TypedMessage(kind: kind)
    }

    /// A message by its type number, known to this codec or not; no field known yet.
    public init(type: UInt16) {
        self.type = type
        name = Message.name(ofType: type)
        typed = TypedMessage(kind: MessageKind(rawValue: type), type: type)
    }

    /// A message a source names (by spec name, or by its own name for a type this codec
    /// does not know), with the fields it names, converted to their types. A field the
    /// message does not have, or a value of the wrong shape, is left out.
    public init(type: UInt16?, name: String, fields: [WireField] = [], tlvFields: [WireField] = []) {
        let kind = type.flatMap(MessageKind.init(rawValue:)) ?? MessageKind(name: name)
        self.type = type ?? kind?.rawValue
        self.name = name
        typed = TypedMessage(kind: kind, type: type, named: fields, tlvs: tlvFields)
    }

    /// The message's kind; `nil` for a type this codec does not know.
    public var kind: MessageKind? { typed.kind }

    /// The fields the source gives, in wire order, named as in the spec (a view for reports).
    public var fields: [WireField] { typed.fields }

    /// The TLV records the source gives, named as in the spec.
    public var tlvFields: [WireField] { typed.tlvFields }
}

/// What a trace knows about one message.
public enum MessageContent: Hashable, Sendable {
    /// Decoded from its bytes.
    case decoded(Message)
    /// Known in part, from a log summary.
    case partial(PartialMessage)
    /// Bytes that did not decode (the type, if at least two bytes arrived).
    case undecodable(type: UInt16?, bytes: [UInt8], error: WireError)

    public var type: UInt16? {
        switch self {
        case let .decoded(message): message.type
        case let .partial(message): message.type
        case let .undecodable(type, _, _): type
        }
    }

    public var name: String {
        switch self {
        case let .decoded(message): message.name
        case let .partial(message): message.name
        case let .undecodable(type, _, _): type.map { Message.name(ofType: $0) } ?? "malformed"
        }
    }

    public var fields: [WireField] {
        switch self {
        case let .decoded(message): message.fields
        case let .partial(message): message.fields
        case .undecodable: []
        }
    }

    public var tlvFields: [WireField] {
        switch self {
        case let .decoded(message): message.tlvFields
        case let .partial(message): message.tlvFields
        case .undecodable: []
        }
    }

    public var message: Message? {
        if case let .decoded(message) = self { return message }
        return nil
    }

    /// The message's `channel_id` (or `temporary_channel_id`), where known.
    public var channelID: ChannelID? {
        switch self {
        case let .decoded(message):
            return message.channelID
        case let .partial(message):
            return message.typed.channelID ?? message.typed.temporaryChannelID ?? message.channel
        case .undecodable:
            return nil
        }
    }

    /// The message's `temporary_channel_id`, where it has one and it is known.
    public var temporaryChannelID: ChannelID? {
        switch self {
        case let .decoded(message): TypedMessage(.decoded(message)).temporaryChannelID
        case let .partial(message): message.typed.temporaryChannelID
        case .undecodable: nil
        }
    }

    /// Decodes `bytes`, keeping them with the error if they do not decode.
    public static func decoding(_ bytes: [UInt8]) -> MessageContent {
        do {
            return .decoded(try Message.decode(bytes))
        } catch {
            let type = bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : nil
            return .undecodable(type: type, bytes: bytes, error: error)
        }
    }
}
