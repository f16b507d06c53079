import Basics

/// Why a message, TLV stream or field could not be decoded or encoded.
///
/// Each case names a requirement of BOLT #1 §"Lightning Message Format",
/// §"Type-Length-Value Format" or §"Fundamental Types".
public enum WireErrorKind: Hashable, Sendable {
    /// Fewer bytes remain than the field needs ("a known message with insufficient length").
    case truncated(needed: Int, available: Int)
    /// A message shorter than its 2-byte type.
    case missingType
    /// A message longer than the 65535 bytes the transport can carry.
    case messageTooLong(length: Int)
    /// A BigSize that could have been encoded in fewer bytes.
    case nonMinimalBigSize(value: UInt64)
    /// A truncated integer (`tu16`/`tu32`/`tu64`) with a leading zero byte, or longer than its type.
    case nonMinimalTruncatedInt
    case truncatedIntTooLong(length: Int, maximum: Int)
    /// A TLV record whose type is not strictly greater than the previous record's.
    case tlvNotIncreasing(previous: UInt64, type: UInt64)
    /// A TLV record of the same type as the previous one.
    case tlvDuplicate(type: UInt64)
    /// A TLV record of an unknown even type ("it's ok to be odd").
    case tlvUnknownEven(type: UInt64)
    /// A TLV `length` beyond the end of the stream.
    case tlvLengthOverrun(type: UInt64, length: UInt64, available: Int)
    /// A known TLV record whose value has bytes left after its known encoding.
    case tlvValueTooLong(type: UInt64, extra: Int)
    /// A `point` whose first byte is not the compressed-form prefix `02` or `03`.
    case invalidPointPrefix(UInt8)
    /// A fixed-length array whose elements do not fill the space exactly.
    case arrayRemainder(elementSize: Int, remainder: Int)
    /// On encoding: a value too long for its length prefix or fixed size.
    case lengthOutOfRange(count: Int, maximum: Int)
    case wrongFixedLength(count: Int, expected: Int)
}

/// A decoding or encoding failure, with where it happened.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public var kind: WireErrorKind
    /// Spec path of the field, for example `update_add_htlc.payment_hash` or
    /// `open_channel.tlvs.channel_type`.
    public var field: String
    /// Byte offset from the start of the message (type included) where the problem starts.
    public var offset: Int

    public init(_ kind: WireErrorKind, field: String, offset: Int) {
        self.kind = kind
        self.field = field
        self.offset = offset
    }

    /// The same error with `prefix` added in front of the field path.
    public func within(_ prefix: String) -> WireError {
        var copy = self
        copy.field = field.isEmpty ? prefix : prefix + "." + field
        return copy
    }

    public var description: String {
        let reason: String
        switch kind {
        case let .truncated(needed, available):
            reason = "truncated: needs \(needed) byte\(needed == 1 ? "" : "s"), \(available) left"
        case .missingType:
            reason = "message shorter than its 2-byte type"
        case let .messageTooLong(length):
            reason = "message of \(length) bytes exceeds the 65535-byte maximum"
        case let .nonMinimalBigSize(value):
            reason = "BigSize \(value) is not minimally encoded"
        case .nonMinimalTruncatedInt:
            reason = "truncated integer has a leading zero byte"
        case let .truncatedIntTooLong(length, maximum):
            reason = "truncated integer of \(length) bytes exceeds \(maximum)"
        case let .tlvNotIncreasing(previous, type):
            reason = "TLV type \(type) follows type \(previous): types must strictly increase"
        case let .tlvDuplicate(type):
            reason = "duplicate TLV type \(type)"
        case let .tlvUnknownEven(type):
            reason = "unknown even TLV type \(type)"
        case let .tlvLengthOverrun(type, length, available):
            reason = "TLV type \(type) length \(length) exceeds the \(available) bytes left"
        case let .tlvValueTooLong(type, extra):
            reason = "TLV type \(type) has \(extra) byte\(extra == 1 ? "" : "s") after its known encoding"
        case let .invalidPointPrefix(prefix):
            reason = "point prefix 0x\(Hex.encode([prefix])) is not a compressed point (02 or 03)"
        case let .arrayRemainder(elementSize, remainder):
            reason = "\(remainder) byte\(remainder == 1 ? "" : "s") left over in an array of \(elementSize)-byte elements"
        case let .lengthOutOfRange(count, maximum):
            reason = "\(count) elements exceed the maximum of \(maximum)"
        case let .wrongFixedLength(count, expected):
            reason = "\(count) bytes where exactly \(expected) are required"
        }
        let location = field.isEmpty ? "" : "\(field): "
        return "\(location)\(reason) (at byte \(offset))"
    }
}
