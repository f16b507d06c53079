import Ledger
import Wire

/// "MUST ignore" requirements: the receiver's reaction to the message is watched (``Answer/ignored(_:sameChannel:)``;
/// Documentation/rules.md, "Ignored messages"). An `error` or `warning` as the receiver's next
/// message, for the channel or the connection, before the sender sent anything more, is the
/// reaction the requirement forbids; a message that broke another rule is not judged (the
/// reaction may answer that).
enum IgnoreRules {
    static let all: [Rule] = [
        unknownOdd, duplicateHash, repeatedID, signaturesAfterReady, redundantReady, obsoleteSigning, spliceEndsQuiescence,
        disconnectionEndsQuiescence,
    ]

    static let howJudged =
        "Judged at the receiver's next message: an `error` or `warning` there, for the channel or the whole connection, before the sender sent anything more, is the reaction the requirement forbids; any other message shows the node went on. A message that broke another rule is not judged (the reaction may answer that), nor one after which the trace or connection ends."

    static let unknownOdd = Rule(
        RuleInfo(
            "fmt-unknown-odd-msg", "an unknown odd message is ignored", section: FormatRules.formatSection,
            severity: .error,
            spec: "A receiving node: upon receiving a message of _odd_, unknown type: MUST ignore the received message.",
            explanation: "\"It's ok to be odd\": a message type the receiver does not know, if odd, is skipped. " + howJudged,
            example: "→ message of type 32769, ← error"), on: everyMessage
    ) { c in
        let type: UInt16?
        switch c.event.content {
        case let .decoded(.unknown(unknown)): type = unknown.type
        case let .partial(p) where p.type.map({ Message.knownTypes[$0] == nil }) == true: type = p.type
        default: type = nil
        }
        guard let type, type & 1 == 1 else { return }
        c.awaitAnswer(.ignored("message type \(type)", sameChannel: false))
    }

    static let duplicateHash = Rule(
        RuleInfo(
            "add-dup-hash", "HTLCs may share a payment_hash", section: UpdateRules.addSection,
            severity: .error,
            spec: "A receiving node: … MUST allow multiple HTLCs with the same `payment_hash`.",
            explanation:
                "An `update_add_htlc` whose `payment_hash` is that of an HTLC still in the channel (either direction) is legal: multi-part payments and forwards share hashes. "
                + howJudged,
            example: "→ update_add_htlc id=0 payment_hash=aa…, → update_add_htlc id=1 payment_hash=aa…, ← error"),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.channel, let hash = c.bytes(\.paymentHash) else { return }
        guard ch.ledger.htlcs.contains(where: { $0.removeIndex == nil && $0.paymentHash == hash }) else { return }
        c.awaitAnswer(.ignored("an HTLC with a `payment_hash` already in the channel"))
    }

    static let repeatedID = Rule(
        RuleInfo(
            "add-repeat-id-reconnect", "a re-offered HTLC id is accepted after a reconnection", section: UpdateRules.addSection,
            severity: .error,
            spec:
                "A receiving node: … if the sender did not previously acknowledge the commitment of that HTLC: MUST ignore a repeated `id` value after a reconnection.",
            explanation:
                "Updates not yet signed for are undone at a disconnection, so the sender offers their ids again on the next connection: the receiver takes the add as new. "
                + howJudged,
            example: "→ update_add_htlc id=0, (reconnection), → update_add_htlc id=0, ← error"),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.channel, let id = c.uint(\.id), let below = ch.ledger.undoneBelow[c.sender], id < below else { return }
        c.awaitAnswer(.ignored("the re-offered HTLC id \(id)"))
    }

    static let signaturesAfterReady = Rule(
        RuleInfo(
            "v2-sigs-ignore-after-ready", "a late tx_signatures of the opening is ignored",
            section: "BOLT #2 §\"Sharing funding signatures: tx_signatures\" Requirements",
            severity: .error,
            spec:
                "The receiving node: if has already sent or received a `channel_ready` message for this channel: MUST ignore this message",
            explanation:
                "A `tx_signatures` for a v2 channel's funding transaction that comes after a `channel_ready` (a retransmission) is ignored. "
                + howJudged,
            example: "→ tx_signatures, ← tx_signatures, → channel_ready, ← channel_ready, → tx_signatures, ← error"),
        on: [.txSignatures]
    ) { c in
        guard let ch = c.channel, ch.dualFunded, ch.readySent.contains(true) else { return }
        guard let txid = c.typed.txid, let funding = ch.fundingTxid, txid == funding else { return }
        c.awaitAnswer(.ignored("a `tx_signatures` after `channel_ready`"))
    }

    static let redundantReady = Rule(
        RuleInfo(
            "re-ignore-ready", "a redundant channel_ready is ignored", section: ReestablishRules.section,
            severity: .error,
            spec: "A node: … upon reconnection: MUST ignore any redundant `channel_ready` it receives.",
            explanation:
                "After a reconnection, a `channel_ready` the receiver already had (same channel, no new alias) is ignored. " + howJudged,
            example: "→ channel_ready, (reconnection), → channel_reestablish, ← channel_reestablish, → channel_ready, ← error"),
        on: [.channelReady]
    ) { c in
        guard let ch = c.channel, ch.reestablishSent.contains(true), ch.readySent[c.sender] else { return }
        if let alias = c.typed.shortChannelIDRecord, !ch.aliases[c.sender].contains(alias.rawValue) { return }
        c.awaitAnswer(.ignored("a redundant `channel_ready`"))
    }

    static let obsoleteSigning = Rule(
        RuleInfo(
            "batch-obsolete", "a signing of another funding is ignored", section: UpdateRules.commitSection,
            severity: .error,
            spec:
                "A receiving node: … Otherwise (no pending splice transactions): MUST ignore `commitment_signed` where `funding_txid` does not match the current funding transaction.",
            explanation:
                "A `commitment_signed` naming a funding transaction that is not the channel's (a member of a batch that crossed `splice_locked`) is skipped, without an `error`. The sender's side is `commit-funding-txid`, whose violation leaves this judged; the receiver is judged on a channel whose funding transaction the trace shows. "
                + howJudged,
            example: "→ funding_created funding_txid=aa…, …, → commitment_signed funding_txid=bb…, ← error"),
        on: [.commitmentSigned]
    ) { c in
        guard let ch = c.channel, ch.pendingSplices == 0, let named = c.typed.fundingTxidRecord else { return }
        guard let current = ch.spliced ? ch.lockedSpliceTxid : ch.fundingTxid, named != current else { return }
        c.awaitAnswer(.ignored("a `commitment_signed` of another funding transaction", tolerating: ["commit-funding-txid"]))
    }

    /// A rule that watches the first update after quiescence ended `how`.
    static func firstUpdate(after how: ChannelModel.QuiescenceEnd, _ info: RuleInfo, what: String) -> Rule {
        Rule(info, on: updateMessages) { c in
            guard let ch = c.channel, ch.quiescenceEnded == how else { return }
            c.awaitAnswer(.ignored(what))
        }
    }

    static let spliceEndsQuiescence = firstUpdate(
        after: .splice,
        RuleInfo(
            "spl-quiescence-end", "the channel is live again after a splice's tx_signatures",
            section: "BOLT #2 §\"Channel Splicing\" §\"The tx_signatures Message\" Requirements",
            severity: .error,
            spec: "The receiving node (of a splice's `tx_signatures`): … MUST consider the channel no longer quiescent.",
            explanation:
                "Once both nodes exchanged a splice's `tx_signatures`, updates are legal again: the first update after them is taken, not refused. "
                + howJudged,
            example: "→ tx_signatures, ← tx_signatures (splice), → update_add_htlc, ← error"),
        what: "the first update after the splice")

    static let disconnectionEndsQuiescence = firstUpdate(
        after: .disconnection,
        RuleInfo(
            "stfu-disconnect-ends", "the channel is live again after a reconnection", section: QuiescenceRules.section,
            severity: .error,
            spec: "Upon disconnection: the channel is no longer considered quiescent.",
            explanation:
                "A channel that was quiescent when its connection ended starts the next connection live: the first update on it is taken, not refused. "
                + howJudged,
            example: "→ stfu, ← stfu, (reconnection), → channel_reestablish, ← channel_reestablish, → update_add_htlc, ← error"),
        what: "the first update after the reconnection")
}
