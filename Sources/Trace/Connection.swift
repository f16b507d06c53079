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
    /// Gaps, undecryptable frames, and other trouble, in order.
    public var problems: [String] = []
    /// How the connection ended (`fin`, `reset`, `end of capture`, …).
    public var closeReason: String?
}
