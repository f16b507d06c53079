import Basics

/// SHA-256 of bytes as lowercase hex, for comparing messages with fixtures that list hashes.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    Hex.encode(sha256(bytes))
}
