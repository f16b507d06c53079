import Basics
import Secp256k1
import Transactions
import Wire

/// BOLT #2 §"Channel Splicing": when a splice may start, and what may not happen while one
/// is pending. (The interactive-transaction rules judge its construction; the batching
/// rules its signings.)
enum SpliceRules {
    static let all: [Rule] = [
        initQuiescent, initAfterReady, initOneAtATime, initAfterShutdown, initResponse, ackUnsolicited, rbf, noShutdown, lockedTxid,
        initContribution, ackContribution, fundingOutput, sharedInput, completeChecks, lockedZeroconf, commitment,
        sharedSignature, lockedEffects,
    ]

    static let initSection = "BOLT #2 §\"Channel Splicing\" §\"The splice_init Message\" Requirements"

    /// The side that started quiescence: the one whose `stfu` said `initiator` = 1, or the
    /// opener when both did (BOLT #2 §"Channel Quiescence").
    static func quiescenceInitiator(_ ch: ChannelModel) -> ChannelModel.Side? {
        let first = ch.stfuInitiator.first == 1, second = ch.stfuInitiator.second == 1
        if first && second { return ch.opener }
        if first { return .first }
        if second { return .second }
        return nil
    }

    static let initQuiescent = Rule(
        RuleInfo(
            "spl-init-quiescent", "splice_init by the quiescence initiator", section: initSection,
            severity: .error,
            spec:
                "The sender: MUST NOT send `splice_init` if the channel is not quiescent. MUST NOT send `splice_init` if it is not the quiescence initiator.",
            explanation: "A splice runs under quiescence (`stfu` both ways), and it is the node that asked for quiescence that proposes it.",
            example: "→ stfu initiator=1, ← stfu initiator=0, ← splice_init"),
        on: [.spliceInit]
    ) { c in
        // The stfu messages may have come before the trace began.
        guard let ch = c.known() else { return }
        guard ch.stfuSent[c.sender] && ch.stfuSent[c.peer] else { return c.violation("`splice_init` although the channel is not quiescent") }
        guard let initiator = quiescenceInitiator(ch) else { return c.notGiven(\.initiator) }
        if initiator != c.sender { c.violation("`splice_init` from the node that did not initiate quiescence") }
    }

    static let initAfterReady = Rule(
        RuleInfo(
            "spl-init-after-ready", "splice_init after channel_ready", section: initSection,
            severity: .error,
            spec: "The sender: MUST NOT send `splice_init` before sending and receiving `channel_ready`.",
            explanation: "Only a channel in operation can be spliced: its funding must be locked by `channel_ready` both ways.",
            example: "→ funding_created, ← funding_signed, → stfu, ← stfu, → splice_init"),
        on: [.spliceInit]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        if !ch.readySent[c.sender] { return c.violation("`splice_init` before the sender's `channel_ready`") }
        if !ch.readySent[c.peer] { c.violation("`splice_init` before the peer's `channel_ready` arrived") }
    }

    static let initOneAtATime = Rule(
        RuleInfo(
            "spl-init-one-at-a-time", "one splice at a time", section: initSection,
            severity: .error,
            spec:
                "The sender: MUST NOT send `splice_init` while another splice is being negotiated. MUST NOT send `splice_init` if another splice has been negotiated but `splice_locked` has not been sent and received.",
            explanation:
                "A pending splice is fee-bumped with `tx_init_rbf`, not replaced by a new `splice_init`; a new splice starts once the last one is locked both ways.",
            example: "→ tx_signatures, ← tx_signatures (splice 1), → stfu, ← stfu, → splice_init"),
        on: [.spliceInit]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if let session = ch.itx, session.kind != .open, !session.aborted, session.signaturesSent != PerSide(true, true) {
            return c.violation("`splice_init` while another \(session.kind.rawValue) session is being negotiated")
        }
        if ch.pendingSplices > 0 { c.violation("`splice_init` while a splice is signed but not locked by `splice_locked` both ways") }
    }

    static let initAfterShutdown = Rule(
        RuleInfo(
            "spl-init-after-shutdown", "no splice_init after shutdown", section: initSection,
            severity: .error,
            spec:
                "The sender: MUST NOT send `splice_init` if it has previously sent `shutdown`. The receiver: if it has received `shutdown`: MUST send a `warning` and close the connection or send an `error` and fail the channel.",
            explanation: "A node that asked to close its channel does not splice it.",
            example: "→ shutdown, → splice_init"),
        on: [.spliceInit]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.shutdownSent[c.sender] { c.violation("`splice_init` after the sender's own `shutdown`") }
    }

    static let ackUnsolicited = Rule(
        RuleInfo(
            "spl-ack-unsolicited", "splice_ack answers a splice_init",
            section: "BOLT #2 §\"Channel Splicing\" §\"The splice_ack Message\" Requirements",
            severity: .error,
            spec:
                "The receiver of `splice_ack`: if it has sent `splice_init`: … Otherwise: MUST send a `warning` and close the connection or send an `error` and fail the channel.",
            explanation: "`splice_ack` accepts the peer's pending `splice_init`, once; without one it answers nothing.",
            example: "→ stfu, ← stfu, ← splice_ack"),
        on: [.spliceAck]
    ) { c in
        // The splice_init may have come before the trace began.
        guard let ch = c.known() else { return }
        guard let session = ch.itx, session.kind == .splice, session.initiator == c.peer, session.awaitingAnswer else {
            return c.violation("`splice_ack` without a pending `splice_init` from the peer")
        }
    }

    static let noShutdown = Rule(
        RuleInfo(
            "spl-no-shutdown", "no shutdown while a splice is not locked", section: "BOLT #2 §\"Closing Initiation: shutdown\" Requirements",
            severity: .error,
            spec: "A sending node: MUST NOT send `shutdown` if there is a splice transaction that isn't locked yet.",
            explanation:
                "Until `splice_locked` both ways, the channel has more than one possible funding transaction: a close would have to spend an output that may not confirm.",
            example: "→ tx_signatures, ← tx_signatures (splice), → shutdown"),
        on: [.shutdown]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.pendingSplices > 0 { c.violation("`shutdown` while a splice is signed but not locked by `splice_locked` both ways") }
    }

    static let initResponse = Rule(
        RuleInfo(
            "spl-init-response", "splice_init answered by splice_ack or tx_abort", section: initSection,
            severity: .error,
            spec:
                "The receiver: if it accepts the splice: MUST respond with `splice_ack`. Otherwise: MUST respond with `tx_abort`.",
            explanation:
                "The node asked to splice accepts (`splice_ack`, then the initiator's first move) or refuses (`tx_abort`); anything else from it leaves the proposal unanswered.",
            example: "→ splice_init, ← tx_add_input"),
        on: interactiveTxMoves.union([.txSignatures, .txInitRBF, .spliceInit])
    ) { c in
        guard let session = c.channel?.itx, session.kind == .splice, session.awaitingAnswer else { return }
        if c.sender != session.initiator { c.violation("`\(c.name)` in answer to `splice_init`, not `splice_ack` or `tx_abort`") }
    }

    static let rbf = Rule(
        RuleInfo(
            "spl-rbf", "a splice's RBF under the same conditions", section: "BOLT #2 §\"Channel Splicing\" §\"The tx_init_rbf Message\" Requirements",
            severity: .error,
            spec:
                "The sender: MUST NOT send `tx_init_rbf` if the channel is not quiescent. MUST NOT send `tx_init_rbf` if it is not the quiescence initiator. MUST NOT send `tx_init_rbf` if it has previously sent `splice_locked`. MUST NOT send `tx_init_rbf` if `option_zeroconf` has been negotiated.",
            explanation:
                "A pending splice is fee-bumped under a new quiescence, by the node that initiated it, before that node has locked the splice; zero-conf channels do not bump splices (the peer may already use the unconfirmed one).",
            example: "→ tx_signatures, ← tx_signatures (splice), → tx_init_rbf (not quiescent)"),
        on: [.txInitRBF]
    ) { c in
        guard let ch = c.known() else { return }
        // An RBF of the opening (before channel_ready) is judged by v2-rbf-before-ready.
        guard ch.spliced else { return }
        guard ch.stfuSent[c.sender] && ch.stfuSent[c.peer] else {
            return c.violation("`tx_init_rbf` of a splice although the channel is not quiescent")
        }
        if let initiator = quiescenceInitiator(ch), initiator != c.sender {
            return c.violation("`tx_init_rbf` from the node that did not initiate quiescence")
        }
        if ch.spliceLockedSent[c.sender] { return c.violation("`tx_init_rbf` after the sender's own `splice_locked`") }
        if c.connection.negotiated(50) == true { c.violation("`tx_init_rbf` of a splice although option_zeroconf is negotiated") }
    }

    static let lockedTxid = Rule(
        RuleInfo(
            "spl-locked-txid", "splice_locked names a pending splice",
            section: "BOLT #2 §\"Channel Splicing\" §\"The splice_locked Message\" Requirements", severity: .error,
            spec:
                "The receiving node: If `splice_txid` doesn't match any of its pending splice transactions: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "A splice is pending from the `tx_signatures` both sides sent for it until both sent `splice_locked`. The txid is the one `tx_signatures` named (itx-sigs-txid checks it against the constructed transaction); a `splice_locked` repeated after a reconnection may name the splice just locked.",
            example: "→ tx_signatures txid=T, ← tx_signatures txid=T, → splice_locked splice_txid=U"),
        on: [.spliceLocked]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        guard ch.spliceTxidsKnown else {
            return c.notEvaluated("the channel's splices are not all in the trace (its opening, or a splice's txid, is missing)")
        }
        guard let txid = c.typed.spliceTxid else { return c.notGiven(\TypedMessage.spliceTxid) }
        if ch.pendingSpliceTxids.contains(txid) || txid == ch.lockedSpliceTxid { return }
        let pending = ch.pendingSpliceTxids.map { short(Hex.encode($0.bytes.reversed())) }.sorted()
        c.violation(
            "splice_txid \(short(Hex.encode(txid.bytes.reversed()))) is not a pending splice (\(pending.isEmpty ? "none is pending" : "pending: " + pending.joined(separator: ", ")))"
        )
    }

    /// Judges a negative `funding_contribution_satoshis` against the sender's balance.
    static func contribution(_ c: inout Check) {
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        guard let contribution = c.typed.fundingContributionSatoshis else { return c.notGiven(\TypedMessage.fundingContributionSatoshis) }
        guard contribution < 0 else { return }
        guard ch.origin == .opened, !ch.spliced, !ch.htlcIDsUnknown else {
            return c.notEvaluated("the sender's balance is not known (the channel's opening or an earlier splice is not modelled)")
        }
        guard let balances = ch.ledger.contentsWithAllUpdates.balances else {
            return c.notEvaluated("the balances are not known: an HTLC amount or the opening balances are not in the trace")
        }
        let balance = max(balances[c.sender], 0) / 1000
        let removed = contribution.magnitude
        if removed > UInt64(balance) {
            c.violation(
                "funding_contribution_satoshis \(contribution) removes more than the sender's balance of \(balance) sat",
                field: \TypedMessage.fundingContributionSatoshis, actual: removed, maximum: UInt64(balance))
        }
    }

    static let initContribution = Rule(
        RuleInfo(
            "spl-init-contrib", "splice_init removes no more than the sender has", section: initSection,
            severity: .error,
            spec:
                "The sender: MUST set `funding_contribution_satoshis` to the amount it adds to (or, negative, removes from) the channel. The receiver: if `funding_contribution_satoshis` is negative and its absolute value is greater than the sending node's current channel balance: MUST either send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "A splice-out takes funds from the sender's own balance, which the trace follows from the opening through every HTLC (channels quiesce before a splice, so nothing is in flight).",
            example: "(carol's balance 970 000 sat) → splice_init funding_contribution_satoshis=-1000000"),
        on: [.spliceInit]
    ) { c in contribution(&c) }

    static let ackContribution = Rule(
        RuleInfo(
            "spl-ack-contrib", "splice_ack removes no more than the sender has",
            section: "BOLT #2 §\"Channel Splicing\" §\"The splice_ack Message\" Requirements", severity: .error,
            spec:
                "The receiver of `splice_ack`: if `funding_contribution_satoshis` is negative and its absolute value is greater than the sending node's current channel balance: MUST either send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation: "The same bound as for `splice_init`, for the node that accepts the splice.",
            example: "(dave's balance 30 000 sat) ← splice_ack funding_contribution_satoshis=-50000"),
        on: [.spliceAck]
    ) { c in contribution(&c) }

    static let fundingOutput = Rule(
        RuleInfo(
            "spl-funding-output", "a splice builds the new funding output",
            section: "BOLT #2 §\"Channel Splicing\" §\"Splice tx_add_output\"", severity: .error,
            spec:
                "The splice initiator: MUST send at least one `tx_add_output`, which contains the new channel's funding output based on the `funding_pubkey`s from `splice_init` and `splice_ack`. (Its amount is the previous channel capacity plus both `funding_contribution_satoshis`; its script is P2WSH of `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`, the keys in lexicographic order.)",
            explanation:
                "A splice moves the channel to a new funding output. lntrace finds it by its script when the construction completes, and checks its amount against the capacity the trace knows (a v1 opening's, or both contributions of a v2 opening) and the two contributions.",
            example:
                "→ splice_init funding_contribution_satoshis=100000, ← splice_ack, → tx_add_output sats=<capacity> (the contribution left out), …, tx_complete both ways"
        ),
        on: [.txComplete]
    ) { c in
        guard let session = c.channel?.itx, session.kind == .splice, !session.aborted else { return }
        guard session.completes(with: c.sender) else { return }
        guard session.whole, let built = session.built else { return c.notEvaluated("the session's outputs are not all in the trace") }
        guard let first = session.spliceKeys.first, let second = session.spliceKeys.second else {
            return c.notEvaluated("the funding_pubkeys of `splice_init` and `splice_ack` are not in the trace")
        }
        guard let (serial, output) = built.firstOutput(paying: Script.fundingOutput(first.bytes, second.bytes)) else {
            return c.violation("the splice completes without the new funding output (P2WSH of the funding_pubkeys of splice_init and splice_ack)")
        }
        if let adder = session.outputs?[serial], adder != session.initiator {
            return c.violation("the new funding output (serial_id \(serial)) was added by the splice's non-initiator")
        }
        guard let capacity = session.capacityBefore, let mine = session.contributions.first, let theirs = session.contributions.second else {
            return c.notEvaluated("the capacity before the splice or a contribution is not known")
        }
        let expected = Int64(clamping: capacity) &+ mine &+ theirs
        if Int64(clamping: output.value) != expected {
            c.violation(
                "the new funding output pays \(output.value) sat, not the capacity \(capacity) plus the contributions \(mine) and \(theirs)",
                field: "sats", actual: output.value, expected: expected >= 0 ? UInt64(expected) : nil)
        }
    }

    static let sharedInput = Rule(
        RuleInfo(
            "spl-shared-input", "a splice spends the channel's funding output",
            section: "BOLT #2 §\"Channel Splicing\" §\"Splice tx_add_input\"", severity: .error,
            spec:
                "The sending node: If it is the splice initiator: MUST add the current channel input to the splice transaction by sending `tx_add_input` with `shared_input_txid` containing the `txid` of the previous funding transaction. MUST NOT include `prevtx` for that shared input. MUST set `prevtx_vout` to the previous funding output index.",
            explanation:
                "A splice moves the channel from its funding output to a new one, so its transaction spends the funding output: the initiator adds it as the shared input (no `prevtx`, `shared_input_txid` and `prevtx_vout` naming it). Judged when the construction completes, for a session whose every move is in the trace; a shared input naming another outpoint is `itx-shared-input`'s.",
            example:
                "→ splice_init, ← splice_ack, → tx_add_input prevtx=<a wallet transaction>, ← tx_complete, → tx_add_output, … (tx_complete both ways, no shared input)"
        ),
        on: [.txComplete]
    ) { c in
        guard let session = c.channel?.itx, session.kind == .splice, !session.aborted, session.completes(with: c.sender) else { return }
        guard session.whole, let inputs = session.inputs else { return c.notEvaluated("the session's inputs are not all in the trace") }
        if !inputs.keys.contains(where: { session.spends[$0]?.shared == true }) {
            c.violation("the splice completes without the channel's funding output as its shared input (`shared_input_txid`)")
        }
    }

    static let completeChecks = Rule(
        RuleInfo(
            "spl-complete-checks", "a splice that leaves a withdrawing side below the new reserve fails",
            section: "BOLT #2 §\"Channel Splicing\" §\"Splice tx_complete\"", severity: .error,
            spec:
                "The receiving node: MUST compute the channel balance for each side by adding their respective `funding_contribution_satoshis` to their previous channel balance. MUST fail the negotiation by sending `tx_abort` if: There is not exactly one input spending the current funding transaction. There is not exactly one channel funding output using the funding public keys and funding contributions from `splice_init` and `splice_ack`. This is an RBF attempt and the transaction's total fees is less than the last successfully negotiated splice transaction's fees. Either side has added an output other than the channel funding output and the balance for that side is less than the channel reserve that matches the new channel capacity.",
            explanation:
                "A side that takes funds out of the channel with an output of its own must keep, after the splice, the reserve of the new capacity (1% of it, at least both dust limits); its balance is its current one plus its contribution. The node that completes the construction with `tx_complete` accepts the peer's; the peer judges the completer's at its next message. The other conditions are judged by `itx-shared-input` (a second shared input), `spl-funding-output` and `itx-rbf-fees`; a splice with no shared input at all is `spl-shared-input`'s (not built yet).",
            example:
                "(alice holds 100,000 of 1,000,000 sat) → splice_init funding_contribution_satoshis=-99500, …, → tx_add_output (her 97,000 sat), … tx_complete both ways, ← commitment_signed"
        ),
        on: InteractiveTxRules.continuing
    ) { c in
        guard let ch = c.channel, let session = ch.itx, session.kind == .splice, !session.aborted else { return }
        if c.kind == .txComplete, session.completes(with: c.sender) {
            if case let .belowReserve(balance, reserve) = ch.spliceReserveFailure(session, of: c.peer) {
                c.violation(
                    "the splice completes although the peer, who added an output of its own, is left with \(balance) sat: below the reserve of \(reserve) sat the new capacity asks; it must be failed"
                )
            }
            return
        }
        InteractiveTxRules.mustHaveFailed(&c) { failure in
            guard case let .belowReserve(balance, reserve) = failure else { return nil }
            return "the peer's splice, which leaves it \(balance) sat with an output of its own, below the new capacity's reserve of \(reserve) sat"
        }
    }

    static let lockedZeroconf = Rule(
        RuleInfo(
            "spl-locked-zeroconf", "a zero-conf channel locks a splice at once",
            section: "BOLT #2 §\"Channel Splicing\" §\"The splice_locked Message\" Requirements", severity: .warning,
            spec: "If `option_zeroconf` has been negotiated: SHOULD send `splice_locked` immediately after exchanging `tx_signatures`.",
            explanation:
                "A zero-conf channel trusts its funding before it confirms; a splice of it is used as soon as both nodes signed it, so each node's next message for the channel is its `splice_locked`.",
            example: "(channel_type with option_zeroconf) → tx_signatures, ← tx_signatures, → update_add_htlc"),
        on: ReestablishRules.goingOn.subtracting([.spliceLocked])
    ) { c in
        // Read through the model: this runs on every channel message.
        guard let type = c.channel?.channelType, ConnectionModel.isSet(type, 50) || ConnectionModel.isSet(type, 51) else { return }
        guard (c.channel?.pendingSplices ?? 0) > 0, c.channel?.spliceLockedSent[c.sender] == false else { return }
        c.violation("`\(c.name)` before the sender's `splice_locked`, on a zero-conf channel whose splice both nodes signed")
    }

    static let commitment = Rule(
        RuleInfo(
            "spl-commit", "a splice's commitment_signed: every pending HTLC, no revoke_and_ack",
            section: "BOLT #2 §\"Channel Splicing\" §\"The commitment_signed Message\" Requirements", severity: .error,
            spec:
                "The sending node: MUST create a commitment transaction that spends the splice funding output and: … Uses the same feerate as the existing commitment transaction. Uses the same `commitment_number` as the existing commitment transaction. MUST send signatures for pending HTLCs. The receiving node: MUST NOT respond with `revoke_and_ack`.",
            explanation:
                "The `commitment_signed` that commits to a splice signs the current commitment again over the new funding output: it carries one signature per HTLC of that commitment not trimmed at its feerate (the channel is quiescent, so both commitments hold the same HTLCs), and it replaces no commitment, so nothing is revoked for it: a `revoke_and_ack` that answers only such signings is the violation.",
            example: "(an HTLC committed) … tx_complete both ways, → commitment_signed num_htlcs=0"),
        on: [.commitmentSigned, .revokeAndAck]
    ) { c in
        guard let ch = c.channel, let session = ch.itx, session.kind == .splice, session.constructed, !session.aborted else { return }
        if c.kind == .revokeAndAck {
            if session.commitmentSignedSent[c.peer], ch.ledger.unacknowledgedSignings(c.peer) == 0, ch.origin != .unknown {
                c.violation("a revoke_and_ack for the splice's commitment_signed, which replaces no commitment")
            }
            return
        }
        guard ch.isInitialSigning(c.sender), !ch.isBatchContinuation(c.sender), !ch.htlcIDsUnknown, ch.origin == .opened else { return }
        guard let count = c.need(\.numHTLCs) else { return }
        let contents = ch.ledger.contentsWithAllUpdates
        guard let feerate = contents.feerate else { return c.notEvaluated("the commitment's feerate is not known") }
        guard let expected = ch.untrimmedCount(contents.htlcs, in: c.peer, feerate: feerate) else {
            return c.notEvaluated("an HTLC amount or the dust limit is not known")
        }
        if count != expected {
            c.violation(
                "num_htlcs is \(count); the peer's commitment has \(expected) untrimmed HTLC\(expected == 1 ? "" : "s") pending at feerate \(feerate)",
                field: \TypedMessage.numHTLCs, actual: count, expected: UInt64(expected))
        }
    }

    static let sharedSignature = Rule(
        RuleInfo(
            "spl-shared-sig", "tx_signatures signs the splice's shared input",
            section: "BOLT #2 §\"Channel Splicing\" §\"The tx_signatures Message\" Requirements; BIP 143", severity: .error,
            spec:
                "The sending node: MUST set `shared_input_signature` to a valid ECDSA signature for the `tx_add_input` spending the previous channel funding output using the `funding_pubkey` that matches this input. The receiving node: If `shared_input_signature` is not set: MUST send an `error` and fail the channel. If `shared_input_signature` is not valid or non-compliant with the LOW-S-standard rule: MUST send an `error` and fail the channel.",
            explanation:
                "lntrace rebuilds the splice transaction (BOLT #2 §\"Interactive Transaction Construction\") and the BIP 143 digest of its shared input, which spends the funding output (`2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG` of the opening's `funding_pubkey`s) holding the previous capacity, and verifies `shared_input_signature` with the sender's `funding_pubkey` (libsecp256k1, which rejects high-S). A channel spliced before spends an output whose keys the model does not keep: not judged.",
            example: "→ tx_add_input (the funding output, shared_input_txid), … → tx_signatures (no shared_input_signature)"),
        on: [.txSignatures]
    ) { c in
        guard let session = c.channel?.itx, session.kind == .splice, !session.aborted else { return }
        guard let serial = session.spends.first(where: { $0.value.shared })?.key else { return }
        guard session.whole, let built = session.built, let index = built.inputs.keys.sorted().firstIndex(of: serial) else {
            return c.notEvaluated("the splice transaction is not all in the trace")
        }
        guard let keys = session.previousFundingKeys, let capacity = session.capacityBefore else {
            return c.notEvaluated("the keys or the amount of the output the splice spends are not modelled (a channel spliced before)")
        }
        guard c.needTLVs() else { return }
        guard let signature = c.typed.sharedInputSignatureRecord else {
            return c.violation("no shared_input_signature, although the splice spends the channel's funding output")
        }
        let digest = built.transaction.sighash(input: index, witnessScript: Script.funding(keys.first.bytes, keys.second.bytes), amount: capacity)
        if !Secp256k1.verify(signature: signature.bytes, digest: digest, point: keys[c.sender].bytes) {
            c.violation(
                "shared_input_signature does not verify for input \(index) of the splice transaction \(short(Hex.encode(built.txid.reversed()))) (\(capacity) sat) with the sender's funding_pubkey"
            )
        }
    }

    static let lockedEffects = Rule(
        RuleInfo(
            "spl-locked-effects", "after splice_locked, announcement_signatures for the splice",
            section: "BOLT #2 §\"Channel Splicing\" §\"The splice_locked Message\" Requirements", severity: .error,
            spec:
                "Once a node has sent and received `splice_locked`: If the `splice_txid`s match: MUST stop sending `commitment_signed` for RBF attempts and ancestors of this splice transaction. MAY discard RBF attempts and ancestor transactions. If `announce_channel` is set for this channel: MUST send `announcement_signatures` with `short_channel_id` matching this splice transaction.",
            explanation:
                "Once both nodes sent `splice_locked`, the channel's funding is the splice transaction: `announcement_signatures` name its short channel id, not the one they named for the funding it spent. (The signings that stop are `batch-when-splices`': a batch shrinks as the pending splices go.)",
            example: "→ announcement_signatures short_channel_id=S, … splice_locked both ways, → announcement_signatures short_channel_id=S"),
        on: [.announcementSignatures]
    ) { c in
        guard let id = c.typed.shortChannelID, c.channel?.supersededShortIDs.contains(id) == true else { return }
        c.violation("short_channel_id \(id) is that of the funding the locked splice spent, not the splice transaction's")
    }
}
