import Basics
import Wire

/// BOLT #2 §"Channel Close": `shutdown`, and the closing negotiation (`closing_signed`, or
/// `closing_complete`/`closing_sig` with `option_simple_close`).
enum CloseRules {
    static let all: [Rule] = [
        afterFunding, noPendingUpdates, once, noAdd, noAddReceived, scriptForm, upfrontMatch, mode, whenClean,
        waitClosingSig, closingSigSolicited, closingSigEcho, closingSigOne, closerScript, closeeScript, feeRange, strictlyBetween, agree,
        funderOverlap,
        nonFunderOverlap,
        noRemovalsWhenClean, noFeeWhenClean,
        terminal,
    ]

    static let shutdownSection = "BOLT #2 §\"Closing Initiation: shutdown\" Requirements"
    static let simpleSection = "BOLT #2 §\"Closing Negotiation: closing_complete and closing_sig\" Requirements"
    static let legacySection = "BOLT #2 §\"Legacy Closing Negotiation: closing_signed\" Requirements"

    static let afterFunding = Rule(
        RuleInfo(
            "sd-after-funding", "shutdown only after funding is signed", section: shutdownSection,
            severity: .error,
            spec:
                "A sending node: if it hasn't sent a `funding_created` (if it is a funder) or a `funding_signed` (if it is a fundee): MUST NOT send a `shutdown`.",
            explanation: "Before the funding is signed for there is no channel to close cooperatively.",
            example: "→ open_channel, ← accept_channel, → shutdown"),
        on: [.shutdown]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        guard !ch.dualFunded else { return c.notEvaluated("the channel was opened with `open_channel2` (v2)") }
        let funder = ch.opener == c.sender
        if funder && !ch.fundingCreatedSeen {
            c.violation("`shutdown` from the funder before its `funding_created`")
        } else if !funder && !ch.fundingSignedSeen {
            c.violation("`shutdown` from the fundee before its `funding_signed`")
        }
    }

    static let noPendingUpdates = Rule(
        RuleInfo(
            "sd-no-pending-updates", "no shutdown with unsigned updates", section: shutdownSection,
            severity: .error,
            spec: "A sending node: if there are updates pending on the receiving node's commitment transaction: MUST NOT send a `shutdown`.",
            explanation:
                "Every update the sender sent must be covered by one of its own signings first (none in state 1 of an update's life): \"the sender always sends a `commitment_signed` first\". This is the order lnd's link and chan closer break when they process one channel's messages in different goroutines (lnd #8393).",
            example: "→ update_add_htlc, → shutdown (before → commitment_signed)"),
        on: [.shutdown]
    ) { c in
        guard let ch = c.channel, ch.origin != .unknown else { return c.notEvaluated("the channel's state before the trace is unknown") }
        let pending = ch.ledger.uncommittedUpdates(c.sender)
        if pending > 0 {
            c.violation(
                "\(pending) update\(pending == 1 ? "" : "s") of the sender \(pending == 1 ? "is" : "are") not yet covered by its commitment_signed",
                field: "unsigned_updates", actual: UInt64(pending), expected: 0)
        }
    }

    static let once = Rule(
        RuleInfo(
            "sd-once", "one shutdown per connection", section: shutdownSection,
            severity: .error,
            spec: "A sending node: MUST NOT send multiple `shutdown` messages.",
            explanation:
                "A node sends `shutdown` once; after a reconnection it must send it again (BOLT #2 §\"Message Retransmission\"), so the count is per connection.",
            example: "→ shutdown, → shutdown"),
        on: [.shutdown]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.shutdownOnConnection[c.sender] { c.violation("a second `shutdown` from the sender on this connection") }
    }

    static let noAdd = Rule(
        RuleInfo(
            "sd-no-add", "no update_add_htlc after own shutdown", section: "\(shutdownSection); BOLT #2 §\"Adding an HTLC: update_add_htlc\"",
            severity: .error,
            spec: "A sending node: MUST NOT send an `update_add_htlc` after a `shutdown`.",
            explanation: "Once a node has asked to close, it must not add HTLCs to the channel.",
            example: "→ shutdown, → update_add_htlc"),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.shutdownSent[c.sender] { c.violation("`update_add_htlc` after the sender's own `shutdown`") }
    }

    static let noAddReceived = Rule(
        RuleInfo(
            "sd-no-add-received", "no update_add_htlc after the peer's shutdown", section: "BOLT #2 §\"Closing Initiation: shutdown\" Rationale",
            severity: .warning,
            spec:
                "… the sender always sends a `commitment_signed` first. As shutdown implies a desire to terminate, it implies that no new HTLCs will be added or accepted.",
            explanation:
                "The text binds only the sender of `shutdown`; a node that adds after receiving one is adding an HTLC that will not be accepted. The two messages may have crossed, so the finding is certain only when the trace was recorded at the adding node.",
            example: "← shutdown, → update_add_htlc", vantageDependent: true),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.shutdownSent[c.peer] && !ch.shutdownSent[c.sender] { c.crossingViolation("`update_add_htlc` after the peer's `shutdown` arrived") }
    }

    /// Whether a script offered for closing (`shutdown`, an upfront script, `closing_complete`)
    /// has a form the connection's features allow; `nil` if it is fine, else why not.
    static func scriptProblem(_ script: [UInt8], on connection: ConnectionModel) -> String? {
        scriptProblem(script, anySegwit: connection.negotiated(26), simpleClose: connection.negotiated(60))
    }

    /// Whether a `shutdown` script has one of the allowed forms; `nil` if it is fine, else why not.
    static func scriptProblem(_ script: [UInt8], anySegwit: Bool?, simpleClose: Bool?) -> String? {
        let n = script.count
        if n == 22 && script[0] == 0x00 && script[1] == 20 { return nil }
        if n == 34 && script[0] == 0x00 && script[1] == 32 { return nil }
        if n >= 4, (0x51...0x60).contains(script[0]), Int(script[1]) == n - 2, (2...40).contains(n - 2) {
            return anySegwit == false ? "a witness v\(script[0] - 0x50) program needs option_shutdown_anysegwit, which is not negotiated" : nil
        }
        if n >= 1 && script[0] == 0x6a {
            let valid =
                (n >= 2 && (6...75).contains(Int(script[1])) && Int(script[1]) == n - 2)
                || (n >= 3 && script[1] == 76 && (76...80).contains(Int(script[2])) && Int(script[2]) == n - 3)
            if !valid { return "an OP_RETURN script of the wrong form" }
            return simpleClose == false ? "an OP_RETURN script needs option_simple_close, which is not negotiated" : nil
        }
        return "not P2WPKH, P2WSH, a witness program or OP_RETURN"
    }

    static let scriptForm = Rule(
        RuleInfo(
            "sd-script-form", "shutdown script of an allowed form", section: shutdownSection,
            severity: .error,
            spec:
                "A sending node: MUST set `scriptpubkey` in one of the following forms: `OP_0` `20` 20-bytes, OR `OP_0` `32` 32-bytes, OR if (and only if) `option_shutdown_anysegwit` is negotiated: `OP_1` through `OP_16` inclusive, followed by a single push of 2 to 40 bytes, OR if (and only if) `option_simple_close` is negotiated: `OP_RETURN` followed by one of: `6` to `75` inclusive followed by exactly that many bytes, `76` followed by `76` to `80` followed by exactly that many bytes.",
            explanation: "The closing transaction must be standard: only these output scripts relay.",
            example: "→ shutdown scriptpubkey=76a914…88ac (P2PKH)"),
        on: [.shutdown]
    ) { c in
        guard let script = c.needBytes(\.scriptpubkey) else { return }
        if let problem = scriptProblem(script, on: c.connection) {
            c.violation("scriptpubkey \(short(Hex.encode(script))): \(problem)")
        }
    }

    static let upfrontMatch = Rule(
        RuleInfo(
            "sd-upfront-match", "shutdown script matches the upfront script", section: shutdownSection,
            severity: .error,
            spec:
                "A sending node: if it sent a non-zero-length `shutdown_scriptpubkey` in `open_channel` or `accept_channel`: MUST send the same value in `scriptpubkey`.",
            explanation: "A node that committed to a closing script when opening must close to it.",
            example: "→ open_channel upfront_shutdown_script=S, … → shutdown scriptpubkey=T"),
        on: [.shutdown]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        guard let upfront = ch.params[c.sender].upfrontShutdownScript, !upfront.isEmpty else { return }
        guard let script = c.needBytes(\.scriptpubkey) else { return }
        if script != upfront {
            c.violation("scriptpubkey \(short(Hex.encode(script))) is not the upfront_shutdown_script \(short(Hex.encode(upfront)))")
        }
    }

    static let mode = Rule(
        RuleInfo(
            "close-mode", "the closing messages of the negotiated kind", section: "\(simpleSection); \(legacySection)",
            severity: .error,
            spec:
                "`closing_complete`/`closing_sig` are used when `option_simple_close` is negotiated; otherwise nodes negotiate with `closing_signed` (§\"Legacy Closing Negotiation\").",
            explanation: "Feature 60/61 on both sides selects the simple close; without it only `closing_signed` exists.",
            example: "→ init, ← init (no bit 60/61), … → closing_complete"),
        on: [.closingSigned, .closingComplete, .closingSig]
    ) { c in
        guard let simple = c.connection.negotiated(60) else { return c.notEvaluated("the connection's `init` messages are not in the trace") }
        if simple && c.kind == .closingSigned { c.violation("`closing_signed` although option_simple_close is negotiated") }
        if !simple && c.kind != .closingSigned { c.violation("`\(c.name)` although option_simple_close is not negotiated") }
    }

    static let whenClean = Rule(
        RuleInfo(
            "close-when-clean", "closing negotiation only on a clean channel", section: "\(simpleSection); \(legacySection)",
            severity: .error,
            spec:
                "The closing negotiation starts \"once shutdown is complete, the channel is empty of HTLCs, there are no commitments for which a revocation is owed, and all updates are included on both commitments\": after a `shutdown` has been sent and received, AND no HTLCs remain in either commitment transaction.",
            explanation:
                "A closing signature before both `shutdown`s, or while HTLCs or unrevoked commitments remain, acts on a state the peer has not reached.",
            example: "→ shutdown, ← shutdown, → closing_signed (while an HTLC is still committed)"),
        on: [.closingSigned, .closingComplete]
    ) { c in
        // A `shutdown` sent before the trace began is not evidence of its absence.
        guard let ch = c.known() else { return }
        if !ch.shutdownSent[c.sender] { return c.violation("`\(c.name)` before the sender's own `shutdown`") }
        if !ch.shutdownSent[c.peer] { return c.violation("`\(c.name)` before the peer's `shutdown` arrived") }
        if !ch.ledger.everythingCommitted { return c.violation("updates are not yet signed and revoked on both commitments") }
        guard ch.origin == .opened else { return c.notEvaluated("HTLCs from before the trace are unknown") }
        guard !ch.htlcIDsUnknown else { return c.notEvaluated("the source does not give HTLC ids, so removals cannot be matched to HTLCs") }
        let remaining = ch.ledger.htlcs.filter { $0.removeIndex == nil }.count
        if remaining > 0 {
            c.violation(
                "\(remaining) HTLC\(remaining == 1 ? "" : "s") remain in the commitments", field: "htlcs_remaining", actual: UInt64(remaining),
                expected: 0)
        }
    }

    static let waitClosingSig = Rule(
        RuleInfo(
            "cc-wait-sig", "one closing_complete at a time", section: simpleSection,
            severity: .error,
            spec:
                "If it wants to send another `closing_complete` (e.g. with a different `fee_satoshis`): MUST wait until it has received `closing_sig` first.",
            explanation: "At most one unanswered `closing_complete` per sender.",
            example: "→ closing_complete, → closing_complete (before ← closing_sig)"),
        on: [.closingComplete]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.closingCompleteOutstanding[c.sender] { c.violation("the sender's previous closing_complete is not yet answered by closing_sig") }
    }

    static let closingSigSolicited = Rule(
        RuleInfo(
            "cs-solicited", "closing_sig answers a closing_complete", section: simpleSection,
            severity: .error,
            spec:
                "The receiver of `closing_complete` (aka. \"the closee\"): … MUST send `closing_sig` … (Derived: each `closing_sig` answers one outstanding `closing_complete`.)",
            explanation: "A `closing_sig` with no outstanding `closing_complete` from the peer answers nothing.",
            example: "→ shutdown, ← shutdown, → closing_sig"),
        on: [.closingSig]
    ) { c in
        guard let ch = c.known() else { return }  // the peer's closing_complete may precede the trace
        if !ch.closingCompleteOutstanding[c.peer] { c.violation("no closing_complete of the peer is waiting for closing_sig") }
    }

    static let feeRange = Rule(
        RuleInfo(
            "lcs-fee-range", "fee_satoshis within its fee_range", section: legacySection,
            severity: .error,
            spec:
                "The sending node: SHOULD set `fee_range` according to the minimum and maximum fees it is prepared to pay for a close transaction. (`min_fee_satoshis` ≤ `fee_satoshis` ≤ `max_fee_satoshis` is implied.)",
            explanation: "The proposed fee must lie inside the range the same message offers.",
            example: "→ closing_signed fee_satoshis=3000 fee_range=500,2000"),
        on: [.closingSigned]
    ) { c in
        guard c.needTLVs(), let fee = c.need(\.feeSatoshis) else { return }
        guard let range = c.typed.feeRangeRecord else { return }
        let minimum = range.minFeeSatoshis, maximum = range.maxFeeSatoshis
        if fee < minimum || fee > maximum {
            c.violation(
                "fee_satoshis \(fee) is outside its fee_range \(minimum)…\(maximum)", field: \TypedMessage.feeSatoshis, actual: fee, minimum: minimum,
                maximum: maximum)
        }
    }

    static let strictlyBetween = Rule(
        RuleInfo(
            "lcs-strictly-between", "a counter-proposal strictly between the last two fees", section: legacySection,
            severity: .error,
            spec:
                "The receiving node: … otherwise, if `fee_satoshis` is not strictly between its last-sent `fee_satoshis` and its previously-received `fee_satoshis`, UNLESS it has since reconnected: SHOULD send a `warning` and close the connection, or send an `error` and fail the channel. otherwise, if the receiver agrees with the fee: SHOULD reply with a `closing_signed` with the same `fee_satoshis` value. otherwise: MUST propose a value \"strictly between\" the received `fee_satoshis` and its previously-sent `fee_satoshis`.",
            explanation:
                "Without `fee_range`, the legacy negotiation converges: once each node has proposed a fee, each new proposal either accepts the peer's last fee or lies strictly between it and the proposer's own last one. A reconnection starts the negotiation again; a negotiation with `fee_range` follows the ranges (`lcs-fee-range`).",
            example: "→ closing_signed fee_satoshis=1000, ← closing_signed fee_satoshis=3000, → closing_signed fee_satoshis=500"),
        on: [.closingSigned]
    ) { c in
        guard let ch = c.known(), !ch.closingAgreed, let fee = c.need(\.feeSatoshis), c.needTLVs() else { return }
        guard !ch.closingRanged, c.typed.feeRangeRecord == nil else { return }
        guard let mine = ch.closingFee[c.sender], let theirs = ch.closingFee[c.peer], fee != theirs else { return }
        let (low, high) = (min(mine, theirs), max(mine, theirs))
        if fee <= low || fee >= high {
            c.violation(
                "fee_satoshis \(fee) is not strictly between the sender's last proposal \(mine) and the peer's \(theirs)",
                field: \TypedMessage.feeSatoshis, actual: fee)
        }
    }

    /// BOLT #2 §"Closing Initiation: shutdown": no update once the channel is clean, reported
    /// under the catalog id of the update's section (`update_fee`: fee-after-clean-shutdown;
    /// `update_add_htlc` is sd-no-add's), so that each message is reported once.
    static func noUpdatesWhenClean(_ id: String, _ title: String, section: String, example: String, on kinds: Set<MessageKind>) -> Rule {
        Rule(
            RuleInfo(
                id, title, section: section,
                severity: .error,
                spec:
                    "A sending node: if no HTLCs remain in either commitment transaction (including dust HTLCs) and neither side has a pending `revoke_and_ack` to send: MUST NOT send any `update` message after that point.",
                explanation:
                    "After its `shutdown`, a node may still settle HTLCs and change the fee while HTLCs remain; once none remain and every update is signed and revoked on both sides, the channel waits only for the closing negotiation. Removals are reported by sd-no-updates-when-clean, `update_fee` by fee-after-clean-shutdown, `update_add_htlc` by sd-no-add.",
                example: example),
            on: kinds
        ) { c in
            guard let ch = c.known() else { return }
            guard ch.shutdownSent[c.sender] else { return }
            guard ch.origin == .opened else { return c.notEvaluated("HTLCs from before the trace are unknown") }
            guard !ch.htlcIDsUnknown else { return c.notEvaluated("the source does not give HTLC ids, so removals cannot be matched to HTLCs") }
            let remaining = ch.ledger.htlcs.filter { $0.removeIndex == nil }.count
            if remaining == 0 && ch.ledger.everythingCommitted {
                c.violation("`\(c.name)` after the sender's `shutdown`, with no HTLC left and every update signed and revoked")
            }
        }
    }

    static let noRemovalsWhenClean = noUpdatesWhenClean(
        "sd-no-updates-when-clean", "no removal after shutdown once the channel is clean", section: shutdownSection,
        example: "→ shutdown, ← shutdown (no HTLCs), → update_fail_htlc", on: removalMessages)

    static let noFeeWhenClean = noUpdatesWhenClean(
        "fee-after-clean-shutdown", "no update_fee after shutdown once the channel is clean",
        section: "\(shutdownSection); \(ReserveRules.feeSection)", example: "→ shutdown, ← shutdown (no HTLCs), → update_fee", on: [.updateFee])

    static let terminal = Rule(
        RuleInfo(
            "close-terminal", "nothing moves a closed channel", section: "\(simpleSection); \(legacySection)",
            severity: .error,
            spec:
                "Once both nodes have signed a closing transaction (the same `fee_satoshis` in `closing_signed` both ways, or a `closing_complete` answered by `closing_sig`), that transaction spends the funding output: the channel's commitments are over.",
            explanation:
                "After a closing transaction both sides signed, an update, `commitment_signed` or `revoke_and_ack` on the channel changes a state that can no longer be enforced. Further `closing_complete` messages (a new fee, with `option_simple_close`) stay allowed.",
            example: "→ closing_signed fee_satoshis=500, ← closing_signed fee_satoshis=500, → update_fee"),
        on: updateMessages.union([.commitmentSigned, .revokeAndAck])
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        if ch.closingAgreed { c.violation("`\(c.name)` after both nodes signed a closing transaction") }
    }

    static let closingSigEcho = Rule(
        RuleInfo(
            "cs-echo", "closing_sig repeats what it signs", section: simpleSection,
            severity: .error,
            spec:
                "The receiver of `closing_sig`: if `closer_scriptpubkey`, `closee_scriptpubkey`, `fee_satoshis` or `locktime` don't match what was sent in `closing_complete`: MUST either send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation: "`closing_sig` answers one `closing_complete` and names the transaction it signs by the same scripts, fee and locktime.",
            example: "→ closing_complete fee_satoshis=500, ← closing_sig fee_satoshis=600"),
        on: [.closingSig]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        guard let proposal = ch.closingProposal[c.peer] else { return c.notEvaluated("the `closing_complete` it answers is not in the trace") }
        var differ: [String] = []
        func compare<V: Equatable>(_ name: String, _ mine: V?, _ theirs: V?) {
            if let mine, let theirs, mine != theirs { differ.append(name) }
        }
        compare("closer_scriptpubkey", c.bytes(\.closerScriptpubkey), proposal.closerScript)
        compare("closee_scriptpubkey", c.bytes(\.closeeScriptpubkey), proposal.closeeScript)
        compare("fee_satoshis", c.uint(\.feeSatoshis), proposal.fee)
        compare("locktime", c.uint(\.locktime), proposal.locktime)
        if !differ.isEmpty { c.violation("\(differ.joined(separator: ", ")) not as in the `closing_complete` it answers") }
    }

    static let closingSigOne = Rule(
        RuleInfo(
            "cs-one-sig", "closing_sig carries one signature the proposal offered", section: simpleSection,
            severity: .error,
            spec:
                "The closee: MUST send `closing_sig` with a single valid signature in the same TLV field as the `closing_complete`. The receiver of `closing_sig`: if `tlvs` does not contain exactly one signature, or does not contain one of the TLV fields sent in `closing_complete`: MUST either send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "The closer offers signatures for up to three variants of the closing transaction (`closer_output_only`, `closee_output_only`, `closer_and_closee_outputs`); the closee picks one and signs that variant alone.",
            example: "→ closing_complete closer_and_closee_outputs=…, ← closing_sig closee_output_only=…"),
        on: [.closingSig]
    ) { c in
        guard c.needTLVs(), let ch = c.channel else { return }
        let signatures = ChannelModel.ClosingProposal.signatureRecords(c.typed)
        if signatures.count != 1 { return c.violation("\(signatures.count) signature records, not one") }
        guard let offered = ch.closingProposal[c.peer]?.signatures else {
            return c.notEvaluated("the `closing_complete` it answers is not in the trace")
        }
        if let type = signatures.first, !offered.contains(type) {
            c.violation(
                "a signature in TLV \(type), which the `closing_complete` did not offer (it offered \(offered.sorted().map(String.init).joined(separator: ", ")))"
            )
        }
    }

    static let closerScript = Rule(
        RuleInfo(
            "cc-closer-script", "closer_scriptpubkey of a shutdown form", section: simpleSection,
            severity: .error,
            spec:
                "The sender of `closing_complete`: MUST set `closer_scriptpubkey` to its desired output script. The receiver: if `closer_scriptpubkey` is invalid (as detailed in the `shutdown` requirements): SHOULD ignore `closing_complete`. SHOULD send a `warning`. SHOULD close the connection.",
            explanation:
                "The closer's output script is one of the forms `shutdown` allows (P2WPKH, P2WSH, a later witness version with option_shutdown_anysegwit, OP_RETURN with option_simple_close); a node may change it from its `shutdown` script, but not to another form.",
            example: "→ closing_complete closer_scriptpubkey=76a9…88ac (P2PKH)"),
        on: [.closingComplete]
    ) { c in
        guard let script = c.needBytes(\.closerScriptpubkey) else { return }
        if let problem = scriptProblem(script, on: c.connection) {
            c.violation("closer_scriptpubkey \(short(Hex.encode(script))): \(problem)")
        }
    }

    static let closeeScript = Rule(
        RuleInfo(
            "cc-closee-script", "closee_scriptpubkey is the peer's latest script", section: simpleSection,
            severity: .error,
            spec:
                "The sender of `closing_complete`: MUST set `closee_scriptpubkey` to the last script it received from its peer (from `closing_complete` or from the initial `shutdown`).",
            explanation:
                "The closee's output pays the script the closee last named: its `shutdown` script, or the `closer_scriptpubkey` of its own latest `closing_complete` if it has sent one since.",
            example: "← shutdown scriptpubkey=S, → closing_complete closee_scriptpubkey=T"),
        on: [.closingComplete]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        guard let expected = ch.closingProposal[c.peer]?.closerScript ?? ch.shutdownScript[c.peer] else {
            return c.notEvaluated("the peer's `shutdown` is not in the trace")
        }
        guard let script = c.needBytes(\.closeeScriptpubkey) else { return }
        if script != expected {
            c.violation("closee_scriptpubkey \(short(Hex.encode(script))) is not the peer's latest script \(short(Hex.encode(expected)))")
        }
    }

    static let agree = Rule(
        RuleInfo(
            "lcs-agree", "a fee within one's own range is accepted", section: legacySection,
            severity: .warning,
            spec:
                "The receiving node: … if `fee_satoshis` matches its previously sent `fee_range`: SHOULD use `fee_satoshis` to sign and broadcast the final closing transaction. SHOULD reply with a `closing_signed` with the same `fee_satoshis` value if it is different from its previously sent `fee_satoshis`.",
            explanation:
                "A node that offered a fee range has agreed to any fee in it: when the peer proposes one, its answer repeats that fee, which ends the negotiation. Another fee prolongs it for nothing.",
            example: "→ closing_signed fee_satoshis=1000 fee_range=500,2000, ← closing_signed fee_satoshis=1500, → closing_signed fee_satoshis=1200"),
        on: [.closingSigned]
    ) { c in
        guard let ch = c.known(), !ch.closingAgreed, let range = ch.closingRange[c.sender], let proposed = ch.closingFee[c.peer] else { return }
        guard range.minFeeSatoshis <= proposed, proposed <= range.maxFeeSatoshis, let fee = c.need(\.feeSatoshis) else { return }
        if fee != proposed {
            c.violation(
                "fee_satoshis \(fee), although the peer's \(proposed) lies within the sender's own fee_range \(range.minFeeSatoshis)…\(range.maxFeeSatoshis)",
                field: \TypedMessage.feeSatoshis, actual: fee, expected: proposed)
        }
    }

    /// The overlap of two fee ranges, if they overlap.
    static func overlap(_ a: FeeRange, _ b: FeeRange) -> ClosedRange<UInt64>? {
        let low = max(a.minFeeSatoshis, b.minFeeSatoshis), high = min(a.maxFeeSatoshis, b.maxFeeSatoshis)
        return low <= high ? low...high : nil
    }

    static let funderOverlap = Rule(
        RuleInfo(
            "lcs-funder-overlap", "the funder takes a fee in the overlap of the ranges", section: legacySection,
            severity: .error,
            spec:
                "The receiving node: … if the message contains a `fee_range`: … otherwise (the ranges overlap): if it is the funder: if `fee_satoshis` is not in the overlap between the sent and received `fee_range`: MUST fail the channel. otherwise: MUST reply with the same `fee_satoshis`.",
            explanation:
                "With overlapping ranges the funder, who pays the fee, settles the negotiation: it accepts the peer's fee if it lies in both ranges (its next `closing_signed` repeats it), and fails the channel otherwise (it sends no further `closing_signed`).",
            example: "→ closing_signed fee_range=500,2000, ← closing_signed fee_satoshis=1500 fee_range=1000,3000, → closing_signed fee_satoshis=1800"
        ),
        on: [.closingSigned]
    ) { c in
        guard let ch = c.known(), !ch.closingAgreed, ch.opener == c.sender else { return }
        guard let mine = ch.closingRange[c.sender], let theirs = ch.closingRange[c.peer], let proposed = ch.closingFee[c.peer],
            let both = overlap(mine, theirs)
        else { return }
        guard let fee = c.need(\.feeSatoshis) else { return }
        if !both.contains(proposed) {
            c.violation(
                "`closing_signed` although the peer's fee \(proposed) lies outside the overlap \(both.lowerBound)…\(both.upperBound) of the two fee ranges: the funder must fail the channel"
            )
        } else if fee != proposed {
            c.violation(
                "fee_satoshis \(fee), not the peer's \(proposed), which lies in the overlap \(both.lowerBound)…\(both.upperBound) of the two fee ranges",
                field: \TypedMessage.feeSatoshis, actual: fee, expected: proposed)
        }
    }

    static let nonFunderOverlap = Rule(
        RuleInfo(
            "lcs-nonfunder-overlap", "the non-funder proposes within the overlap, once", section: legacySection,
            severity: .error,
            spec:
                "The receiving node: … if the message contains a `fee_range`: … otherwise (the ranges overlap): otherwise (it is not the funder): if it has already sent a `closing_signed`: if `fee_satoshis` is not the same as the value it sent: MUST fail the channel. otherwise: MUST propose a `fee_satoshis` in the overlap between received and (about-to-be) sent `fee_range`.",
            explanation:
                "The non-funder answers the funder's range with one proposal inside both ranges; if it had already proposed and the funder did not take that fee, the negotiation has failed and it sends no further `closing_signed`.",
            example: "→ closing_signed fee_satoshis=1000 fee_range=500,2000, ← closing_signed fee_satoshis=2500 fee_range=1000,3000"),
        on: [.closingSigned]
    ) { c in
        guard let ch = c.known(), !ch.closingAgreed, let opener = ch.opener, opener == c.peer else { return }
        guard let received = ch.closingRange[c.peer], let proposed = ch.closingFee[c.peer], c.needTLVs() else { return }
        guard let fee = c.need(\.feeSatoshis) else { return }
        if let sent = ch.closingFee[c.sender] {
            if proposed != sent {
                c.violation(
                    "`closing_signed` although the funder's fee \(proposed) is not the \(sent) the sender proposed before: the non-funder must fail the channel"
                )
            }
            return
        }
        guard let mine = c.typed.feeRangeRecord, let both = overlap(received, mine) else { return }
        if !both.contains(fee) {
            c.violation(
                "fee_satoshis \(fee) is outside the overlap \(both.lowerBound)…\(both.upperBound) of the funder's and its own fee ranges",
                field: \TypedMessage.feeSatoshis, actual: fee, minimum: both.lowerBound, maximum: both.upperBound)
        }
    }
}
