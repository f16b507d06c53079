/// Decrypts one direction of a BOLT #8 connection, frame by frame (BOLT #8 §"Receiving and
/// Decrypting Messages"): an 18-byte encrypted length, then the encrypted message.
///
/// It reads from a buffer that starts at a frame boundary and says how many bytes a
/// complete frame used, or that it needs more: the caller keeps the bytes (and which
/// capture frames carried them) until a frame is whole.
public struct FrameDecryptor: Sendable {
    public private(set) var cipher: CipherState
    /// Per-epoch keys, for a cipher without a chaining key.
    let keyLog: KeyLog
    /// The decrypted length of the frame being read, once its header was decrypted.
    private var bodyLength: Int?
    /// Messages decrypted so far in this direction.
    public private(set) var messages = 0
    /// The cipher as it was before its latest rotation, at the nonce after (what a sender that
    /// did not rotate uses next), until a frame of the new epoch decrypts.
    private var beforeRotation: CipherState?
    /// The number of the first message that decrypted only with the key before a rotation
    /// (the sender keeps its key, against BOLT #8 §"Lightning Message Key Rotation"); the
    /// direction is followed with that key from then on.
    public private(set) var keptKeyFrom: Int?

    public init(cipher: CipherState, keyLog: KeyLog = KeyLog()) {
        self.cipher = cipher
        self.keyLog = keyLog
    }

    public enum Output: Sendable {
        /// A whole message (type included) that used `consumed` bytes of the buffer.
        case message([UInt8], consumed: Int)
        /// The buffer holds no whole frame yet; `needed` bytes in all would complete it.
        case needMore(needed: Int)
        /// The frame did not decrypt: a wrong key, lost or corrupted bytes, or a wrong epoch.
        /// `header` says whether it was the length block (18 bytes) or the body.
        case failed(TransportError, header: Bool)
    }

    public static let headerSize = 18
    public static let tagSize = 16

    public mutating func next(_ buffer: ArraySlice<UInt8>) -> Output {
        if bodyLength == nil {
            guard buffer.count >= Self.headerSize else { return .needMore(needed: Self.headerSize) }
            let header = buffer.prefix(Self.headerSize)
            if cipher.needsKey {
                guard let key = keyLog.key(tag: header.suffix(Self.tagSize)) else {
                    return keepsKey(header) ? next(buffer) : .failed(.noKey, header: true)
                }
                cipher.rekey(key)
            }
            do {
                bodyLength = try cipher.decryptLength(header)
            } catch {
                return keepsKey(header) ? next(buffer) : .failed(error, header: true)
            }
        }
        let length = bodyLength ?? 0
        let total = Self.headerSize + length + Self.tagSize
        guard buffer.count >= total else { return .needMore(needed: total) }
        do {
            let start = buffer.startIndex + Self.headerSize
            // The body takes the epoch's last nonce: keep the cipher for a sender that does not rotate.
            if cipher.nonce == 999 && cipher.rotates { beforeRotation = cipher.at(nonce: 1000) }
            let message = try cipher.decrypt(buffer[start..<(start + length + Self.tagSize)])
            bodyLength = nil
            messages += 1
            return .message(message, consumed: total)
        } catch {
            return .failed(error, header: false)
        }
    }

    /// Whether the first length block of a new epoch decrypts with the key before the
    /// rotation: then the sender did not rotate, and the cipher follows it with that key.
    private mutating func keepsKey(_ header: ArraySlice<UInt8>) -> Bool {
        guard cipher.nonce == 0, cipher.epoch > 0, keptKeyFrom == nil, var kept = beforeRotation else { return false }
        kept.rotates = false
        guard (try? kept.decryptLength(header)) != nil else { return false }
        kept = beforeRotation ?? kept
        kept.rotates = false
        cipher = kept
        beforeRotation = nil
        keptKeyFrom = messages
        return true
    }
}
