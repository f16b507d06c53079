/// What the connection decoders of one capture share: the key log, the search limits, and
/// the trial-decryption budget, which is capture-wide so that the time spent finding frame
/// alignment stays linear in the input however many connections ask for it (BOLT #8
/// §"Receiving and Decrypting Messages": only the right key, nonce and alignment verify).
public struct DecodingContext: Sendable {
    public let keyLog: KeyLog
    /// Ports on which a connection whose handshake was not captured is taken for Lightning
    /// even when no key decrypts it (so that it is reported as lacking a key).
    public let lightningPorts: Set<UInt16>
    /// How many key rotations to try when aligning a connection whose start was not captured.
    public let maximumEpochs: Int
    /// How many lost messages to allow for when re-aligning after a gap or a failed frame.
    public let maximumLostMessages: Int
    /// Trial decryptions each byte read adds to the budget.
    public let trialsPerByte: Int
    /// Trial decryptions left for alignment searches.
    public internal(set) var trialsLeft: Int

    public init(
        keyLog: KeyLog, lightningPorts: Set<UInt16> = [9735], maximumEpochs: Int = 64, maximumLostMessages: Int = 64,
        trialBudget: Int = 1 << 22, trialsPerByte: Int = 2
    ) {
        self.keyLog = keyLog
        self.lightningPorts = lightningPorts
        self.maximumEpochs = maximumEpochs
        self.maximumLostMessages = maximumLostMessages
        self.trialsPerByte = trialsPerByte
        trialsLeft = trialBudget
    }

    /// Adds the trials `count` bytes read earn (see ``trialsPerByte``).
    public mutating func read(_ count: Int) {
        if trialsLeft <= Int.max / 2 { trialsLeft += count * trialsPerByte }
    }

    /// Every key of the key log at every epoch and nonce: what a connection whose start was
    /// not captured is tried with. Derived once per capture (each epoch is an HKDF step,
    /// BOLT #8 §"Lightning Message Key Rotation").
    private(set) lazy var midConnectionCandidates: [Synchronizer.Candidate] = {
        var candidates: [Synchronizer.Candidate] = []
        for (n, ck) in keyLog.chainingKeysByEphemeral.values.enumerated() {
            let keys = TransportKeys(chainingKey: ck)
            // Label: 2n for the initiator's key, 2n+1 for the responder's.
            candidates += Synchronizer.epochs(of: keys, fromInitiator: true, upTo: maximumEpochs, label: 2 * n)
            candidates += Synchronizer.epochs(of: keys, fromInitiator: false, upTo: maximumEpochs, label: 2 * n + 1)
        }
        // Per-epoch keys work mid-epoch too, at an unknown nonce; the next epoch's key is
        // then found by its tag.
        for key in keyLog.keysByTag.values {
            candidates.append(
                Synchronizer.Candidate(cipher: CipherState(key: key, chainingKey: nil), nonces: Synchronizer.Candidate.allNonces, label: -1))
        }
        return candidates
    }()
}
