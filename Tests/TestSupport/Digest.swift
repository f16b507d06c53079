import Crypto

/// SHA-256 of bytes as lowercase hex, for comparing messages with fixtures that list hashes.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}
