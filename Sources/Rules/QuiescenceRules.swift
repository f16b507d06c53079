import Provenance
import Transactions
import Wire

/// BOLT #2 §"Channel Quiescence": `stfu`.
enum QuiescenceRules {
    static let all: [Rule] = [negotiated, noPending, once, initiatorFlag, noAdds, noRemovals, noFeeUpdates, reply, onlyDependent, quiescenceTimeout]

    static let section = "BOLT #2 §\"Channel Quiescence\" Requirements"

    static let negotiated = Rule(
        RuleInfo(
            "stfu-negotiated", "stfu only with option_quiesce", section: section,
            severity: .error,
            spec: "The sender of `stfu`: MUST NOT send `stfu` unless `option_quiesce` is negotiated.",
            explanation: "Quiescence needs feature 34/35 on both sides.",
            example: "→ init, ← init (no bit 34/35), → stfu"),
        on: [.stfu]
    ) { c in
        guard let both = c.connection.negotiated(34) else { return c.notEvaluated("the connection's `init` messages are not in the trace") }
        if !both { c.violation("`stfu` although option_quiesce is not negotiated") }
    }

    static let noPending = Rule(
        RuleInfo(
            "stfu-no-pending", "stfu only with the sender's updates settled", section: section,
            severity: .error,
            spec:
                "The sender of `stfu`: MUST NOT send `stfu` if any of the sender's htlc additions, htlc removals or fee updates are pending for either peer.",
            explanation:
                "Read leniently: none of the sender's own updates may be unsigned (state 1 of an update's life) or waiting for the peer's signing after the sender's revocation was answered (state 3). The peer's pending updates do not block `stfu`.",
            example: "→ update_add_htlc, → stfu"),
        on: [.stfu]
    ) { c in
        guard let ch = c.channel, ch.origin != .unknown else { return c.notEvaluated("the channel's state before the trace is unknown") }
        for index in ch.ledger.updates[c.sender].indices {
            let state = ch.ledger.state(ofUpdate: index, sentBy: c.sender)
            if state == .pendingOnReceiver { return c.violation("an update of the sender is not yet signed (pending on the peer)") }
            if state == .pendingOnSender { return c.violation("an update of the sender is not yet in its own commitment (pending on the sender)") }
        }
    }

    static let once = Rule(
        RuleInfo(
            "stfu-once", "one stfu per quiescence", section: section,
            severity: .error,
            spec: "The sender of `stfu`: MUST NOT send `stfu` twice.",
            explanation: "Within one quiescence session (until it ends with a splice's `tx_signatures` or a disconnection) a node sends `stfu` once.",
            example: "→ stfu, → stfu"),
        on: [.stfu]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.stfuSent[c.sender] { c.violation("a second `stfu` from the sender in the same quiescence") }
    }

    static let initiatorFlag = Rule(
        RuleInfo(
            "stfu-initiator-flag", "initiator is 1 unless replying", section: section,
            severity: .error,
            spec: "The sender of `stfu`: if it is replying to an `stfu`: MUST set `initiator` to 0; otherwise: MUST set `initiator` to 1.",
            explanation:
                "A reply carries 0, a first `stfu` carries 1. Two `stfu`s with 1 may have crossed on the wire (Documentation/channel-model.md, §Sides and vantage): that is certain to be wrong only when the trace was recorded at the sender.",
            example: "← stfu initiator=1, → stfu initiator=1", vantageDependent: true),
        on: [.stfu]
    ) { c in
        // The peer's `stfu` may have come before the trace began.
        guard let ch = c.known() else { return }
        guard let flag = c.need(\.initiator) else { return }
        if ch.stfuSent[c.peer] && flag != 0 {
            c.crossingViolation("initiator is \(flag) in a reply to the peer's `stfu`")
        } else if !ch.stfuSent[c.peer] && flag != 1 {
            c.violation("initiator is \(flag) although no `stfu` of the peer has arrived")
        }
    }

    /// One "no update after `stfu`" requirement, reported under the catalog id of the update's
    /// own section: `stfu-no-updates` for `update_add_htlc`, `rm-quiescent` for removals,
    /// `fee-quiescent` for `update_fee`, so that each message is reported once.
    static func noUpdates(_ id: String, _ title: String, section: String, spec: String, example: String, on kinds: Set<MessageKind>) -> Rule {
        Rule(
            RuleInfo(
                id, title, section: section,
                severity: .error,
                spec: spec,
                explanation:
                    "Until quiescence ends (a splice's `tx_signatures`, or a disconnection) the sender of `stfu` sends no update message; `commitment_signed` and `revoke_and_ack` stay allowed to settle the peer's updates. Each kind of update is reported by one rule: `update_add_htlc` by stfu-no-updates, removals by rm-quiescent, `update_fee` by fee-quiescent.",
                example: example),
            on: kinds
        ) { c in
            guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
            if ch.stfuSent[c.sender] { c.violation("`\(c.name)` after the sender's own `stfu`") }
        }
    }

    static let stfuSpec = "The sender of `stfu`: MUST NOT send an update message after `stfu`."

    static let noAdds = noUpdates(
        "stfu-no-updates", "no update_add_htlc after stfu", section: section, spec: stfuSpec, example: "→ stfu, → update_add_htlc",
        on: [.updateAddHTLC])

    static let noRemovals = noUpdates(
        "rm-quiescent", "no HTLC removal after stfu", section: "\(section); \(UpdateRules.removeSection)",
        spec: "\(stfuSpec) (`update_fulfill_htlc`, `update_fail_htlc` and `update_fail_malformed_htlc` are update messages.)",
        example: "→ stfu, → update_fulfill_htlc", on: removalMessages)

    static let noFeeUpdates = noUpdates(
        "fee-quiescent", "no update_fee after stfu", section: "\(section); \(ReserveRules.feeSection)",
        spec: "\(stfuSpec) (`update_fee` is an update message.)", example: "→ stfu, → update_fee", on: [.updateFee])

    static let reply = Rule(
        RuleInfo(
            "stfu-reply", "no updates while an stfu waits for its reply", section: section,
            severity: .warning,
            spec:
                "The receiver of `stfu`: if it has sent `stfu` then: MUST NOT send `stfu`. Otherwise: SHOULD NOT send any more update messages; MUST reply with `stfu` once it can do so.",
            explanation:
                "A node asked to quiesce settles what it has in flight and answers with its own `stfu`; new updates delay quiescence. An update that may have crossed the peer's `stfu` on the wire is certain only when the trace was recorded at its sender. Whether the reply came \"once it can\" is not judged: a trace that ends or disconnects first cannot show it.",
            example: "← stfu, → update_add_htlc", vantageDependent: true),
        on: updateMessages
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.stfuSent[c.peer] && !ch.stfuSent[c.sender] {
            c.crossingViolation("`\(c.name)` after the peer's `stfu`, before replying with `stfu`")
        }
    }

    /// How long a quiescent channel with HTLCs may stay connected (BOLT #2 §"stfu"), and the
    /// margin for the recording point's clock against the nodes'.
    static let timeout = 60.0
    static let timeoutMargin = 1.0

    static let quiescenceTimeout = Rule(
        RuleInfo(
            "stfu-timeout", "a quiescent channel with HTLCs disconnects within 60 s", section: section,
            severity: .error,
            spec: "Both nodes: MUST disconnect after 60 seconds of quiescence if the HTLCs are pending.",
            explanation:
                "Quiescence holds HTLCs that may be timing out, so it may last a minute at most. Judged on the trace's clock from the second `stfu`, with a second's margin for the recording point: a message of the channel more than 61 s later, with the channel still quiescent and an HTLC in it, shows that neither node disconnected. Reported once per quiescence; a trace without times is not judged.",
            example: "→ stfu, ← stfu (HTLCs pending), (75 s), → tx_add_input"),
        on: everyMessage
    ) { c in
        guard let ch = c.channel, let since = ch.quiescentAt, ch.stfuSent == PerSide(true, true) else { return }
        guard let now = c.event.time else { return c.notEvaluated("\(c.source) has no time") }
        let deadline = timeout + timeoutMargin
        guard now.seconds(since: since) > deadline, (ch.lastMessageAt.map { $0.seconds(since: since) <= deadline } ?? true) else { return }
        let pending = ch.ledger.htlcs.filter { $0.removeIndex == nil }.count
        guard pending > 0 else { return }
        let elapsed = Int(now.seconds(since: since))
        c.violation(
            "the channel has been quiescent for \(elapsed) s with \(pending) HTLC\(pending == 1 ? "" : "s") pending, and neither node disconnected")
    }

    static let onlyDependent = Rule(
        RuleInfo(
            "stfu-only-dependent", "no closing while quiescent", section: "BOLT #2 §\"Channel Quiescence\"; §\"Channel Splicing\"",
            severity: .error,
            spec:
                "Quiescence is a state in which the channel is not updated, for a dependent protocol (splicing) to run; it ends when that protocol completes (a splice's `tx_signatures`) or on disconnection.",
            explanation:
                "Once both nodes sent `stfu`, only the dependent protocol's messages flow (`splice_init`, the interactive-transaction messages, `commitment_signed`, `tx_signatures`, `tx_abort`). A `shutdown` or a closing negotiation then starts another protocol on a channel that is about to be spliced. Updates are judged by `stfu-no-updates`, `rm-quiescent` and `fee-quiescent`.",
            example: "→ stfu, ← stfu, → shutdown"),
        on: [.shutdown, .closingSigned, .closingComplete, .closingSig]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.stfuSent[c.sender] && ch.stfuSent[c.peer] { c.violation("`\(c.name)` while the channel is quiescent") }
    }
}
