/// Lowercase hexadecimal encoding and decoding of byte strings.
///
/// Every byte string lntrace prints (JSON, text) is lowercase hex, the form the BOLTs and
/// every Lightning implementation use in logs and test vectors.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Encodes `bytes` as lowercase hex.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let count = bytes.count * 2
        return String(unsafeUninitializedCapacity: count) { buffer in
            var i = 0
            for byte in bytes {
                buffer[i] = digits[Int(byte >> 4)]
                buffer[i + 1] = digits[Int(byte & 0x0f)]
                i += 2
            }
            return count
        }
    }

    /// Decodes hex text (either case). Returns `nil` on an odd length or a non-hex character.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        decode(utf8: text.utf8)
    }

    /// Decodes hex from UTF-8 bytes (either case). Returns `nil` on an odd length or a non-hex byte.
    public static func decode<C: Collection>(utf8: C) -> [UInt8]? where C.Element == UInt8 {
        if let fast = utf8.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return fast }
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var high: UInt8 = 0
        var haveHigh = false
        for c in utf8 {
            guard let v = nibble(c) else { return nil }
            if haveHigh {
                out.append(high << 4 | v)
            } else {
                high = v
            }
            haveHigh.toggle()
        }
        return out
    }

    /// The hot path: contiguous bytes, decoded through a table into an uninitialised array.
    static func decode(buffer: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard buffer.count % 2 == 0 else { return nil }
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: buffer.count / 2) { out, count in
            for index in 0..<(buffer.count / 2) {
                let high = nibbles[Int(buffer[2 * index])], low = nibbles[Int(buffer[2 * index + 1])]
                if high | low > 0x0f {
                    valid = false
                    break
                }
                out[index] = high << 4 | low
            }
            count = valid ? buffer.count / 2 : 0
        }
        return valid ? out : nil
    }

    /// Each byte's value as a hex digit, or 0xff.
    static let nibbles: [UInt8] = (0...255).map { nibble(UInt8($0)) ?? 0xff }

    @inline(__always)
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }
}

extension Array where Element == UInt8 {
    /// Decodes hex text; `nil` if it is not valid hex.
    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self = bytes
    }

    /// The bytes as lowercase hex.
    public var hex: String { Hex.encode(self) }
}

extension ArraySlice where Element == UInt8 {
    /// The bytes as lowercase hex.
    public var hex: String { Hex.encode(self) }
}
