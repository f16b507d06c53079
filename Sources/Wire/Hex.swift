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
