import Crypto
import Foundation
import Testing

@testable import Transport

/// The frame path's AEAD against swift-crypto's `ChaChaPoly` (the same cipher through its
/// public API): equal ciphertexts and tags for every frame length a message can need and
/// for nonces above 2³², and no plaintext for any altered byte.
struct ChaCha20Poly1305Tests {
    /// A reproducible byte stream (SplitMix64), so a failure names the same inputs again.
    struct Bytes {
        var state: UInt64
        mutating func next(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return UInt8(truncatingIfNeeded: z ^ (z >> 31))
            }
        }
    }

    static func reference(key: [UInt8], nonce: UInt64, _ plaintext: [UInt8]) throws -> [UInt8] {
        var nonceBytes: [UInt8] = [0, 0, 0, 0]
        for i in 0..<8 { nonceBytes.append(UInt8(truncatingIfNeeded: nonce >> (8 * UInt64(i)))) }
        let box = try ChaChaPoly.seal(plaintext, using: SymmetricKey(data: key), nonce: ChaChaPoly.Nonce(data: nonceBytes))
        return Array(box.ciphertext) + Array(box.tag)
    }

    @Test(arguments: Array(0...80) + [255, 256, 1000, 65535])
    func sealsAndOpensAsChaChaPoly(length: Int) throws {
        var bytes = Bytes(state: UInt64(length))
        let key = bytes.next(32)
        let plaintext = bytes.next(length)
        let aead = try #require(ChaCha20Poly1305(key: key))
        for nonce: UInt64 in [0, 1, 999, 0x1_0000_0001, .max] {
            let expected = try Self.reference(key: key, nonce: nonce, plaintext)
            let sealed = plaintext.withUnsafeBytes { aead.seal(nonce: nonce, $0) }
            #expect(sealed == expected, "length \(length), nonce \(nonce)")
            #expect(expected.withUnsafeBytes { aead.open(nonce: nonce, $0) } == plaintext)
            // Any altered byte, or another nonce, opens nothing.
            var altered = expected
            altered[length % altered.count] ^= 0x01
            #expect(altered.withUnsafeBytes { aead.open(nonce: nonce, $0) } == nil)
            #expect(expected.withUnsafeBytes { aead.open(nonce: nonce &+ 1, $0) } == nil)
        }
    }

    @Test func keysOfOtherSizesMakeNoCipher() {
        #expect(ChaCha20Poly1305(key: []) == nil)
        #expect(ChaCha20Poly1305(key: [UInt8](repeating: 1, count: 31)) == nil)
        #expect(ChaCha20Poly1305(key: [UInt8](repeating: 1, count: 33)) == nil)
    }

    @Test func tooShortInputOpensNothing() throws {
        let aead = try #require(ChaCha20Poly1305(key: [UInt8](repeating: 7, count: 32)))
        #expect([UInt8](repeating: 0, count: 15).withUnsafeBytes { aead.open(nonce: 0, $0) } == nil)
    }

    /// A length frame decrypts without an array, to the length the sender encrypted, and a
    /// failed one leaves the nonce where it was.
    @Test func lengthFramesDecryptInPlace() throws {
        var bytes = Bytes(state: 42)
        let key = bytes.next(32)
        var sender = CipherState(key: key, chainingKey: nil)
        var receiver = CipherState(key: key, chainingKey: nil)
        for length in [0, 1, 255, 256, 65535] {
            let packet = sender.encryptMessage([UInt8](repeating: 0xab, count: length))
            var corrupt = packet
            corrupt[3] ^= 0x80
            #expect(throws: TransportError.badTag) { try receiver.decryptLength(corrupt[0..<18]) }
            #expect(try receiver.decryptLength(packet[0..<18]) == length)
            #expect(try receiver.decrypt(packet[18...]) == [UInt8](repeating: 0xab, count: length))
        }
        #expect(throws: TransportError.tooShort) { try receiver.decryptLength([0, 1][...]) }
    }
}
