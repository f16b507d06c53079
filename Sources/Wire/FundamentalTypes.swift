import Basics

/// A fixed-size byte string from BOLT #1 §"Fundamental Types" (`chain_hash`, `channel_id`,
/// `sha256`, `point`, `signature`). The bytes are kept exactly as on the wire; whether a
/// `point` is on the curve or a `signature` is valid is a rule's question, not the codec's.
public protocol FixedSizeBytes: Hashable, Sendable, CustomStringConvertible {
    static var size: Int { get }
    var bytes: [UInt8] { get }
    /// Wraps `bytes`, which the caller guarantees are exactly `size` long.
    init(unchecked bytes: [UInt8])
}

extension FixedSizeBytes {
    /// Wraps `bytes` if they are exactly `size` long.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.size else { return nil }
        self.init(unchecked: bytes)
    }

    /// Parses `size` bytes of hex.
    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes)
    }

    /// All-zero bytes (for example the connection-wide `channel_id` of `error`).
    public static var zero: Self { Self(unchecked: [UInt8](repeating: 0, count: size)) }

    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// The bytes hashed as one block (an array's own hash feeds the hasher a byte at a time,
    /// which made a channel id lookup cost more than the message it was for).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.bytes == rhs.bytes }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    public init(from reader: inout WireReader, _ field: String) throws(WireError) {
        self.init(unchecked: try reader.readBytes(Self.size, field))
    }

    public func encode(to writer: inout WireWriter) {
        writer.writeBytes(bytes)
    }
}

/// `chain_hash`: a 32-byte chain identifier (the genesis block hash, BOLT #0).
public struct ChainHash: FixedSizeBytes {
    public static let size = 32
    public let bytes: [UInt8]
    public init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Bitcoin mainnet's genesis hash in the byte order the BOLTs use on the wire.
    public static let bitcoin = ChainHash(unchecked: Hex.decode("6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000") ?? [])
}

/// `channel_id`: a 32-byte channel identifier (BOLT #2 §"Definition of `channel_id`").
public struct ChannelID: FixedSizeBytes {
    public static let size = 32
    public let bytes: [UInt8]
    public init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// The v1 `channel_id`: the funding txid (as carried on the wire) with the big-endian
    /// funding output index XORed into its last two bytes (BOLT #2 §"Definition of `channel_id`").
    public init(fundingTxid: SHA256Hash, outputIndex: UInt16) {
        var bytes = fundingTxid.bytes
        bytes[30] ^= UInt8(outputIndex >> 8)
        bytes[31] ^= UInt8(outputIndex & 0xff)
        self.bytes = bytes
    }
}

/// `sha256`: a 32-byte SHA-256 hash (also used for txids).
public struct SHA256Hash: FixedSizeBytes {
    public static let size = 32
    public let bytes: [UInt8]
    public init(unchecked bytes: [UInt8]) { self.bytes = bytes }
}

/// `point`: a 33-byte compressed secp256k1 point (SEC 1 §2.3.3).
///
/// Decoding checks the compressed-form prefix (`02` or `03`), which the BOLT #1 Appendix B
/// vectors require of a decoder; whether the x-coordinate is on the curve needs
/// secp256k1 and is left to the rules.
public struct Point: FixedSizeBytes {
    public static let size = 33
    public let bytes: [UInt8]
    public init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// The secp256k1 generator G, a valid placeholder point.
    public static let generator = Point(
        unchecked: Hex.decode("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798") ?? [])

    public init(from reader: inout WireReader, _ field: String) throws(WireError) {
        let start = reader.position
        let bytes = try reader.readBytes(Self.size, field)
        guard bytes[0] == 2 || bytes[0] == 3 else {
            throw WireError(.invalidPointPrefix(bytes[0]), field: field, offset: start)
        }
        self.bytes = bytes
    }
}

/// `signature`: a 64-byte compact ECDSA signature (`r` ‖ `s`).
public struct Signature: FixedSizeBytes {
    public static let size = 64
    public let bytes: [UInt8]
    public init(unchecked bytes: [UInt8]) { self.bytes = bytes }
}

/// `short_channel_id`: block height (3 bytes), transaction index (3 bytes) and output index
/// (2 bytes) of the funding output (BOLT #7 §"Definition of `short_channel_id`").
public struct ShortChannelID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(block: UInt32, transaction: UInt32, output: UInt16) {
        rawValue = UInt64(block & 0xff_ffff) << 40 | UInt64(transaction & 0xff_ffff) << 16 | UInt64(output)
    }

    /// Parses the usual `BLOCKxTXxOUTPUT` form (for example `539268x845x1`).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let block = UInt32(parts[0]), block <= 0xff_ffff,
            let tx = UInt32(parts[1]), tx <= 0xff_ffff,
            let out = UInt16(parts[2])
        else { return nil }
        self.init(block: block, transaction: tx, output: out)
    }

    public var block: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 40) }
    public var transaction: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 16) & 0xff_ffff }
    public var output: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public var description: String { "\(block)x\(transaction)x\(output)" }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public init(from reader: inout WireReader, _ field: String) throws(WireError) {
        rawValue = try reader.readU64(field)
    }

    public func encode(to writer: inout WireWriter) {
        writer.writeU64(rawValue)
    }
}
