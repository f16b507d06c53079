import Crypto
import Foundation

/// BOLT #8 HKDF: RFC 5869 HKDF-SHA256 with an empty `info` and 64 bytes of output, split
/// into two 32-byte halves (BOLT #8 §"Handshake State").
public func hkdf(salt: [UInt8], ikm: [UInt8]) -> (first: [UInt8], second: [UInt8]) {
    let prk = HMAC<SHA256>.authenticationCode(for: ikm, using: SymmetricKey(data: salt))
    let prkKey = SymmetricKey(data: Data(prk))
    let t1 = Array(HMAC<SHA256>.authenticationCode(for: [1], using: prkKey))
    let t2 = Array(HMAC<SHA256>.authenticationCode(for: t1 + [2], using: prkKey))
    return (t1, t2)
}

/// The 96-bit ChaCha20-Poly1305 nonce of BOLT #8: four zero bytes, then the 64-bit
/// counter little-endian (the Noise convention).
func nonce(_ n: UInt64) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 12)
    for i in 0..<8 { bytes[4 + i] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(i))) }
    return bytes
}

/// Why a transport frame could not be decrypted.
public enum TransportError: Error, Hashable, Sendable {
    /// The Poly1305 tag did not verify: a wrong key, a lost or corrupted segment, or a
    /// desynchronised stream (BOLT #8 §"Receiving and Decrypting Messages").
    case badTag
    /// Fewer bytes than a tag.
    case tooShort
    /// The key rotated and the key log has no key for the new epoch.
    case noKey
}

/// One direction's transport cipher: key, chaining key and nonce, with the key rotation
/// of BOLT #8 §"Lightning Message Key Rotation" (after every 1000 nonces, i.e. every 500
/// messages, `ck', k' = HKDF(ck, k)`).
///
/// Without a chaining key (a key log that gives only per-epoch keys) the cipher cannot
/// derive the next key itself: after nonce 999 it ``needsKey`` until ``rekey(_:)``.
public struct CipherState: Sendable {
    public private(set) var key: [UInt8]
    public private(set) var chainingKey: [UInt8]?
    /// The next nonce to use, counted within the current key.
    public private(set) var nonce: UInt64
    /// How many times the key has rotated.
    public private(set) var epoch: Int
    /// Set when the key rotated but no chaining key was known to derive the next one.
    public private(set) var needsKey = false
    /// Whether the key rotates after nonce 999, as BOLT #8 says; cleared to follow (or, in
    /// synth, to be) a sender that keeps its first key (`tr-rotation`).
    public var rotates = true
    /// The AEAD under `key`, made once per key and shared by copies; `nil` for a key that is
    /// not 32 bytes (nothing then decrypts).
    private var aead: ChaCha20Poly1305?

    public init(key: [UInt8], chainingKey: [UInt8]?, nonce: UInt64 = 0, epoch: Int = 0) {
        self.key = key
        self.chainingKey = chainingKey
        self.nonce = nonce
        self.epoch = epoch
        self.aead = ChaCha20Poly1305(key: key)
    }

    /// A cipher whose first key must come from a key-log line (found by the tag of the first
    /// length frame).
    public static func awaitingKey() -> CipherState {
        var cipher = CipherState(key: [UInt8](repeating: 0, count: 32), chainingKey: nil)
        cipher.needsKey = true
        return cipher
    }

    /// The key of the next epoch (`ck', k' = HKDF(ck, k)`), if the chaining key is known.
    public func nextEpoch() -> CipherState? {
        guard let chainingKey else { return nil }
        let (ck, k) = hkdf(salt: chainingKey, ikm: key)
        return CipherState(key: k, chainingKey: ck, nonce: 0, epoch: epoch + 1)
    }

    /// Starts a new epoch with a key found elsewhere (a key-log line).
    public mutating func rekey(_ newKey: [UInt8]) {
        key = newKey
        aead = ChaCha20Poly1305(key: newKey)
        nonce = 0
        needsKey = false
    }

    /// The same key at another nonce (trial decryption).
    public func at(nonce: UInt64) -> CipherState {
        var copy = self
        copy.nonce = nonce
        return copy
    }

    private mutating func advance() {
        nonce += 1
        if nonce == 1000 && rotates {
            if let next = nextEpoch() {
                self = next
            } else {
                nonce = 0
                epoch += 1
                needsKey = true
            }
        }
    }

    /// Encrypts `plaintext` with the current key and nonce (empty associated data), then
    /// advances the nonce.
    public mutating func encrypt(_ plaintext: [UInt8]) -> [UInt8] {
        defer { advance() }
        guard let aead else { return [] }
        return plaintext.withUnsafeBytes { aead.seal(nonce: nonce, $0) }
    }

    /// Decrypts `ciphertext` (including its 16-byte tag) with the current key and nonce,
    /// advancing the nonce only on success.
    public mutating func decrypt(_ ciphertext: some Collection<UInt8>) throws(TransportError) -> [UInt8] {
        guard ciphertext.count >= ChaCha20Poly1305.tagSize else { throw .tooShort }
        guard !needsKey else { throw .noKey }
        let nonce = nonce
        let plaintext =
            ciphertext.withContiguousStorageIfAvailable { aead?.open(nonce: nonce, UnsafeRawBufferPointer($0)) }
            ?? Array(ciphertext).withUnsafeBytes { aead?.open(nonce: nonce, $0) }
        guard let plaintext else { throw .badTag }
        advance()
        return plaintext
    }

    /// Decrypts an 18-byte length frame (BOLT #8 §"Receiving and Decrypting Messages":
    /// the 2-byte big-endian length and its tag) without allocating, advancing the nonce
    /// only on success.
    public mutating func decryptLength(_ header: ArraySlice<UInt8>) throws(TransportError) -> Int {
        guard header.count == 2 + ChaCha20Poly1305.tagSize else { throw .tooShort }
        guard !needsKey else { throw .noKey }
        guard let aead else { throw .badTag }
        var length: UInt16 = 0
        let nonce = nonce
        let opened = header.withUnsafeBytes { input in
            withUnsafeMutableBytes(of: &length) { aead.open(nonce: nonce, input, into: $0) }
        }
        guard opened else { throw .badTag }
        advance()
        return Int(UInt16(bigEndian: length))
    }

    /// Encrypts one Lightning message as a BOLT #8 packet: the encrypted 2-byte length with
    /// its tag (18 bytes), then the encrypted message with its tag.
    public mutating func encryptMessage(_ message: [UInt8]) -> [UInt8] {
        let length = UInt16(truncatingIfNeeded: message.count)
        return encrypt([UInt8(length >> 8), UInt8(length & 0xff)]) + encrypt(message)
    }
}
