/// Finds where frames start, and with which key and nonce, in a stream whose beginning
/// was not captured (a capture started mid-connection, or bytes lost in a gap), by trial
/// decryption of candidate 18-byte length blocks (BOLT #8 §"Receiving and Decrypting
/// Messages": a length block verifies only with the right key, nonce and alignment).
public enum Synchronizer {
    /// A key to try, at the given nonces (length blocks use even nonces).
    public struct Candidate: Sendable {
        public var cipher: CipherState
        public var nonces: [UInt64]
        /// The caller's name for where the key came from (for example which direction of
        /// a handshake it belongs to).
        public var label: Int

        public init(cipher: CipherState, nonces: [UInt64], label: Int = 0) {
            self.cipher = cipher
            self.nonces = nonces
            self.label = label
        }

        /// Every length-block nonce of an epoch: 0, 2, …, 998.
        public static let allNonces: [UInt64] = Array(stride(from: 0, to: 1000, by: 2))
    }

    public struct Match: Sendable {
        /// Offset of the frame start in the searched buffer.
        public var offset: Int
        /// The cipher positioned to decrypt that frame's length block.
        public var cipher: CipherState
        /// The matching candidate's label; `nil` when a key-log tag matched.
        public var label: Int?
    }

    /// Tries `offsets` in order; at each, first a key-log tag lookup (the first frame of an
    /// epoch names its key), then every candidate at every nonce. Stops at the first match,
    /// or when `budget` trial decryptions have been spent (it is decreased by each one).
    public static func search(
        _ buffer: ArraySlice<UInt8>, offsets: some Sequence<Int>, candidates: [Candidate], keyLog: KeyLog,
        budget: inout Int
    ) -> Match? {
        for offset in offsets {
            guard budget > 0 else { return nil }
            guard offset >= 0, buffer.count - offset >= FrameDecryptor.headerSize else { continue }
            let start = buffer.startIndex + offset
            let header = buffer[start..<(start + FrameDecryptor.headerSize)]
            if let key = keyLog.key(tag: header.suffix(FrameDecryptor.tagSize)) {
                var cipher = CipherState(key: key, chainingKey: nil)
                if (try? cipher.decryptLength(header)) != nil {
                    return Match(offset: offset, cipher: CipherState(key: key, chainingKey: nil), label: nil)
                }
            }
            for candidate in candidates {
                guard budget >= candidate.nonces.count else {
                    budget = 0
                    return nil
                }
                budget -= candidate.nonces.count
                for nonce in candidate.nonces {
                    var cipher = candidate.cipher.at(nonce: nonce)
                    if (try? cipher.decryptLength(header)) != nil {
                        return Match(offset: offset, cipher: candidate.cipher.at(nonce: nonce), label: candidate.label)
                    }
                }
            }
        }
        return nil
    }

    /// The candidates for a cipher that lost track after a gap: the same epoch from its
    /// current nonce on, then (with a chaining key) the following epochs, covering up to
    /// `messages` lost messages.
    public static func continuing(_ cipher: CipherState, messages: Int) -> [Candidate] {
        var out: [Candidate] = []
        var state = cipher
        var remaining = messages
        var first = cipher.nonce + (cipher.nonce % 2)
        while remaining > 0 {
            let nonces = Array(stride(from: first, to: 1000, by: 2)).prefix(remaining)
            out.append(Candidate(cipher: state, nonces: Array(nonces)))
            remaining -= nonces.count
            guard let next = state.nextEpoch() else { break }
            state = next
            first = 0
        }
        return out
    }

    /// Every epoch of a chaining-key entry from `firstEpoch` up to `lastEpoch`, at every
    /// nonce: the candidates for a connection whose start was not captured.
    public static func epochs(of keys: TransportKeys, fromInitiator: Bool, upTo lastEpoch: Int, label: Int = 0) -> [Candidate] {
        var out: [Candidate] = []
        var state: CipherState? = keys.cipher(fromInitiator: fromInitiator)
        while let current = state, current.epoch <= lastEpoch {
            out.append(Candidate(cipher: current, nonces: Candidate.allNonces, label: label))
            state = current.nextEpoch()
        }
        return out
    }
}
