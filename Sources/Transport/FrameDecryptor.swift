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
                guard let key = keyLog.key(tag: header.suffix(Self.tagSize)) else { return .failed(.noKey, header: true) }
                cipher.rekey(key)
            }
            do {
                bodyLength = try cipher.decryptLength(header)
            } catch {
                return .failed(error, header: true)
            }
        }
        let length = bodyLength ?? 0
        let total = Self.headerSize + length + Self.tagSize
        guard buffer.count >= total else { return .needMore(needed: total) }
        do {
            let start = buffer.startIndex + Self.headerSize
            let message = try cipher.decrypt(buffer[start..<(start + length + Self.tagSize)])
            bodyLength = nil
            messages += 1
            return .message(message, consumed: total)
        } catch {
            return .failed(error, header: false)
        }
    }
}
