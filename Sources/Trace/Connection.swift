import Capture
import Provenance

/// What lntrace learned about one Lightning connection of a capture.
public struct ConnectionSummary: Sendable {
    public enum Decryption: String, Sendable {
        /// Every frame decrypted.
        case decrypted
        /// Some frames decrypted; see ``problems``.
        case partial
        /// No key in the key logs decrypts the connection.
        case noKey = "no key"
    }

    public var id: Int
    /// The side that sent act one (or the SYN), when known.
    public var initiator: Endpoint
    public var responder: Endpoint
    /// Whether the initiator is certain (handshake or SYN seen, or a key's direction).
    public var initiatorKnown: Bool
    /// Whether the BOLT #8 handshake was captured.
    public var handshakeSeen: Bool
    public var firstFrame: Int
    public var lastFrame: Int
    public var firstTime: Timestamp
    public var lastTime: Timestamp
    /// TCP payload bytes from the initiator (`out`) and towards it (`in`).
    public var bytesOut: Int64 = 0
    public var bytesIn: Int64 = 0
    public var messagesOut = 0
    public var messagesIn = 0
    public var decryption: Decryption = .noKey
    /// Gaps, undecryptable frames, and other trouble, in order (the first ``keptProblems``).
    public private(set) var problems: [String] = []
    /// Problems beyond the first ``keptProblems``, counted.
    public private(set) var problemsOmitted = 0
    public static let keptProblems = 100

    /// Records a problem (a connection with endless gaps keeps the first 100 and a count).
    public mutating func addProblem(_ text: String) {
        if problems.count < Self.keptProblems { problems.append(text) } else { problemsOmitted += 1 }
    }
    /// How the connection ended (`fin`, `reset`, `end of capture`, …).
    public var closeReason: String?
}
