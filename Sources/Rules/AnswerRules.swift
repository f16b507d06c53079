import Transactions
import Wire

/// "MUST respond" requirements whose answer may come any time later: judged when it comes or
/// when the connection ends (``Answer``; Documentation/rules.md, "Answers").
enum AnswerRules {
    static let all: [Rule] = [
        commitAck, closingCompleteReply, shortIDQueryReply, announcementReply, announcementReconnect, fundingLockedReact, dataLoss,
        shutdownReply, funderFirst, spliceAckThenSession, reestablishEach, spliceSignaturesRetransmit, unknownChain,
    ]

    static let announcementSection = "BOLT #7 §\"The announcement_signatures Message\" Requirements"
    /// Why a node's missing `announcement_signatures` may not have been due yet.
    static let depthUnknown =
        "the receiver sent no `announcement_signatures` for the funding before in the trace: whether the funding is deep enough for it needs chain data"

    static let commitAck = Rule(
        RuleInfo(
            "commit-ack", "a signing is answered by revoke_and_ack", section: UpdateRules.commitSection,
            severity: .error,
            spec: "A receiving node (of `commitment_signed`): … MUST respond with a `revoke_and_ack` message.",
            explanation:
                "Each signing (a `commitment_signed`, or a batch of them) is answered by one `revoke_and_ack` on the channel, unless an `error` or `warning` intervenes. Judged when the answer comes, or when the connection ends (FIN, reset, or a log's reconnection) after the receiver sent other messages on the channel without it; a trace that stops is not evaluated. The `commitment_signed` of a v2 opening or a splice is answered by `tx_signatures`, not judged here.",
            example: "→ update_add_htlc, → commitment_signed, ← update_add_htlc, (FIN) — no revoke_and_ack"),
        on: [.commitmentSigned]
    ) { c in
        guard let ch = c.known(.unknown) else { return }
        let repeated = ch.possibleRetransmission[c.sender].contains(.commitmentSigned) && ch.ledger.unacknowledgedSignings(c.sender) > 0
        // A batch is answered once; an interactive transaction's signing by tx_signatures.
        if ch.isBatchContinuation(c.sender) || repeated || ch.isInitialSigning(c.sender) || ch.itxMaybePending { return }
        c.awaitAnswer(Answer([.revokeAndAck], what: "revoke_and_ack"))
    }

    static let closingCompleteReply = Rule(
        RuleInfo(
            "cs-reply", "closing_complete is answered by closing_sig", section: CloseRules.simpleSection,
            severity: .error,
            spec:
                "The receiver of `closing_complete` (aka. \"the closee\"): … MUST sign and broadcast the corresponding closing transaction. MUST send `closing_sig` with a single valid signature in the same TLV field as the `closing_complete`.",
            explanation:
                "A `closing_complete` the closee may not ignore (its `closee_scriptpubkey` is the closee's latest script and its `closer_scriptpubkey` a valid one) is answered by `closing_sig`, unless a `warning` or `error` refuses it. Judged when the answer comes, or when the connection ends after the closee sent other messages on the channel without it.",
            example: "→ closing_complete, ← closing_complete, (FIN) — no closing_sig from the closee"),
        on: [.closingComplete]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        guard let expected = ch.closingProposal[c.peer]?.closerScript ?? ch.shutdownScript[c.peer] else {
            return c.notEvaluated("the peer's `shutdown` is not in the trace")
        }
        guard let closee = c.needBytes(\.closeeScriptpubkey), let closer = c.needBytes(\.closerScriptpubkey) else { return }
        // The cases the closee SHOULD ignore: nothing is owed.
        if closee != expected || CloseRules.scriptProblem(closer, on: c.connection) != nil { return }
        c.awaitAnswer(Answer([.closingSig], what: "closing_sig"))
    }

    static let shortIDQueryReply = Rule(
        RuleInfo(
            "q-scid-reply", "query_short_channel_ids ends with reply_short_channel_ids_end", section: GossipRules.querySection,
            severity: .error,
            spec:
                "The receiver: … MUST respond to each known `short_channel_id`: … MUST follow these responses with `reply_short_channel_ids_end`.",
            explanation:
                "Which channels the receiver knows is its own state, but every query ends with `reply_short_channel_ids_end` (a query sent before the previous one's end, which `q-scid-outstanding` reports, may be ignored). Judged when it comes, or when the connection ends after the receiver sent other messages without it. Captures only: a node log may not show every reply.",
            example: "→ query_short_channel_ids, ← channel_announcement, ← channel_update, (FIN) — no reply_short_channel_ids_end"),
        on: [.queryShortChannelIds]
    ) { c in
        guard GossipRules.repliesComplete(&c) else { return }
        // A query sent before the last one's end (`q-scid-outstanding`) may be ignored.
        if c.connection.shortIDQueryOutstanding[c.direction] { return }
        c.awaitAnswer(Answer([.replyShortChannelIdsEnd], what: "reply_short_channel_ids_end", sameChannel: false))
    }

    static let announcementReply = Rule(
        RuleInfo(
            "as-reply", "announcement_signatures is answered after a reconnection", section: announcementSection,
            severity: .error,
            spec:
                "A node: … Upon reconnection (once the above timing requirements have been met): … If it receives `announcement_signatures` for the funding transaction: MUST respond with its own `announcement_signatures` message.",
            explanation:
                "On a connection where the channel was reestablished, a node that receives the peer's `announcement_signatures` sends its own, unless it already did on this connection. Whether the funding is deep enough for the receiver is chain data: a missing answer is judged only when the receiver sent `announcement_signatures` for that funding before in the trace. Judged for the channel's funding transaction (a spliced channel uses `retransmit_flags`).",
            example: "(reconnection) ← channel_reestablish, ← announcement_signatures, → update_add_htlc, (FIN) — no announcement_signatures"),
        on: [.announcementSignatures]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        guard ch.reestablishSent.contains(true) else { return }  // not a reconnection
        guard !ch.spliced, ch.supersededShortIDs.isEmpty else {
            return c.notEvaluated("the channel was spliced: its announcements follow `retransmit_flags`")
        }
        if ch.announcementOnConnection[c.peer] || ch.shutdownSent[c.peer] { return }
        guard c.connection.startSeen else { return c.notEvaluated(ConnectionRules.startUnseen(c)) }
        guard let id = c.typed.shortChannelID else { return c.notGiven(\TypedMessage.shortChannelID) }
        let before = ch.announcementShortID[c.peer] == id
        c.awaitAnswer(Answer([.announcementSignatures], what: "announcement_signatures", unjudgeable: before ? nil : depthUnknown))
    }

    static let announcementReconnect = Rule(
        RuleInfo(
            "as-reconnect", "announcement_signatures again after a reconnection", section: announcementSection,
            severity: .error,
            spec:
                "A node: … Upon reconnection (once the above timing requirements have been met): If it has NOT previously received `announcement_signatures` for the funding transaction: MUST send its own `announcement_signatures` message.",
            explanation:
                "A node that sent `announcement_signatures` for the funding (so the timing was met) and never received the peer's sends its own again after its `channel_reestablish`. Judged when it comes, or when the connection ends after the node sent other messages on the channel without it. A spliced channel uses `retransmit_flags` instead (`re-funding-locked-flags`).",
            example:
                "→ announcement_signatures, (reconnection) → channel_reestablish, ← channel_reestablish, → update_add_htlc, (FIN) — no announcement_signatures"
        ),
        on: [.channelReestablish]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        guard let mine = ch.announcementShortID[c.sender] else { return }  // the timing is not known to be met
        if ch.spliced || !ch.supersededShortIDs.isEmpty || ch.shutdownSent[c.sender] || ch.announce == false { return }
        if ch.announcementShortID[c.peer] == mine { return }  // received
        c.awaitAnswer(Answer(from: .sender, [.announcementSignatures], what: "announcement_signatures"))
    }

    static let fundingLockedReact = Rule(
        RuleInfo(
            "re-funding-locked-react", "the announcement_signatures bit is answered", section: ReestablishRules.section,
            severity: .error,
            spec:
                "A receiving node: if `my_current_funding_locked` is included with the `announcement_signatures` bit set in `retransmit_flags`: … if `announce_channel` is set for this channel and the receiver is ready to send `announcement_signatures` for the corresponding transaction: MUST retransmit its `announcement_signatures`. (BOLT #7: if the `announcement_signatures` bit is set in the *remote* `retransmit_flags`: MUST retransmit its `announcement_signatures` message.)",
            explanation:
                "A peer's `channel_reestablish` that asks for `announcement_signatures` again (bit 0 of `retransmit_flags`) on an announced, ready channel is answered by the receiver's `announcement_signatures`. Whether the receiver is ready is chain data: a missing answer is judged only when the receiver sent `announcement_signatures` for that channel before in the trace. The other reaction, treating a matching pending splice as locked, leaves nothing on the wire of its own.",
            example:
                "→ announcement_signatures, (reconnection) ← channel_reestablish my_current_funding_locked=<funding>,1, → channel_reestablish, → update_add_htlc, (FIN) — no announcement_signatures"
        ),
        on: [.channelReestablish]
    ) { c in
        guard let ch = c.channel, ch.announce == true, let locked = c.typed.myCurrentFundingLockedRecord, locked.retransmitFlags & 1 != 0 else {
            return
        }
        guard ch.origin != .opened || ch.readySent == PerSide(true, true), !ch.shutdownSent[c.peer] else { return }
        c.awaitAnswer(
            Answer(
                [.announcementSignatures], what: "announcement_signatures", unjudgeable: ch.announcementShortID[c.peer] == nil ? depthUnknown : nil))
    }

    static let dataLoss = Rule(
        RuleInfo(
            "re-data-loss", "a node that fell behind asks for the channel to be failed", section: ReestablishRules.section,
            severity: .warning,
            spec:
                "A receiving node: … if `next_revocation_number` is greater than expected above, AND `your_last_per_commitment_secret` is correct for that `next_revocation_number` minus 1: MUST NOT broadcast its commitment transaction. SHOULD send an `error` to request the peer to fail the channel. otherwise: if `your_last_per_commitment_secret` does not match the expected values: SHOULD send an `error` and fail the channel.",
            explanation:
                "When the peer's `next_revocation_number` is beyond the node's own `next_commitment_number` − 1 (one more while the node names an unsigned interactive transaction in `next_funding`), the node has lost state: whether the peer's secret proves it or not, it should send an `error`. Judged once both `channel_reestablish` are in, when the `error` comes (a `warning` also settles it) or when the connection ends after the node sent other messages on the channel without one.",
            example: "→ channel_reestablish next_commitment_number=3, ← channel_reestablish next_revocation_number=5, → update_add_htlc, (FIN)"),
        on: [.channelReestablish]
    ) { c in
        guard let ch = c.channel, let other = ch.reestablish[c.peer] else { return }
        guard let nc = c.uint(\.nextCommitmentNumber), let nr = c.uint(\.nextRevocationNumber), let otherNC = other.nextCommitmentNumber,
            let otherNR = other.nextRevocationNumber
        else { return c.notEvaluated("\(c.source) does not give the commitment numbers") }
        // X fell behind when Y's next_revocation_number passes X's next_commitment_number − 1.
        func behind(nc: UInt64, nextFunding: Bool, peerNR: UInt64) -> Bool { peerNR + 1 > nc + (nextFunding ? 1 : 0) }
        if behind(nc: otherNC, nextFunding: other.hasNextFunding == true, peerNR: nr) {
            c.awaitAnswer(Answer([.error], what: "error"))
        } else if behind(nc: nc, nextFunding: c.typed.nextFundingRecord != nil, peerNR: otherNR) {
            c.awaitAnswer(Answer(from: .sender, [.error], what: "error"))
        }
    }

    static let shutdownReply = Rule(
        RuleInfo(
            "sd-reply", "shutdown is answered by shutdown", section: CloseRules.shutdownSection,
            severity: .error,
            spec:
                "A receiving node: … once there are no outstanding updates on the peer, UNLESS it has already sent a `shutdown`: MUST reply to a `shutdown` message with a `shutdown`.",
            explanation:
                "A node that receives `shutdown` and has not sent its own answers with one. Judged when it comes, or when the connection ends after the receiver sent other messages on the channel without it; a connection that ends with updates not yet signed and revoked on both commitments leaves it not evaluated (the receiver may settle them first).",
            example: "→ shutdown, ← update_fulfill_htlc, ← commitment_signed, (FIN) — no shutdown from the receiver"),
        on: [.shutdown]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.shutdownSent[c.peer] { return }
        // The receiver's own shutdown may precede the trace.
        guard c.connection.startSeen else { return c.notEvaluated(ConnectionRules.startUnseen(c)) }
        c.awaitAnswer(
            Answer(
                [.shutdown], what: "shutdown",
                dueAtEnd: { $0.ledger.everythingCommitted ? nil : "updates were still outstanding when the connection ended" }))
    }

    static let funderFirst = Rule(
        RuleInfo(
            "lcs-funder-first", "the funder opens a legacy closing negotiation", section: CloseRules.legacySection,
            severity: .warning,
            spec:
                "The funding node: after `shutdown` has been received, AND no HTLCs remain in either commitment transaction: SHOULD send a `closing_signed` message.",
            explanation:
                "Without `option_simple_close`, once both `shutdown`s are exchanged on the connection and the channel holds no HTLC and no unsigned or unrevoked update, the funder sends `closing_signed`. Judged at the second `shutdown` (a channel that becomes clean later is not, nor one an update makes unclean again), when the answer comes or when the connection ends after the funder sent other messages (a `ping` too) without it.",
            example: "→ shutdown, ← shutdown, ← ping, (FIN) — the funder never sends closing_signed"),
        on: [.shutdown]
    ) { c in
        guard let ch = c.channel, ch.shutdownOnConnection[c.peer], !ch.closingSent[c.sender], !ch.closingSent[c.peer] else { return }
        guard let simple = c.connection.negotiated(60) else { return c.notEvaluated("the connection's `init` messages are not in the trace") }
        if simple { return }
        guard c.connection.startSeen else { return c.notEvaluated(ConnectionRules.startUnseen(c)) }
        guard ch.origin == .opened, !ch.htlcIDsUnknown, let opener = ch.opener else {
            return c.notEvaluated("the channel's opening or HTLCs are not in the trace")
        }
        guard ch.ledger.everythingCommitted, !ch.ledger.htlcs.contains(where: { $0.removeIndex == nil }) else { return }
        c.awaitAnswer(
            Answer(
                from: opener == c.sender ? .sender : .receiver, [.closingSigned, .closingComplete], what: "closing_signed", anyMessageCounts: true,
                excusedBy: updateMessages))
    }

    static let spliceAckThenSession = Rule(
        RuleInfo(
            "spl-ack-then-itx", "splice_ack is followed by the interactive-tx session",
            section: "BOLT #2 §\"Channel Splicing\" §\"The splice_ack Message\" Requirements",
            severity: .error,
            spec:
                "The receiving node: If it has sent `splice_init`: … If it accepts the splice attempt: MUST start an `interactive-tx` session to create the splice transaction. Otherwise: MUST reject the splice attempt by sending `tx_abort`.",
            explanation:
                "After `splice_ack` the splice's initiator sends the session's first move (which `itx-start` judges) or `tx_abort`. Judged when it comes, or when the connection ends after the initiator sent other messages (a `ping` too) without either.",
            example: "→ stfu, ← stfu, → splice_init, ← splice_ack, → update_add_htlc, (FIN)"),
        on: [.spliceAck]
    ) { c in
        guard c.channel != nil else { return c.notEvaluated("the message's channel is not known") }
        c.awaitAnswer(Answer(interactiveTxMoves.union([.txAbort]), what: "tx_add_input", anyMessageCounts: true))
    }

    static let reestablishEach = Rule(
        RuleInfo(
            "re-send-each", "channel_reestablish for each channel", section: ReestablishRules.section,
            severity: .error,
            spec:
                "A node: … upon reconnection: if a channel is in an error state: SHOULD retransmit the error packet and ignore any other packets for that channel. otherwise: MUST transmit `channel_reestablish` for each channel.",
            explanation:
                "When one node reestablishes a channel on a connection, the other sends its own `channel_reestablish` for it too (or the channel's error). Judged when it comes, or when the connection ends after the other node sent other messages on the connection without it.",
            example: "(reconnection) → channel_reestablish channel=c1, ← channel_reestablish channel=c2, ← ping, (FIN) — none for c1"),
        on: [.channelReestablish]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.reestablishSent[c.peer] { return }
        // The receiver's own channel_reestablish may precede the trace.
        guard c.connection.startSeen else { return c.notEvaluated(ConnectionRules.startUnseen(c)) }
        c.awaitAnswer(Answer([.channelReestablish], what: "channel_reestablish", anyMessageCounts: true))
    }

    static let spliceSignaturesRetransmit = Rule(
        RuleInfo(
            "re-splice-retransmit", "tx_signatures of a splice again after next_funding",
            section: "BOLT #2 §\"Channel Splicing\" §\"The tx_signatures Message\" Requirements; \(ReestablishRules.section)",
            severity: .error,
            spec:
                "On reconnection: If `next_funding` matches the splice transaction: MUST retransmit `tx_signatures`. (§\"Message Retransmission\": if it has already received `tx_signatures` for that funding transaction: MUST send its `tx_signatures` for that funding transaction.)",
            explanation:
                "When the peer's `channel_reestablish` names, in `next_funding`, the splice whose `tx_signatures` the node sent before the reconnection or received from the peer, the node sends its `tx_signatures` for it (again). Judged when it comes (an `error`, `warning` or `tx_abort` excuses it), or when the connection ends after the node sent other messages without it. The `commitment_signed` that `next_funding` may ask for first is `re-next-funding-react`'s.",
            example:
                "← tx_signatures (splice), (reconnection) ← channel_reestablish next_funding=<the splice>, → channel_reestablish, → ping, (FIN) — no tx_signatures"
        ),
        on: [.channelReestablish]
    ) { c in
        guard let ch = c.channel, let named = c.typed.nextFundingRecord?.nextFundingTxid else { return }
        guard let session = ch.itx, session.kind != .open, !session.aborted, session.txid == named else { return }
        // A differing next_funding of the receiver's own fails the channel instead.
        if let own = ch.reestablish[c.peer]?.nextFundingTxid, own != named { return }
        guard session.signaturesSent[c.peer] || session.signaturesSent[c.sender] else { return }
        c.awaitAnswer(Answer([.txSignatures], what: "tx_signatures", anyMessageCounts: true, excusedBy: [.txAbort]))
    }

    static let unknownChain = Rule(
        RuleInfo(
            "v1-chain", "an opening on a chain the receiver does not list is failed", section: EstablishmentRules.openSection,
            severity: .error,
            spec:
                "The receiving node MUST fail the channel if: the `chain_hash` value is set to a hash of a chain that is unknown to the receiver. (BOLT #1: the sending node SHOULD set `networks` to all chains it will gossip or open channels for.)",
            explanation:
                "A node whose `init` lists its chains in `networks` answers an `open_channel` or `open_channel2` on another chain with an `error` (or `warning`): it does not know that chain, or it did not list a chain it opens channels for. Judged when the answer comes, or when the connection ends after the receiver sent other messages on the channel (its `accept_channel`) without it. The opener's side is `conn-networks`.",
            example: "← init networks=<mainnet>, → open_channel chain_hash=<regtest>, ← accept_channel, (FIN)"),
        on: [.openChannel, .openChannel2]
    ) { c in
        guard let listed = c.connection.networks[c.direction.reversed], !listed.isEmpty, let chain = c.typed.chainHash else { return }
        guard !listed.contains(chain) else { return }
        c.awaitAnswer(Answer([.error, .warning], what: "error"))
    }
}
