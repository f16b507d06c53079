import Basics
import Secp256k1
import Wire

/// BOLT #2 §"Message Retransmission": `channel_reestablish` after a reconnection.
enum ReestablishRules {
    static let all: [Rule] = [
        waitPeer, numbersConsistent, nextCommitmentZero, secretZero, pointValid, channelReady, shutdownRetransmit, commitmentNumberMatches,
        revocationNumberMatches, fundingLockedFlags, nextFundingMismatch, fundingLockedSet, revocationRetransmit, commitmentRetransmit,
        retransmitOrder, nextFundingSet, nextFundingReact,
    ]

    static let section = "BOLT #2 §\"Message Retransmission\" Requirements"

    /// Messages that need the channel to be ready: after a reestablish at commitment 1 they
    /// may not come before the retransmitted `channel_ready` (others, like a retransmitted
    /// `shutdown`, may).
    static let needReady: Set<MessageKind> = updateMessages.union([.commitmentSigned, .revokeAndAck, .stfu, .spliceInit])

    /// Messages a node may send for a channel before the peer's `channel_reestablish`.
    static let beforeReestablish: Set<MessageKind> = [.channelReestablish, .error, .warning]

    static let waitPeer = Rule(
        RuleInfo(
            "re-wait-peer", "nothing for the channel before the peer's channel_reestablish", section: section,
            severity: .error,
            spec:
                "Upon reconnection: MUST transmit `channel_reestablish` for each channel. MUST wait to receive the other node's `channel_reestablish` message before sending any other messages for that channel.",
            explanation:
                "On a connection whose start is in the trace, a channel that existed before is resumed by both `channel_reestablish` messages: nothing else for it may be sent until the peer's has arrived. A violation is certain even if the trace was recorded at the receiver: the message arrived before the peer's reestablish was sent. Known in the wild: lnd sending channel_ready (funding_locked) before channel_reestablish (lnd#4006; LDK closed such channels) and announcement_signatures before it (lnd#4368).",
            example: "→ init, ← init, → channel_reestablish, → update_add_htlc (before ← channel_reestablish)"),
        on: everyMessage
    ) { c in
        guard let ch = c.channel, !beforeReestablish.contains(c.kind), !ch.openedOnConnection else { return }
        guard c.connection.startSeen else { return c.notEvaluated(ConnectionRules.startUnseen(c)) }
        if !ch.reestablishSent[c.peer] {
            c.violation("`\(c.name)` for a resumed channel before the peer's `channel_reestablish` arrived")
        }
    }

    /// The relation between X's `next_commitment_number` and Y's `next_revocation_number`.
    static func inconsistency(_ x: ChannelModel.ChannelReestablishFields, _ y: ChannelModel.ChannelReestablishFields) -> String? {
        guard let nc = x.nextCommitmentNumber, let nr = y.nextRevocationNumber, nc > 0 else { return nil }
        if nc == 1 { return nr == 0 ? nil : "next_commitment_number 1 but the other's next_revocation_number \(nr), not 0" }
        let low = nc - 2 - (x.hasNextFunding == true && nc >= 3 ? 1 : 0)
        if nr < low || nr > nc - 1 {
            return "next_commitment_number \(nc) but the other's next_revocation_number \(nr) (expected \(nc - 2) or \(nc - 1))"
        }
        return nil
    }

    static let numbersConsistent = Rule(
        RuleInfo(
            "re-numbers-consistent", "the two channel_reestablish agree", section: "\(section) (derived)",
            severity: .error,
            spec:
                "`next_commitment_number`: the commitment number of the next `commitment_signed` it expects to receive; `next_revocation_number`: the commitment number of the next `revoke_and_ack` message it expects to receive. (Derived: Y.next_revocation_number ∈ {X.next_commitment_number − 2, X.next_commitment_number − 1}, and 0 when X.next_commitment_number is 1.)",
            explanation:
                "A node's current commitment is next_commitment_number − 1, and it has revoked all but that one or all but the last two. A pair outside that relation means one side lost state or lies; the other should fail the channel.",
            example: "→ channel_reestablish next_commitment_number=5, ← channel_reestablish next_revocation_number=1"),
        on: [.channelReestablish]
    ) { c in
        guard let ch = c.channel, let other = ch.reestablish[c.peer] else { return }
        let view = c.view
        let mine = ChannelModel.ChannelReestablishFields(
            nextCommitmentNumber: view.uint(\.nextCommitmentNumber), nextRevocationNumber: view.uint(\.nextRevocationNumber),
            yourLastSecret: nil, myCurrentPoint: nil, hasNextFunding: view.typed.nextFundingRecord != nil, hasFundingLocked: false)
        guard mine.nextCommitmentNumber != nil, mine.nextRevocationNumber != nil else {
            return c.notEvaluated("\(c.source) does not give the commitment numbers")
        }
        if let problem = inconsistency(mine, other) {
            c.violation("sender's \(problem)")
        } else if let problem = inconsistency(other, mine) {
            c.violation("peer's \(problem)")
        }
    }

    static let nextCommitmentZero = Rule(
        RuleInfo(
            "re-nc-zero", "next_commitment_number is at least 1", section: section,
            severity: .error,
            spec:
                "A receiving node: if `next_commitment_number` is zero: MUST immediately fail the channel and broadcast any relevant latest commitment transaction.",
            explanation: "Commitment 0 comes from funding, so the next one a node expects is at least 1; 0 is a corrupt or hostile reestablish.",
            example: "→ channel_reestablish next_commitment_number=0"),
        on: [.channelReestablish]
    ) { c in
        guard let nc = c.need(\.nextCommitmentNumber) else { return }
        if nc == 0 { c.violation("next_commitment_number is 0", field: \TypedMessage.nextCommitmentNumber, actual: 0, minimum: 1) }
    }

    static let secretZero = Rule(
        RuleInfo(
            "re-secret-zero", "your_last_per_commitment_secret matches next_revocation_number", section: section,
            severity: .error,
            spec:
                "if `next_revocation_number` equals 0: MUST set `your_last_per_commitment_secret` to all zeroes. otherwise: MUST set `your_last_per_commitment_secret` to the last `per_commitment_secret` it received.",
            explanation:
                "With no revocation received the secret is all zero; otherwise it is a valid secret, and when the trace holds the peer's point for commitment next_revocation_number − 1, secret·G must equal it (libsecp256k1).",
            example: "→ channel_reestablish next_revocation_number=0 your_last_per_commitment_secret=(non-zero)"),
        on: [.channelReestablish]
    ) { c in
        guard let nr = c.need(\.nextRevocationNumber), let secret = c.needBytes(\.yourLastPerCommitmentSecret) else { return }
        let zero = secret.allSatisfy { $0 == 0 }
        if nr == 0 {
            if !zero { c.violation("next_revocation_number is 0 but your_last_per_commitment_secret is not all zero") }
            return
        }
        if zero { return c.violation("next_revocation_number is \(nr) but your_last_per_commitment_secret is all zero") }
        guard let derived = Secp256k1.publicKey(secret: secret) else {
            return c.violation("your_last_per_commitment_secret is not a valid secret key")
        }
        // The point is only known by number when the channel's numbering is anchored (opened
        // or reestablished in the trace).
        guard let ch = c.channel, ch.origin != .unknown, let point = ch.points[c.peer][nr - 1] else { return }
        if derived != point.bytes { c.violation("your_last_per_commitment_secret·G is not the peer's point for commitment \(nr - 1)") }
    }

    static let pointValid = Rule(
        RuleInfo(
            "re-point-valid", "my_current_per_commitment_point is a valid point", section: section,
            severity: .error,
            spec: "MUST set `my_current_per_commitment_point` to a valid point.",
            explanation: "The point must decompress to a point on secp256k1.",
            example: "→ channel_reestablish my_current_per_commitment_point=02000…00"),
        on: [.channelReestablish]
    ) { c in
        guard let point = c.needBytes(\.myCurrentPerCommitmentPoint) else { return }
        if !Secp256k1.isValidPoint(point) {
            c.violation("my_current_per_commitment_point \(short(Hex.encode(point))) is not a valid secp256k1 point")
        }
    }

    static let channelReady = Rule(
        RuleInfo(
            "re-channel-ready", "channel_ready retransmitted exactly when needed", section: section,
            severity: .error,
            spec:
                "if `next_commitment_number` is 1 in both the `channel_reestablish` it sent and received, and none of those `channel_reestablish` messages contain `my_current_funding_locked` or `next_funding` for a splice transaction: MUST retransmit `channel_ready`. otherwise: MUST NOT retransmit `channel_ready`, but MAY send `channel_ready` with a different `short_channel_id` `alias` field.",
            explanation:
                "Decided by the two reestablish messages alone: with both at commitment 1 the first message for the channel after them must be `channel_ready`; otherwise a `channel_ready` may only bring a new alias.",
            example: "→ channel_reestablish next_commitment_number=1, ← channel_reestablish next_commitment_number=1, → update_add_htlc"),
        on: everyMessage
    ) { c in
        guard let ch = c.channel, let due = ch.readyDue[c.sender] else { return }
        if due && needReady.contains(c.kind) {
            c.violation("`\(c.name)` before `channel_ready` was retransmitted (both next_commitment_number are 1)")
        } else if !due && c.kind == .channelReady {
            guard c.needTLVs() else { return }
            var alias: UInt64?
            if let scid = c.typed.shortChannelIDRecord { alias = scid.rawValue }
            if let alias, !ch.aliases[c.sender].contains(alias) { return }  // a new alias is allowed
            c.violation("`channel_ready` retransmitted although next_commitment_number is past 1\(alias == nil ? "" : " (same alias)")")
        }
    }

    static let shutdownRetransmit = Rule(
        RuleInfo(
            "re-shutdown-retransmit", "shutdown again after a reconnection", section: section,
            severity: .error,
            spec: "A node: upon reconnection: if it has sent a previous `shutdown`: MUST retransmit `shutdown`.",
            explanation:
                "A node that asked to close before the connection dropped asks again on the new one, before it takes up the closing negotiation: the peer may not have received the first `shutdown`. Judged when the trace holds both connections.",
            example: "→ shutdown, (reconnection) → channel_reestablish, ← channel_reestablish, → closing_signed"),
        on: [.closingSigned, .closingComplete, .closingSig]
    ) { c in
        guard let ch = c.channel, ch.shutdownSent[c.sender], ch.reestablish[c.sender] != nil else { return }
        if !ch.shutdownOnConnection[c.sender] {
            c.violation("`\(c.name)` after a reconnection without retransmitting the sender's `shutdown`")
        }
    }

    /// The channel's ledger, when the trace holds the sender's history: the channel was
    /// opened in the trace, or the sender's numbers were anchored by its own earlier
    /// `channel_reestablish` and a signing or revocation followed.
    static func history(_ c: inout Check) -> ChannelModel? {
        guard let ch = c.channel, ch.origin != .unknown, ch.numbersAnchored[c.sender] else {
            c.notEvaluated("the sender's commitment numbers before the trace are unknown")
            return nil
        }
        let noHistory = ch.ledger.signings.allSatisfy(\.isEmpty) && ch.ledger.revocations.allSatisfy { $0 == 0 }
        if ch.origin == .reestablished && noHistory {
            c.notEvaluated("the trace holds no signing or revocation of the channel before this reconnection")
            return nil
        }
        return ch
    }

    static let commitmentNumberMatches = Rule(
        RuleInfo(
            "re-nc-mismatch", "next_commitment_number follows the signings in the trace", section: section,
            severity: .warning,
            spec:
                "A receiving node: if `next_commitment_number` is not equal to the commitment number of the next `commitment_signed` that the receiving node would send: SHOULD send an `error` and fail the channel. (With: `next_commitment_number`: the commitment number of the next `commitment_signed` it expects to receive.)",
            explanation:
                "The trace holds every `commitment_signed` the peer sent: the sender expects the one after its current commitment, or, if the peer's last one may not have arrived before the connection dropped, that one again. Anything else means the sender lost state (or the trace missed a signing); the peer should fail the channel.",
            example: "← commitment_signed (the sender's commitment 3), (reconnection) → channel_reestablish next_commitment_number=2"),
        on: [.channelReestablish]
    ) { c in
        guard let ch = history(&c), let nc = c.need(\.nextCommitmentNumber), nc > 0 else { return }  // 0: `re-nc-zero`
        let current = ch.ledger.localCommitment(c.sender)
        let lastMayBeLost = !ch.ledger.signings[c.peer].isEmpty
        if nc != current &+ 1 && !(lastMayBeLost && nc == current) {
            c.violation(
                "next_commitment_number \(nc), but the signings in the trace put the sender at commitment \(current) (expecting \(current &+ 1)\(lastMayBeLost ? ", or \(current) again" : ""))",
                field: \TypedMessage.nextCommitmentNumber, actual: nc, expected: current &+ 1)
        }
    }

    static let revocationNumberMatches = Rule(
        RuleInfo(
            "re-nr-mismatch", "next_revocation_number follows the revocations in the trace", section: section,
            severity: .warning,
            spec:
                "A receiving node: if `next_revocation_number` is not equal to 1 greater than the commitment number of the last `revoke_and_ack` the receiving node has sent: SHOULD send an `error` and fail the channel. if it has not sent `revoke_and_ack`, AND `next_revocation_number` is not equal to 0: SHOULD send an `error` and fail the channel.",
            explanation:
                "The trace holds every `revoke_and_ack` the peer sent: the sender expects the revocation of the peer's next commitment, or, if the peer's last one may not have arrived before the connection dropped, that one again. Anything else means the sender lost state (or the trace missed a revocation).",
            example: "← revoke_and_ack (revoking commitment 2), (reconnection) → channel_reestablish next_revocation_number=1"),
        on: [.channelReestablish]
    ) { c in
        guard let ch = history(&c), let nr = c.need(\.nextRevocationNumber) else { return }
        let next = ch.ledger.nextRevoked(c.peer)
        let lastMayBeLost = ch.ledger.revocations[c.peer] > 0
        if nr != next && !(lastMayBeLost && nr &+ 1 == next) {
            c.violation(
                "next_revocation_number \(nr), but the revocations in the trace put the peer's next at \(next)\(lastMayBeLost ? " (or \(next - 1) again)" : "")",
                field: \TypedMessage.nextRevocationNumber, actual: nr, expected: next)
        }
    }

    static let fundingLockedFlags = Rule(
        RuleInfo(
            "re-funding-locked-flags", "my_current_funding_locked asks for announcement_signatures exactly when owed", section: section,
            severity: .error,
            spec:
                "A node: … if `my_current_funding_locked` is included: if `announce_channel` is set for this channel: if it has not received `announcement_signatures` for that transaction: MUST set the `announcement_signatures` bit to `1` in `retransmit_flags`. otherwise: MUST set the `announcement_signatures` bit to `0` in `retransmit_flags`.",
            explanation:
                "Bit 0 of `retransmit_flags` asks the peer to send its `announcement_signatures` again. It is set for an announced channel whose announcement signatures the sender has not received (in the trace, since the funding transaction or the last splice locked), and clear otherwise, always on a channel opened without `announce_channel`. Judged for the channel's funding transaction; a spliced one is not modelled.",
            example: "→ open_channel channel_flags=0, …, (reconnection) → channel_reestablish my_current_funding_locked=<funding txid>,1"),
        on: [.channelReestablish]
    ) { c in
        guard let ch = c.known(.opened), c.needTLVs(), let locked = c.typed.myCurrentFundingLockedRecord else { return }
        let bit = locked.retransmitFlags & 1
        guard let announce = ch.announce else { return c.notEvaluated("the opening does not give `channel_flags`") }
        if !announce {
            if bit != 0 { c.violation("the `announcement_signatures` bit is set for a channel opened without `announce_channel`") }
            return
        }
        guard !ch.spliced, let funding = ch.fundingTxid, locked.myCurrentFundingLockedTxid == funding else {
            return c.notEvaluated("`my_current_funding_locked` names a transaction other than the modelled funding transaction")
        }
        let received = ch.announcementShortID[c.peer] != nil
        if received && bit != 0 {
            c.violation("the `announcement_signatures` bit is set although the peer's `announcement_signatures` arrived")
        } else if !received && bit == 0 {
            c.violation("the `announcement_signatures` bit is clear although the peer's `announcement_signatures` never arrived")
        }
    }

    /// A channel's messages that go on with it (what a node that failed the channel no longer
    /// sends).
    static let goingOn: Set<MessageKind> = ConnectionRules.channelProgress.union([
        .channelReady, .stfu, .spliceLocked, .txInitRBF, .txAckRBF, .txAbort, .announcementSignatures, .updateFee,
    ])

    static let nextFundingMismatch = Rule(
        RuleInfo(
            "re-next-funding-mismatch", "differing next_funding fails the channel", section: section,
            severity: .error,
            spec:
                "A receiving node: if it also sets `next_funding` in its own `channel_reestablish`, but the values don't match: MUST send an `error` and fail the channel.",
            explanation:
                "Both nodes name the interactive transaction they are still signing; two different txids mean they disagree on the channel's funding, which cannot be repaired. Once both `channel_reestablish` are in, a node that goes on with the channel instead of an `error` breaks the rule, reported at that message.",
            example: "→ channel_reestablish next_funding=T…, ← channel_reestablish next_funding=U…, ← commitment_signed"),
        on: goingOn
    ) { c in
        // Read through the model, not bound to a copy of it: this runs on every channel message.
        guard let a = c.channel?.reestablish[c.sender]?.nextFundingTxid, let b = c.channel?.reestablish[c.peer]?.nextFundingTxid, a != b,
            c.channel?.errorOnConnection[c.sender] == false
        else { return }
        c.violation(
            "`\(c.name)` goes on with the channel although the two channel_reestablish name different next_funding txids (\(short(Hex.encode(a.bytes.reversed()))), \(short(Hex.encode(b.bytes.reversed())))): it must send an `error`"
        )
    }

    static let fundingLockedSet = Rule(
        RuleInfo(
            "re-funding-locked-set", "my_current_funding_locked once channel_ready was sent", section: section,
            severity: .error,
            spec:
                "A node: if `option_splice` was negotiated: if a splice transaction reached acceptable depth while disconnected: MUST include `my_current_funding_locked` with the txid of the latest such transaction. otherwise, if it has already sent `splice_locked` for any transaction: MUST include `my_current_funding_locked` with the txid of the last `splice_locked` it sent. otherwise, if it has already sent `channel_ready`: MUST include `my_current_funding_locked` with the txid of the channel funding transaction. otherwise (it has never sent `channel_ready` or `splice_locked`): MUST NOT include `my_current_funding_locked`.",
            explanation:
                "With splicing negotiated, `channel_reestablish` says which funding transaction the sender considers locked. A node whose `channel_ready` is in the trace must say so; one that never sent `channel_ready` (nor `splice_locked`) must not. Judged on channels opened in the trace, from sources that give the TLVs.",
            example: "(option_splice) → channel_ready, …, (reconnection) → channel_reestablish (no my_current_funding_locked)"),
        on: [.channelReestablish]
    ) { c in
        guard c.connection.negotiated(62) == true, c.needTLVs() else { return }
        guard let ch = c.known(.opened) else { return }
        let included = c.typed.myCurrentFundingLockedRecord != nil
        if ch.readySent[c.sender] && !included {
            c.violation("no `my_current_funding_locked`, although splicing is negotiated and the sender sent `channel_ready`")
        } else if !ch.readySent[c.sender] && !ch.spliceLockedSent[c.sender] && included {
            c.violation("`my_current_funding_locked` from a node that never sent `channel_ready` or `splice_locked`")
        }
    }

    // MARK: Retransmission

    /// The messages that move a channel on, which may not overtake what a node must send
    /// again after a reconnection. (Not `shutdown`: a node retransmits its own after a
    /// reconnection too, and BOLT #2 does not order the two.)
    static let afterRetransmission: Set<MessageKind> = updateMessages.union([
        .commitmentSigned, .revokeAndAck, .closingSigned, .closingComplete, .closingSig, .stfu, .spliceInit, .spliceAck, .txInitRBF,
    ])

    static let revocationRetransmit = Rule(
        RuleInfo(
            "re-raa-retransmit", "a lost revoke_and_ack is sent again first", section: section,
            severity: .error,
            spec:
                "A node: if `next_revocation_number` is equal to the commitment number of the last `revoke_and_ack` the receiving node sent, AND the receiving node hasn't already received a `closing_signed`: MUST re-send the `revoke_and_ack`.",
            explanation:
                "When the peer's `next_revocation_number` shows that the node's last `revoke_and_ack` (in the trace, before the reconnection) did not arrive, the node sends it again before it moves the channel on: the next such message (an update, a signing, `stfu`, closing, splicing) must be that `revoke_and_ack`, unless a lost `commitment_signed` and its updates are being sent again with it (their order is `re-retransmit-order`'s). Judged where the trace shows the earlier connection.",
            example:
                "→ revoke_and_ack (lost), (reconnection) ← channel_reestablish next_revocation_number=<that commitment>, → stfu"),
        on: afterRetransmission
    ) { c in
        guard let owed = c.channel?.owedRetransmission[c.sender], let number = owed.revocation, let kind = c.kind else { return }
        if kind == .revokeAndAck { return }
        if owed.commitment != nil, kind == .commitmentSigned || updateMessages.contains(kind) { return }
        c.crossingViolation(
            "`\(c.name)` before the revoke_and_ack of commitment \(number), which the peer's channel_reestablish (next_revocation_number \(number)) shows lost: it must be sent again first"
        )
    }

    static let commitmentRetransmit = Rule(
        RuleInfo(
            "re-commit-retransmit", "a lost commitment_signed is sent again first", section: section,
            severity: .error,
            spec:
                "A node: if `next_commitment_number` is equal to the commitment number of the last `commitment_signed` message the receiving node has sent: MUST reuse the same commitment number for its next `commitment_signed`.",
            explanation:
                "When the peer's `next_commitment_number` shows that the node's last `commitment_signed` (in the trace, before the reconnection) did not arrive, the node signs that commitment number again, after the updates it re-sends (in any order, some left out), before it moves the channel on otherwise (`stfu`, closing, splicing). A lost `revoke_and_ack` may come with it (`re-retransmit-order`). The signature of the signing is `commit-sig-valid`'s. Judged where the trace shows the earlier connection.",
            example:
                "→ update_add_htlc, → commitment_signed (lost), (reconnection) ← channel_reestablish next_commitment_number=<that commitment>, → stfu"
        ),
        on: afterRetransmission
    ) { c in
        guard let owed = c.channel?.owedRetransmission[c.sender], let number = owed.commitment, let kind = c.kind else { return }
        if kind == .commitmentSigned || updateMessages.contains(kind) { return }
        if owed.revocation != nil, kind == .revokeAndAck { return }
        c.crossingViolation(
            "`\(c.name)` before the commitment_signed of commitment \(number), which the peer's channel_reestablish (next_commitment_number \(number)) shows lost: it must be signed again first"
        )
    }

    static let retransmitOrder = Rule(
        RuleInfo(
            "re-retransmit-order", "revoke_and_ack and commitment_signed again in their first order", section: section,
            severity: .error,
            spec:
                "A node: if it has previously sent a `commitment_signed` that needs to be retransmitted: MUST retransmit `revoke_and_ack` and `commitment_signed` in the same relative order as initially transmitted.",
            explanation:
                "When both the node's last `revoke_and_ack` and its last `commitment_signed` were lost, the peer applies them in the order they were sent: the other order gives the peer a signing its revocation state does not match. The first order is the one in the trace before the reconnection.",
            example:
                "→ revoke_and_ack, → commitment_signed (both lost), (reconnection) ← channel_reestablish, → commitment_signed, → revoke_and_ack"),
        on: [.revokeAndAck, .commitmentSigned]
    ) { c in
        guard let owed = c.channel?.owedRetransmission[c.sender], owed.revocation != nil, owed.commitment != nil else { return }
        if c.kind == .commitmentSigned, owed.revocationFirst {
            c.violation("the commitment_signed is sent again before the lost revoke_and_ack, which was sent first before the reconnection")
        } else if c.kind == .revokeAndAck, !owed.revocationFirst {
            c.violation("the revoke_and_ack is sent again before the lost commitment_signed, which was sent first before the reconnection")
        }
    }

    static let nextFundingSet = Rule(
        RuleInfo(
            "re-next-funding-set", "next_funding exactly while an interactive transaction awaits signatures", section: section,
            severity: .error,
            spec:
                "The sending node: if it has sent `commitment_signed` for an interactive transaction construction but it has not received `tx_signatures`: MUST include the `next_funding` TLV. MUST set `next_funding_txid` to the txid of that interactive transaction. if it has not received `commitment_signed` for this `next_funding_txid`: MUST set the `commitment_signed` bit in `retransmit_flags`. otherwise: MUST NOT include the `next_funding` TLV.",
            explanation:
                "Judged from the construction in the trace: a node that signed its commitment for it (before the reconnection) while the peer sent no `tx_signatures` names that transaction's txid, with the `commitment_signed` bit set when the peer never signed; a node that never signed one names none. Where the peer's `commitment_signed` or `tx_signatures` was sent, it may have been lost, so the bit and the absence are not judged then.",
            example: "→ tx_complete, ← tx_complete, → commitment_signed, (reconnection) → channel_reestablish (no next_funding)"),
        on: [.channelReestablish]
    ) { c in
        guard c.needTLVs(), let ch = c.known(.opened) else { return }
        let included = c.typed.nextFundingRecord
        guard let session = ch.itx else {
            if ch.spliced || ch.dualFunded {
                return c.notEvaluated("the last interactive transaction's tx_signatures may not have arrived")
            }
            if included != nil { c.violation("`next_funding` although the channel has no interactive transaction awaiting signatures") }
            return
        }
        guard session.whole else { return c.notEvaluated("the interactive transaction began before the trace") }
        let signed = session.constructed && !session.aborted && session.commitmentSignedBefore[c.sender]
        if !signed {
            if let included {
                c.violation(
                    "`next_funding` (\(short(Hex.encode(included.nextFundingTxid.bytes.reversed())))) although the sender sent no commitment_signed for the interactive transaction"
                )
            }
            return
        }
        if session.signaturesSent[c.peer] { return c.notEvaluated("the peer's tx_signatures may have arrived") }
        guard let included else {
            return c.violation("no `next_funding`, although the sender signed the interactive transaction's commitment and received no tx_signatures")
        }
        if let txid = session.txid, included.nextFundingTxid != txid {
            return c.violation(
                "next_funding_txid \(short(Hex.encode(included.nextFundingTxid.bytes.reversed()))) is not the interactive transaction's \(short(Hex.encode(txid.bytes.reversed())))"
            )
        }
        if !session.commitmentSignedBefore[c.peer], included.retransmitFlags & 1 == 0 {
            c.violation("the `commitment_signed` bit of retransmit_flags is clear, although the peer never sent its commitment_signed")
        }
    }

    static let nextFundingReact = Rule(
        RuleInfo(
            "re-next-funding-react", "a peer's next_funding answered before the channel moves on", section: section,
            severity: .error,
            spec:
                "A receiving node: if the `next_funding` TLV is set: if `next_funding_txid` matches the latest interactive funding transaction: if it has not received `tx_signatures` for that funding transaction: if the `commitment_signed` bit is set in `retransmit_flags`: MUST retransmit its `commitment_signed` for that funding transaction. … otherwise: MUST send `tx_abort` to let the sending node know that they can forget this funding transaction.",
            explanation:
                "After the peer's `channel_reestablish` names the latest interactive transaction (of the trace) with the `commitment_signed` bit set, the node's next message for the channel is its `commitment_signed` for it (or `tx_abort`); after it names another transaction (and the node names none of its own), its next message is `tx_abort`. Reported at the message that comes instead.",
            example: "← channel_reestablish next_funding=<the unsigned splice>,1, → tx_signatures (no commitment_signed first)"),
        on: ChannelModel.afterNextFunding
    ) { c in
        guard let answer = c.channel?.nextFundingAnswer[c.sender] else { return }
        switch answer {
        case let .commitmentSigned(txid):
            if c.kind == .commitmentSigned || c.kind == .txAbort { return }
            c.crossingViolation(
                "`\(c.name)` instead of the commitment_signed for \(short(Hex.encode(txid.bytes.reversed()))), which the peer's next_funding asks for again"
            )
        case let .txAbort(txid):
            if c.kind == .txAbort { return }
            c.crossingViolation(
                "`\(c.name)` instead of `tx_abort`: the peer's next_funding names \(short(Hex.encode(txid.bytes.reversed()))), which is not the latest interactive transaction"
            )
        }
    }
}
