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
        if let payload { return Swift.type(of: payload).name }
        return Message.name(ofType: type)
    }

    public var type: UInt16 {
        if let payload { return Swift.type(of: payload).type }
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
