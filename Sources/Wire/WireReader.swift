/// A cursor over the bytes of one message, reading BOLT #1 fundamental types.
///
/// Reads either return a value and advance, or throw a ``WireError`` that names the field
/// and the byte offset; they never read past `end`. A reader made by ``subReader(length:field:)``
/// shares the message's storage, so offsets stay relative to the start of the message.
public struct WireReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var position: Int
    public let end: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    init(bytes: [UInt8], position: Int, end: Int) {
        self.bytes = bytes
        self.position = position
        self.end = end
    }

    /// Bytes left before `end`.
    @inlinable public var remaining: Int { end - position }
    @inlinable public var isAtEnd: Bool { position >= end }

    @inline(__always)
    mutating func need(_ count: Int, _ field: String) throws(WireError) {
        if count > end - position {
            throw WireError(.truncated(needed: count, available: end - position), field: field, offset: position)
        }
    }

    public mutating func readU8(_ field: String) throws(WireError) -> UInt8 {
        try need(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func readU16(_ field: String) throws(WireError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readBigEndian(2, field))
    }

    public mutating func readU32(_ field: String) throws(WireError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readBigEndian(4, field))
    }

    public mutating func readU64(_ field: String) throws(WireError) -> UInt64 {
        try readBigEndian(8, field)
    }

    /// `s64`: big-endian two's complement (BOLT #1 Appendix D).
    public mutating func readS64(_ field: String) throws(WireError) -> Int64 {
        Int64(bitPattern: try readBigEndian(8, field))
    }

    /// A big-endian two's complement integer of `width` bytes (`s8`…`s64`, BOLT #1 Appendix D).
    public mutating func readSigned(width: Int, _ field: String) throws(WireError) -> Int64 {
        let raw = try readBigEndian(width, field)
        let shift = UInt64(64 - width * 8)
        return Int64(bitPattern: raw << shift) >> Int64(shift)
    }

    @inline(__always)
    mutating func readBigEndian(_ width: Int, _ field: String) throws(WireError) -> UInt64 {
        try need(width, field)
        var value: UInt64 = 0
        for i in position..<(position + width) {
            value = value << 8 | UInt64(bytes[i])
        }
        position += width
        return value
    }

    /// Exactly `count` bytes.
    public mutating func readBytes(_ count: Int, _ field: String) throws(WireError) -> [UInt8] {
        try need(count, field)
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// Everything up to `end`.
    public mutating func readRemaining() -> [UInt8] {
        defer { position = end }
        return Array(bytes[position..<end])
    }

    /// A BigSize (BOLT #1 Appendix A), rejecting non-minimal encodings.
    public mutating func readBigSize(_ field: String) throws(WireError) -> UInt64 {
        let start = position
        let prefix = try readU8(field)
        let value: UInt64
        let minimum: UInt64
        switch prefix {
        case 0xff:
            value = try readBigEndian(8, field)
            minimum = 0x1_0000_0000
        case 0xfe:
            value = try readBigEndian(4, field)
            minimum = 0x1_0000
        case 0xfd:
            value = try readBigEndian(2, field)
            minimum = 0xfd
        default:
            return UInt64(prefix)
        }
        if value < minimum {
            throw WireError(.nonMinimalBigSize(value: value), field: field, offset: start)
        }
        return value
    }

    /// A truncated integer (`tu16`/`tu32`/`tu64`) filling the rest of the reader: at most
    /// `maxBytes` bytes, with no leading zero byte (BOLT #1 §"Fundamental Types").
    public mutating func readTruncated(maxBytes: Int, _ field: String) throws(WireError) -> UInt64 {
        let length = remaining
        if length > maxBytes {
            throw WireError(.truncatedIntTooLong(length: length, maximum: maxBytes), field: field, offset: position)
        }
        if length > 0, bytes[position] == 0 {
            throw WireError(.nonMinimalTruncatedInt, field: field, offset: position)
        }
        return try readBigEndian(length, field)
    }

    /// A reader over the next `length` bytes; this reader moves past them.
    public mutating func subReader(length: Int, _ field: String) throws(WireError) -> WireReader {
        try need(length, field)
        let sub = WireReader(bytes: bytes, position: position, end: position + length)
        position += length
        return sub
    }

    /// Reads `count` consecutive elements with `element`; an error names the element's index.
    public mutating func readArray<T>(
        count: Int, _ field: String, _ element: (inout WireReader) throws(WireError) -> T
    ) throws(WireError) -> [T] {
        var out = [T]()
        out.reserveCapacity(min(count, remaining))
        for i in 0..<count {
            do {
                out.append(try element(&self))
            } catch {
                throw error.within("\(field)[\(i)]")
            }
        }
        return out
    }

    /// Reads elements of `elementSize` bytes up to the end; no partial element may remain.
    public mutating func readArrayToEnd<T>(
        elementSize: Int, _ field: String, _ element: (inout WireReader) throws(WireError) -> T
    ) throws(WireError) -> [T] {
        let leftover = remaining % elementSize
        if leftover != 0 {
            throw WireError(.arrayRemainder(elementSize: elementSize, remainder: leftover), field: field, offset: position)
        }
        return try readArray(count: remaining / elementSize, field, element)
    }
}
