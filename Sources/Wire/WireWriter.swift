/// Appends BOLT #1 fundamental types to a growing byte buffer.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeU8(_ value: UInt8) { bytes.append(value) }
    public mutating func writeU16(_ value: UInt16) { writeBigEndian(UInt64(value), 2) }
    public mutating func writeU32(_ value: UInt32) { writeBigEndian(UInt64(value), 4) }
    public mutating func writeU64(_ value: UInt64) { writeBigEndian(value, 8) }
    public mutating func writeS64(_ value: Int64) { writeBigEndian(UInt64(bitPattern: value), 8) }

    /// A big-endian two's complement integer of `width` bytes (`s8`…`s64`, BOLT #1 Appendix D).
    public mutating func writeSigned(_ value: Int64, width: Int) {
        writeBigEndian(UInt64(bitPattern: value), width)
    }

    @inline(__always)
    mutating func writeBigEndian(_ value: UInt64, _ width: Int) {
        var shift = (width - 1) * 8
        while shift >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    public mutating func writeBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        bytes.append(contentsOf: data)
    }

    /// Writes `data`, which must be exactly `count` bytes (a fixed-size field such as `1366*byte`).
    public mutating func writeFixed(_ data: [UInt8], count: Int, _ field: String) throws(WireError) {
        guard data.count == count else {
            throw WireError(.wrongFixedLength(count: data.count, expected: count), field: field, offset: bytes.count)
        }
        bytes.append(contentsOf: data)
    }

    /// Writes a `u16` count or length prefix, checking that `count` fits.
    public mutating func writeU16Count(_ count: Int, _ field: String) throws(WireError) {
        guard count <= Int(UInt16.max) else {
            throw WireError(.lengthOutOfRange(count: count, maximum: Int(UInt16.max)), field: field, offset: bytes.count)
        }
        writeU16(UInt16(count))
    }

    /// A minimally encoded BigSize (BOLT #1 Appendix A).
    public mutating func writeBigSize(_ value: UInt64) {
        switch value {
        case ..<0xfd:
            writeU8(UInt8(value))
        case ..<0x1_0000:
            writeU8(0xfd)
            writeBigEndian(value, 2)
        case ..<0x1_0000_0000:
            writeU8(0xfe)
            writeBigEndian(value, 4)
        default:
            writeU8(0xff)
            writeBigEndian(value, 8)
        }
    }

    /// A truncated integer: the big-endian value with leading zero bytes omitted.
    public mutating func writeTruncated(_ value: UInt64) {
        let width = (64 - value.leadingZeroBitCount + 7) / 8
        writeBigEndian(value, width)
    }
}
