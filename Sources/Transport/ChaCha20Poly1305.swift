// swift-crypto's `ChaChaPoly` takes and returns `Data` and builds a BoringSSL context per
// call: in a capture's frame path that cost about a quarter of `lntrace stats` (memory
// management and exclusivity checks of `Data`, against 4.7% for the cipher itself). This
// file calls the same BoringSSL AEAD through the module swift-crypto builds it in, with
// one context per key and the caller's buffers. `ChaCha20Poly1305Tests` checks it against
// `ChaChaPoly` on every length a frame can have.
import CCryptoBoringSSL

/// ChaCha20-Poly1305 (RFC 8439) under one 32-byte key, with the BOLT #8 nonce (four zero
/// bytes, then the 64-bit counter little-endian: BOLT #8 §"Encrypting and Sending
/// Messages") and empty associated data.
///
/// Immutable once made: `open` and `seal` only read the context, so one instance may be
/// shared by copies of a cipher and used from several threads.
final class ChaCha20Poly1305: @unchecked Sendable {
    static let tagSize = 16
    /// Allocated once and only read after `init` (BoringSSL's open and seal take it `const`):
    /// a pointer, so that no call goes through Swift's exclusivity checks on a stored property.
    private let context: UnsafeMutablePointer<EVP_AEAD_CTX>

    /// `nil` unless `key` is 32 bytes.
    init?(key: [UInt8]) {
        context = .allocate(capacity: 1)
        CCryptoBoringSSL_EVP_AEAD_CTX_zero(context)
        let context = context
        let ok =
            key.count == 32
            && key.withUnsafeBufferPointer { key in
                CCryptoBoringSSL_EVP_AEAD_CTX_init(context, CCryptoBoringSSL_EVP_aead_chacha20_poly1305(), key.baseAddress, 32, Self.tagSize, nil)
                    == 1
            }
        // A failed init still runs `deinit` (every property is set), which frees the context:
        // cleaning up a zeroed context does nothing.
        guard ok else { return nil }
    }

    deinit {
        CCryptoBoringSSL_EVP_AEAD_CTX_cleanup(context)
        context.deallocate()
    }

    /// Authenticates and decrypts `input` (ciphertext ‖ 16-byte tag) into `output`, which
    /// must hold `input.count - 16` bytes. Returns `false` if the tag does not verify.
    func open(nonce: UInt64, _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard input.count >= Self.tagSize, output.count >= input.count - Self.tagSize else { return false }
        var written = 0
        return withNonce(nonce) { nonce in
            CCryptoBoringSSL_EVP_AEAD_CTX_open(
                context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, output.count,
                nonce, 12, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, nil, 0) == 1
        }
    }

    /// Encrypts `input` into `output` (ciphertext ‖ tag), which must hold `input.count + 16`
    /// bytes.
    func seal(nonce: UInt64, _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard output.count >= input.count + Self.tagSize else { return false }
        var written = 0
        return withNonce(nonce) { nonce in
            CCryptoBoringSSL_EVP_AEAD_CTX_seal(
                context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, output.count,
                nonce, 12, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, nil, 0) == 1
        }
    }

    /// Decrypts `input` (ciphertext ‖ tag) into a new array; `nil` if the tag does not verify.
    func open(nonce: UInt64, _ input: UnsafeRawBufferPointer) -> [UInt8]? {
        guard input.count >= Self.tagSize else { return nil }
        var ok = false
        let plaintext = [UInt8](unsafeUninitializedCapacity: input.count - Self.tagSize) { buffer, count in
            ok = open(nonce: nonce, input, into: UnsafeMutableRawBufferPointer(buffer))
            count = ok ? buffer.count : 0
        }
        return ok ? plaintext : nil
    }

    /// Encrypts `input` into a new array (ciphertext ‖ tag).
    /// (Sealing cannot fail for a buffer of the right size: the array is then whole.)
    func seal(nonce: UInt64, _ input: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: input.count + Self.tagSize) { buffer, count in
            count = seal(nonce: nonce, input, into: UnsafeMutableRawBufferPointer(buffer)) ? buffer.count : 0
        }
    }

    private func withNonce<R>(_ counter: UInt64, _ body: (UnsafePointer<UInt8>?) -> R) -> R {
        // Four zero bytes, then the counter little-endian: three 32-bit words, 12 bytes.
        var nonce: (UInt32, UInt32, UInt32) = (
            0, UInt32(truncatingIfNeeded: counter).littleEndian, UInt32(truncatingIfNeeded: counter >> 32).littleEndian
        )
        return withUnsafeBytes(of: &nonce) { body($0.bindMemory(to: UInt8.self).baseAddress) }
    }
}
