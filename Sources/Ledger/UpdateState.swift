import Transactions

/// Where an update stands in the life BOLT #2 §"Normal Operation" gives it, seen from
/// the node that sent it (the "sender") and its peer (the "receiver").
///
/// The states follow each other in this order; the spec numbers them 1 to 5
/// (``number``), which is how the rules' explanations name them.
public enum UpdateState: Int, Sendable, Comparable, CaseIterable {
    /// 1. "pending on the receiver": no signing of the sender covers the update yet.
    case pendingOnReceiver = 1
    /// 2. "in the receiver's latest commitment transaction": the sender's signing covering
    /// it was sent, and the receiver has not yet revoked its commitment without it.
    case inReceiverCommitment
    /// 3. "… and the receiver's previous commitment transaction has been revoked, and the
    /// update is pending on the sender": no signing of the receiver includes it yet.
    case pendingOnSender
    /// 4. "… and in the sender's latest commitment transaction": the receiver's signing
    /// including it was sent, and the sender has not yet revoked its commitment without it.
    case inSenderCommitment
    /// 5. "… and the sender's previous commitment transaction has been revoked": the update
    /// is irrevocably committed in both commitments.
    case irrevocablyCommitted

    /// The spec's number of the state (1 to 5).
    @inlinable public var number: Int { rawValue }

    @inlinable public static func < (a: UpdateState, b: UpdateState) -> Bool { a.rawValue < b.rawValue }

    @inlinable public static func == (a: UpdateState, b: UpdateState) -> Bool { a.rawValue == b.rawValue }
}
