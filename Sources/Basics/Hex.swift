/// Lowercase hexadecimal encoding and decoding of byte strings: lntrace's one hex codec.
///
/// Every byte string lntrace prints (JSON, text) is lowercase hex, the form the BOLTs and
/// every Lightning implementation use in logs and test vectors; every hex text it reads (key
/// logs, node logs, hex dumps, scenarios) is decoded here. Decoding is a hot path of the log
/// parsers: it works on UTF-8 bytes through a table, never through `Character`s or
/// Foundation, and the generic entry points are inlinable so that callers in other modules
/// get them specialised for their `Substring` or buffer.
public enum Hex {
    /// The digits, lowercase.
    @usableFromInline
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Each byte's value as a hex digit (either case), or 0xff.
    @usableFromInline
    static let nibbles: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(byte) &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt8(byte) &- UInt8(ascii: "A") &+ 10
        default: 0xff
        }
    }

    // MARK: Encoding

    /// Encodes `bytes` as lowercase hex.
    @inlinable
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let count = bytes.count * 2
        return String(unsafeUninitializedCapacity: count) { buffer in
            write(bytes, into: buffer)
            return count
        }
    }

    /// Appends `bytes` as lowercase hex digits (no quotes) to `output`.
    @inlinable
    public static func append(_ bytes: some Collection<UInt8>, to output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bytes.count * 2))
        output.withUnsafeMutableBufferPointer { buffer in
            write(bytes, into: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Writes the digits of `bytes` into `buffer`, which holds exactly two bytes per byte.
    @inlinable
    static func write(_ bytes: some Collection<UInt8>, into buffer: UnsafeMutableBufferPointer<UInt8>) {
        digits.withUnsafeBufferPointer { digits in
            var i = 0
            for byte in bytes {
                buffer[i] = digits[Int(byte >> 4)]
                buffer[i + 1] = digits[Int(byte & 0x0f)]
                i += 2
            }
        }
    }

    /// The lowercase digit of a value below 16 (`\u00XX` escapes, for example).
    @inlinable
    public static func digit(_ value: UInt8) -> UInt8 {
        digits[Int(value & 0x0f)]
    }

    // MARK: Decoding

    /// Decodes hex text (either case). Returns `nil` on an odd length or a non-hex character.
    @inlinable
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: text.utf8)
    }

    /// Decodes hex from UTF-8 bytes (either case). Returns `nil` on an odd length or a
    /// non-hex byte. Contiguous bytes (a native `String` or `Substring`, an array, a buffer)
    /// are decoded in place, without a copy.
    @inlinable
    public static func decode(utf8: some Collection<UInt8>) -> [UInt8]? {
        if let fast = utf8.withContiguousStorageIfAvailable({ decode(buffer: $0) }) {
            return fast
        }
        return Array(utf8).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    /// The hot path: contiguous bytes, decoded through a table into an uninitialised array.
    @usableFromInline
    static func decode(buffer: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard buffer.count % 2 == 0 else { return nil }
        var valid = true
        let out = nibbles.withUnsafeBufferPointer { nibbles in
            [UInt8](unsafeUninitializedCapacity: buffer.count / 2) { out, count in
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
        }
        return valid ? out : nil
    }

    /// Whether `byte` is a hex digit (either case). Arithmetic rather than the table: the
    /// log parsers classify every byte of a hex line with it.
    @inlinable
    public static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    /// How many hex digits `utf8` starts with.
    @inlinable
    public static func digitCount(prefixing utf8: some Collection<UInt8>) -> Int {
        var count = 0
        for byte in utf8 {
            guard isDigit(byte) else { break }
            count += 1
        }
        return count
    }
}

extension Array where Element == UInt8 {
    /// Decodes hex text (either case); `nil` if it is not valid hex.
    @inlinable
    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self = bytes
    }

    /// The bytes as lowercase hex.
    @inlinable
    public var hex: String { Hex.encode(self) }
}

extension ArraySlice where Element == UInt8 {
    /// The bytes as lowercase hex.
    @inlinable
    public var hex: String { Hex.encode(self) }
}
