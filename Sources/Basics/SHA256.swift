import Crypto

/// SHA-256 of `bytes`: lntrace's one hash helper, for BOLT #8's handshake hash, BOLT #2's
/// payment hashes and channel ids, BOLT #3's transaction ids and key tweaks, and the
/// deterministic keys of `lntrace synth`.
public func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
    var hasher = SHA256()
    let hashed: Void? = bytes.withContiguousStorageIfAvailable { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    if hashed == nil {
        Array(bytes).withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }
    return Array(hasher.finalize())
}
