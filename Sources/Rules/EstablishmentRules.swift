import Basics
import Ledger
import Secp256k1
import Wire

/// BOLT #2 §"Channel Establishment v1": `open_channel` … `channel_ready`, and the start of
/// normal operation.
enum EstablishmentRules {
    static let all: [Rule] = [
        sequence, readyAfterFunding, acceptTemporaryID, acceptTemporaryIDv2, createdTemporaryID, signedChannelID, push, reserveAtLeastDust, maxHTLCs,
        dustMinimum,
        temporaryIDUnique, idSwitch, upfrontTLV, upfrontForm, channelTypePresent, channelTypeValid, channelTypeNegotiated, acceptChannelType,
        v2OpenChannelType, v2AcceptChannelType,
        flagsUndefined,
        largeChannel, notIfDualFund,
        pointsValid,
        scidAliasPrivate,
        acceptReserveDust, acceptZeroconf, aliasRequired, multiAlias, operationAfterReady, initialFee, initialReserve, readyAliasUnrelated,
        acceptCommon, v2OpenInherits, openRefused,
    ]

    static let openSection = "BOLT #2 §\"The open_channel Message\" Requirements"
    static let acceptSection = "BOLT #2 §\"The accept_channel Message\" Requirements"

    static let sequence = Rule(
        RuleInfo(
            "v1-sequence", "channel establishment in order", section: "BOLT #2 §\"Channel Establishment v1\"",
            severity: .error,
            spec:
                "The flow is `open_channel` (funder) → `accept_channel` (fundee) → `funding_created` (funder) → `funding_signed` (fundee) → `channel_ready` (both).",
            explanation:
                "Each establishment message may come only from its role, after its predecessor, and once per channel. A new `open_channel` after a reconnection (before `funding_created`) starts over. (`channel_ready` before `funding_signed` is ready-after-funding's.)",
            example: "→ open_channel, → funding_created (before accept_channel)"),
        on: [.acceptChannel, .fundingCreated, .fundingSigned]
    ) { c in
        guard let ch = c.channel, ch.openSeen else { return c.notEvaluated("the channel's `open_channel` is not in the trace") }
        guard !ch.dualFunded else { return c.notEvaluated("the channel was opened with `open_channel2` (v2)") }
        let funder = ch.opener == c.sender
        switch c.kind {
        case .acceptChannel:
            if funder {
                c.violation("`accept_channel` from the funder, who sent `open_channel`")
            } else if ch.acceptSeen {
                c.violation("a second `accept_channel` for the channel")
            }
        case .fundingCreated:
            if !funder {
                c.violation("`funding_created` from the fundee")
            } else if !ch.acceptSeen {
                c.violation("`funding_created` before `accept_channel`")
            } else if ch.fundingCreatedSeen {
                c.violation("a second `funding_created` for the channel")
            }
        default:  // funding_signed
            if funder {
                c.violation("`funding_signed` from the funder")
            } else if !ch.fundingCreatedSeen {
                c.violation("`funding_signed` before `funding_created`")
            } else if ch.fundingSignedSeen {
                c.violation("a second `funding_signed` for the channel")
            }
        }
    }

    static let readyAfterFunding = Rule(
        RuleInfo(
            "ready-after-funding", "channel_ready only after funding_signed",
            section: "BOLT #2 §\"Channel Establishment v1\"; §\"The channel_ready Message\"",
            severity: .error,
            spec:
                "The flow is `open_channel` → `accept_channel` → `funding_created` → `funding_signed` → `channel_ready`. The funder: MUST NOT broadcast the funding transaction before receipt of a valid `funding_signed`. The sender of `channel_ready`: … MUST wait until the funding transaction has reached `minimum_depth` before sending this message.",
            explanation:
                "`channel_ready` says the funding transaction can be used: before the fundee has sent `funding_signed` (the funder has received it) the funder may not broadcast it, so neither side can be ready. Whether the funding reached its depth needs chain data and is not judged. (For a v2 channel, `tx_signatures` both ways: v2-sequence.)",
            example: "→ open_channel, ← accept_channel, → funding_created, → channel_ready (no ← funding_signed)"),
        on: [.channelReady]
    ) { c in
        guard let ch = c.channel, ch.openSeen else { return c.notEvaluated("the channel's `open_channel` is not in the trace") }
        guard !ch.dualFunded else { return }
        if !ch.fundingSignedSeen { c.violation("`channel_ready` before `funding_signed`: no funding outpoint is signed for yet") }
    }

    static let acceptCommon = Rule(
        RuleInfo(
            "v1-accept-common", "the funder fails the channel on an invalid accept_channel", section: acceptSection,
            severity: .error,
            spec:
                "Other fields have the same requirements as their counterparts in `open_channel`. (The receiving node MUST fail the channel if: … `max_accepted_htlcs` is greater than 483; `funding_pubkey`, `revocation_basepoint`, `htlc_basepoint`, `payment_basepoint`, or `delayed_payment_basepoint` are not valid secp256k1 pubkeys in compressed format; `dust_limit_satoshis` is greater than `channel_reserve_satoshis`; `dust_limit_satoshis` is smaller than `354 satoshis`.) The receiver: if `channel_reserve_satoshis` is less than `dust_limit_satoshis` within the `open_channel` message: MUST fail the channel; … if the message doesn't include a `channel_type`: MUST fail the channel; if `channel_type` does not match the `channel_type` from `open_channel`: MUST fail the channel.",
            explanation:
                "The receiver's side of `accept_channel`'s requirements (the fundee's side is v1-points-valid, v1-max-htlcs, v1-dust-min, v1-reserve-ge-dust, v1-accept-reserve-dust, v1-channel-type-present and v1-accept-channel-type): a funder that received an `accept_channel` it must fail the channel for does not go on with `funding_created`.",
            example: "→ open_channel, ← accept_channel max_accepted_htlcs=500, → funding_created"),
        on: [.fundingCreated]
    ) { c in
        guard let ch = c.channel, ch.acceptSeen else { return c.notEvaluated("the channel's `accept_channel` is not in the trace") }
        guard ch.opener == c.sender, let reason = ch.refusal[c.sender] else { return }
        c.violation("`funding_created` goes on with the opening after an `accept_channel` the funder must fail the channel for: \(reason)")
    }

    static let openRefused = Rule(
        RuleInfo(
            "v1-open-refused", "the fundee fails the channel on an invalid open_channel", section: openSection,
            severity: .error,
            spec:
                "The receiving node MUST fail the channel if: … `push_msat` is greater than `funding_satoshis` * 1000; … `max_accepted_htlcs` is greater than 483; … `funding_pubkey`, `revocation_basepoint`, `htlc_basepoint`, `payment_basepoint`, or `delayed_payment_basepoint` are not valid secp256k1 pubkeys in compressed format; `dust_limit_satoshis` is greater than `channel_reserve_satoshis`; `dust_limit_satoshis` is smaller than `354 satoshis`. The receiving node MUST: … if the message doesn't include a `channel_type`: fail the channel.",
            explanation:
                "The receiver's side of `open_channel`'s requirements (the funder's side is v1-push, v1-max-htlcs, v1-points-valid, v1-reserve-ge-dust, v1-dust-min and v1-channel-type-present): a fundee that received an `open_channel` it must fail the channel for does not answer it with `accept_channel`. (Not a catalog id: the catalog files the receiver's side under each sender rule.)",
            example: "→ open_channel push_msat=100000001 funding_satoshis=100000, ← accept_channel"),
        on: [.acceptChannel]
    ) { c in
        guard let ch = c.channel, ch.openSeen, !ch.dualFunded else { return c.notEvaluated("the channel's `open_channel` is not in the trace") }
        guard ch.opener != c.sender, let reason = ch.refusal[c.sender] else { return }
        c.violation("`accept_channel` goes on with the opening after an `open_channel` the fundee must fail the channel for: \(reason)")
    }

    static let v2OpenInherits = Rule(
        RuleInfo(
            "v2-open-inherits", "the accepter fails an invalid open_channel2", section: "BOLT #2 §\"The open_channel2 Message\"",
            severity: .error,
            spec:
                "Rationale and Requirements are the same as for `open_channel`, with the following additions. (The receiving node MUST fail the channel if: … `max_accepted_htlcs` is greater than 483; `funding_pubkey`, `revocation_basepoint`, `htlc_basepoint`, `payment_basepoint`, or `delayed_payment_basepoint` are not valid secp256k1 pubkeys in compressed format; `dust_limit_satoshis` is smaller than `354 satoshis`.) The receiving node: MUST fail the negotiation if: … the `channel_type` is not set.",
            explanation:
                "The receiver's side of `open_channel2`'s requirements (the opener's side is v1-points-valid, v1-max-htlcs, v1-dust-min and v2-open-channel-type): an accepter that received an `open_channel2` it must fail does not answer it with `accept_channel2`.",
            example: "→ open_channel2 dust_limit_satoshis=200, ← accept_channel2"),
        on: [.acceptChannel2]
    ) { c in
        guard let ch = c.channel, ch.openSeen, ch.dualFunded else { return c.notEvaluated("the channel's `open_channel2` is not in the trace") }
        guard ch.opener != c.sender, let reason = ch.refusal[c.sender] else { return }
        c.violation("`accept_channel2` goes on with the opening after an `open_channel2` the accepter must fail for: \(reason)")
    }

    static let acceptTemporaryID = Rule(
        RuleInfo(
            "v1-accept-temp-id", "accept_channel keeps the temporary id", section: acceptSection,
            severity: .error,
            spec: "The `temporary_channel_id` MUST be the same as the `temporary_channel_id` in the `open_channel` message.",
            explanation: "`accept_channel` answers one `open_channel` and names it by its temporary id.",
            example: "→ open_channel temporary_channel_id=A, ← accept_channel temporary_channel_id=B"),
        on: [.acceptChannel], sameTemporaryID)

    static let acceptTemporaryIDv2 = Rule(
        RuleInfo(
            "v2-accept-temp-id", "accept_channel2 keeps the temporary id", section: "BOLT #2 §\"The accept_channel2 Message\" Requirements",
            severity: .error,
            spec: "The accepting node: MUST use the `temporary_channel_id` of the `open_channel2` message.",
            explanation: "`accept_channel2` answers one `open_channel2` and names it by its temporary id.",
            example: "→ open_channel2 temporary_channel_id=A, ← accept_channel2 temporary_channel_id=B"),
        on: [.acceptChannel2], sameTemporaryID)

    /// An acceptance names the opening it answers by its temporary id.
    static func sameTemporaryID(_ c: inout Check) {
        guard let ch = c.channel, ch.openSeen, let expected = ch.temporaryID else { return c.notEvaluated("no opening is pending") }
        guard let id = c.event.content.channelID else { return c.notGiven(\.temporaryChannelID) }
        if id != expected { c.violation("temporary_channel_id \(short(id.hex)) is not the opening's \(short(expected.hex))") }
    }

    static let createdTemporaryID = Rule(
        RuleInfo(
            "v1-created-temp-id", "funding_created keeps the temporary id", section: "BOLT #2 §\"The funding_created Message\" Requirements",
            severity: .error,
            spec: "The sender MUST set: `temporary_channel_id` the same as the `temporary_channel_id` in the `open_channel` message.",
            explanation: "`funding_created` still names the channel by the temporary id of its `open_channel`.",
            example: "→ open_channel temporary_channel_id=A, ← accept_channel, → funding_created temporary_channel_id=B"),
        on: [.fundingCreated]
    ) { c in
        guard let ch = c.channel, ch.openSeen, let expected = ch.temporaryID else { return c.notEvaluated("no `open_channel` is pending") }
        guard let id = c.event.content.channelID else { return c.notGiven(\.temporaryChannelID) }
        if id != expected { c.violation("temporary_channel_id \(short(id.hex)) is not the open_channel's \(short(expected.hex))") }
    }

    static let signedChannelID = Rule(
        RuleInfo(
            "v1-signed-channel-id", "funding_signed uses the derived channel_id",
            section: "BOLT #2 §\"The funding_signed Message\" Requirements; §\"Definition of channel_id\"",
            severity: .error,
            spec:
                "The sender MUST set: `channel_id` by exclusive-OR of the `funding_txid` and the `funding_output_index` from the `funding_created` message.",
            explanation:
                "From `funding_signed` on, the channel is named by its funding outpoint: the txid as carried on the wire with the output index XORed into its last two bytes (big-endian).",
            example: "→ funding_created funding_txid=T funding_output_index=1, ← funding_signed channel_id=T"),
        on: [.fundingSigned]
    ) { c in
        guard let ch = c.channel, ch.fundingCreatedSeen, let txid = ch.fundingTxid, let index = ch.fundingOutputIndex else {
            return c.notEvaluated("the channel's `funding_created` is not in the trace")
        }
        guard let id = c.event.content.channelID else { return c.notGiven(\.channelID) }
        let expected = ChannelID(fundingTxid: txid, outputIndex: index)
        if id != expected {
            c.violation("channel_id \(short(id.hex)) is not \(short(expected.hex)), the funding outpoint \(short(txid.hex)):\(index)")
        }
    }

    static let push = Rule(
        RuleInfo(
            "v1-push", "push_msat within the funding", section: openSection,
            severity: .error,
            spec: "The sending node: MUST set `push_msat` to equal or less than 1000 * `funding_satoshis`.",
            explanation: "The funder cannot give away more than the channel holds.",
            example: "→ open_channel funding_satoshis=100000 push_msat=100000001"),
        on: [.openChannel]
    ) { c in
        guard let funding = c.need(\.fundingSatoshis), let push = c.need(\.pushMsat) else { return }
        let (limit, overflow) = funding.multipliedReportingOverflow(by: 1000)
        if !overflow && push > limit {
            c.violation(
                "push_msat \(push) exceeds 1000 × funding_satoshis (\(funding) sat)", field: \TypedMessage.pushMsat, actual: push, maximum: limit)
        }
    }

    static let reserveAtLeastDust = Rule(
        RuleInfo(
            "v1-reserve-ge-dust", "reserve at least the dust limit", section: "\(openSection); \(acceptSection)",
            severity: .error,
            spec: "The sending node: MUST set `channel_reserve_satoshis` greater than or equal to `dust_limit_satoshis`.",
            explanation: "A reserve below the sender's own dust limit could leave an output nobody can spend; the receiver must fail the channel.",
            example: "→ open_channel dust_limit_satoshis=1000 channel_reserve_satoshis=500"),
        on: [.openChannel, .acceptChannel]
    ) { c in
        guard let dust = c.need(\.dustLimitSatoshis), let reserve = c.need(\.channelReserveSatoshis) else { return }
        if reserve < dust {
            c.violation(
                "channel_reserve_satoshis \(reserve) is below dust_limit_satoshis \(dust)", field: \TypedMessage.channelReserveSatoshis,
                actual: reserve, minimum: dust)
        }
    }

    static let maxHTLCs = Rule(
        RuleInfo(
            "v1-max-htlcs", "max_accepted_htlcs at most 483", section: "\(openSection); \(acceptSection)",
            severity: .error,
            spec: "The receiving node MUST fail the channel if: `max_accepted_htlcs` is greater than 483.",
            explanation: "483 HTLCs per side keep a commitment transaction within standard size; larger values are invalid.",
            example: "→ open_channel max_accepted_htlcs=500"),
        on: [.openChannel, .acceptChannel, .openChannel2, .acceptChannel2]
    ) { c in
        guard let max = c.need(\.maxAcceptedHTLCs) else { return }
        if max > 483 {
            c.violation("max_accepted_htlcs \(max) is greater than 483", field: \TypedMessage.maxAcceptedHTLCs, actual: max, maximum: 483)
        }
    }

    static let dustMinimum = Rule(
        RuleInfo(
            "v1-dust-min", "dust limit at least 354 sat", section: "\(openSection); BOLT #3 §\"Dust Limits\"",
            severity: .error,
            spec: "The receiving node MUST fail the channel if: `dust_limit_satoshis` is smaller than `354 satoshis`.",
            explanation: "Below 354 sat an output of any standard type could be non-standard dust, and the commitment would not relay.",
            example: "→ open_channel dust_limit_satoshis=200"),
        on: [.openChannel, .acceptChannel, .openChannel2, .acceptChannel2]
    ) { c in
        guard let dust = c.need(\.dustLimitSatoshis) else { return }
        if dust < 354 {
            c.violation("dust_limit_satoshis \(dust) is smaller than 354", field: \TypedMessage.dustLimitSatoshis, actual: dust, minimum: 354)
        }
    }

    static let temporaryIDUnique = Rule(
        RuleInfo(
            "v1-temp-id-unique", "a new temporary id for each opening", section: openSection,
            severity: .error,
            spec: "The sending node: MUST ensure `temporary_channel_id` is unique from any other channel ID with the same peer.",
            explanation:
                "The temporary id is all that names an opening until its funding is known: two openings with one id on a connection cannot be told apart. (Openings on earlier connections with the peer are not compared.)",
            example: "→ open_channel temporary_channel_id=A, …, → open_channel temporary_channel_id=A"),
        on: [.openChannel, .openChannel2]
    ) { c in
        guard let id = c.typed.temporaryChannelID else { return c.notGiven(\.temporaryChannelID) }
        if c.connection.temporaryIDs.contains(id) {
            c.violation("temporary_channel_id \(short(id.hex)) was already used by an earlier opening on this connection")
        }
    }

    static let idSwitch = Rule(
        RuleInfo(
            "v1-id-switch", "the channel_id after funding_signed",
            section: "BOLT #2 §\"Definition of channel_id\"; BOLT #1 §\"The error and warning Messages\"",
            severity: .error,
            spec:
                "`funding_signed`: This message introduces the `channel_id` to identify the channel. (§\"Definition of channel_id\": Prior to channel establishment, a `temporary_channel_id` is used, which is a random nonce.)",
            explanation:
                "Once `funding_signed` has been sent, every message about the channel names it by the `channel_id` derived from the funding outpoint. The temporary id stays meaningful only in `error` and `warning` (an error about the opening).",
            example: "← funding_signed, → channel_ready channel_id=<the temporary id>"),
        on: everyMessage.subtracting([.openChannel, .acceptChannel, .fundingCreated, .error, .warning])
    ) { c in
        guard let ch = c.channel, ch.fundingSignedSeen, let temporary = ch.temporaryID else { return }
        if c.typed.channelID == temporary {
            c.violation("`\(c.name)` names the channel by its temporary id \(short(temporary.hex)) after `funding_signed`")
        }
    }

    static let upfrontTLV = Rule(
        RuleInfo(
            "v1-upfront-tlv", "upfront_shutdown_script present when required", section: "\(openSection); \(acceptSection)",
            severity: .error,
            spec:
                "The sending node: if both nodes advertised the `option_upfront_shutdown_script` feature: MUST include `upfront_shutdown_script` with either a valid `shutdown_scriptpubkey` as required by `shutdown` `scriptpubkey`, or a zero-length `shutdown_scriptpubkey` (ie. `0x0000`). Otherwise: MAY include `upfront_shutdown_script`. If it includes `open_channel_tlvs`: MUST include `upfront_shutdown_script`.",
            explanation:
                "TLV 0 is required when feature 4/5 is negotiated, and whenever the message carries any TLV record (so, as `channel_type` is mandatory, in every opening): empty when the sender does not commit to a script. `accept_channel`'s fields have the same requirements.",
            example: "→ init (bit 5), ← init (bit 5), → open_channel without upfront_shutdown_script"),
        on: [.openChannel, .acceptChannel, .openChannel2, .acceptChannel2]
    ) { c in
        guard c.needTLVs(), c.typed.upfrontShutdownScriptRecord == nil else { return }
        if c.typed.channelTypeRecord != nil {
            return c.violation("`\(c.name)` carries TLV records but no `upfront_shutdown_script`")
        }
        guard let both = c.connection.negotiated(4) else { return c.notEvaluated("the connection's `init` messages are not in the trace") }
        if both { c.violation("`\(c.name)` has no `upfront_shutdown_script` although option_upfront_shutdown_script is negotiated") }
    }

    static let upfrontForm = Rule(
        RuleInfo(
            "v1-upfront-form", "upfront_shutdown_script of a shutdown form",
            section: "\(openSection); BOLT #2 §\"Closing Initiation: shutdown\" Requirements",
            severity: .error,
            spec:
                "MUST include `upfront_shutdown_script` with either a valid `shutdown_scriptpubkey` as required by `shutdown` `scriptpubkey`, or a zero-length `shutdown_scriptpubkey`.",
            explanation:
                "A non-empty upfront script is the script the node's `shutdown` will have to use, so it must be one of the forms `shutdown` allows (P2WPKH, P2WSH, a later witness version with option_shutdown_anysegwit, OP_RETURN with option_simple_close).",
            example: "→ open_channel upfront_shutdown_script=6a (OP_RETURN alone)"),
        on: [.openChannel, .acceptChannel, .openChannel2, .acceptChannel2]
    ) { c in
        guard let script = c.typed.upfrontShutdownScriptRecord, !script.isEmpty else { return }
        if let problem = CloseRules.scriptProblem(script, on: c.connection) {
            c.violation("upfront_shutdown_script \(short(Hex.encode(script))): \(problem)")
        }
    }

    static let channelTypePresent = Rule(
        RuleInfo(
            "v1-channel-type-present", "channel_type is set", section: openSection,
            severity: .error,
            spec:
                "The sending node: MUST set `channel_type`. The receiving node MUST: if the message doesn't include a `channel_type`: fail the channel.",
            explanation: "The channel type is negotiated explicitly; an `open_channel` or `accept_channel` without TLV 1 cannot be accepted.",
            example: "→ open_channel channel_type=none"),
        on: [.openChannel, .acceptChannel]
    ) { c in
        guard c.needTLVs() else { return }
        if c.typed.channelTypeRecord == nil { c.violation("`\(c.name)` has no `channel_type`") }
    }

    static let channelTypeValid = Rule(
        RuleInfo(
            "v1-channel-type-valid", "channel_type is a defined type", section: "\(openSection); BOLT #2 §\"Defined Channel Types\"",
            severity: .error,
            spec:
                "The sending node: MUST set `channel_type` to a defined type representing the type it wants. MUST use the smallest bitmap possible to represent the channel type.",
            explanation:
                "Channel types are an enumeration, not any set of bits: `option_static_remotekey` (12) alone or with `option_anchors` (22), each optionally with `option_scid_alias` (46) and `option_zeroconf` (50), as a big-endian bitmap without leading zero bytes. Types that implementations define beyond BOLT #2 (taproot channels) are undefined here.",
            example: "→ open_channel channel_type=0400 (bit 10 alone)"),
        on: [.openChannel, .openChannel2]
    ) { c in
        guard c.needTLVs(), let type = c.typed.channelTypeRecord else { return }  // v1-channel-type-present
        let bits = Set(ConnectionModel.bits(type))
        if type.first == 0 { return c.violation("channel_type \(Hex.encode(type)) is not the smallest bitmap (a leading zero byte)") }
        let base = bits.subtracting([46, 50])
        if base != [12] && base != [12, 22] {
            c.violation("channel_type \(Hex.encode(type)) (bits \(bits.sorted().map(String.init).joined(separator: ", "))) is not a defined type")
        }
    }

    static let channelTypeNegotiated = Rule(
        RuleInfo(
            "v1-channel-type-negotiated", "channel_type only of negotiated features", section: openSection,
            severity: .warning,
            spec: "The sending node: SHOULD NOT set it to a type containing a feature which was not negotiated.",
            explanation:
                "Every feature of the proposed type should be offered by both nodes' `init`: `option_anchors` (22/23), `option_scid_alias` (46/47), `option_zeroconf` (50/51). `option_static_remotekey` is ASSUMED.",
            example: "→ init, ← init (no bit 22/23), → open_channel channel_type=401000"),
        on: [.openChannel, .openChannel2]
    ) { c in
        guard c.needTLVs(), let type = c.typed.channelTypeRecord else { return }
        var missing: [Int] = []
        for bit in ConnectionModel.bits(type).sorted() {
            guard let both = c.connection.negotiated(bit) else { return c.notEvaluated("the connection's `init` messages are not in the trace") }
            if !both { missing.append(bit) }
        }
        if !missing.isEmpty {
            c.violation(
                "channel_type has \(missing.count > 1 ? "features" : "feature") \(missing.map { "\($0)/\($0 + 1)" }.joined(separator: ", ")) that the nodes did not both offer"
            )
        }
    }

    static let acceptChannelType = Rule(
        RuleInfo(
            "v1-accept-channel-type", "accept_channel repeats the channel_type", section: acceptSection,
            severity: .error,
            spec:
                "The sender: MUST set `channel_type` to the `channel_type` from `open_channel`. The receiver: if the `channel_type` does not match the `channel_type` from `open_channel`: MUST fail the channel.",
            explanation: "The fundee accepts the type the funder proposed, or refuses the channel; it cannot change it.",
            example: "→ open_channel channel_type=1000, ← accept_channel channel_type=401000"),
        on: [.acceptChannel]
    ) { c in
        acceptRepeatsType(&c, present: false)
    }

    /// `accept_channel`'s and `accept_channel2`'s `channel_type` is the opening's; `present`:
    /// whether this rule also reports it missing.
    static func acceptRepeatsType(_ c: inout Check, present: Bool) {
        guard let ch = c.channel, ch.openSeen else { return c.notEvaluated("the channel's `open_channel` is not in the trace") }
        guard c.needTLVs(), let proposed = ch.channelType else { return }
        guard let type = c.typed.channelTypeRecord else {
            if present { c.violation("`\(c.name)` has no `channel_type`") }
            return  // else v1-channel-type-present
        }
        if type != proposed { c.violation("channel_type \(Hex.encode(type)) is not the opening's \(Hex.encode(proposed))") }
    }

    static let v2OpenChannelType = Rule(
        RuleInfo(
            "v2-open-channel-type", "open_channel2 sets channel_type", section: "BOLT #2 §\"The open_channel2 Message\" Requirements",
            severity: .error,
            spec:
                "The sending node: MUST set `channel_type`. The receiving node: MUST fail the negotiation if: … `channel_type` is not set.",
            explanation: "A dual-funded opening names its channel type explicitly; an `open_channel2` without TLV 1 cannot be accepted.",
            example: "→ open_channel2 channel_type=none"),
        on: [.openChannel2]
    ) { c in
        guard c.needTLVs() else { return }
        if c.typed.channelTypeRecord == nil { c.violation("`open_channel2` has no `channel_type`") }
    }

    static let v2AcceptChannelType = Rule(
        RuleInfo(
            "v2-accept-channel-type", "accept_channel2 repeats the channel_type", section: "BOLT #2 §\"The accept_channel2 Message\" Requirements",
            severity: .error,
            spec:
                "The sender: MUST set `channel_type` to the `channel_type` from `open_channel2`. The receiver: MUST fail the negotiation if `channel_type` is not set. (Other fields have the same requirements as their counterparts in `accept_channel`.)",
            explanation:
                "The accepter of a dual-funded opening takes the type the opener proposed, or refuses the channel; it cannot leave it out or change it.",
            example: "→ open_channel2 channel_type=1000, ← accept_channel2 channel_type=401000"),
        on: [.acceptChannel2]
    ) { c in
        acceptRepeatsType(&c, present: true)
    }

    static let flagsUndefined = Rule(
        RuleInfo(
            "v1-flags-undefined", "undefined channel_flags bits are 0", section: openSection,
            severity: .error,
            spec: "The sending node: MUST set undefined bits in `channel_flags` to 0.",
            explanation: "Only bit 0 (`announce_channel`) is defined for `open_channel`.",
            example: "→ open_channel channel_flags=03"),
        on: [.openChannel]
    ) { c in
        guard let flags = c.typed.channelFlags else { return c.notGiven(\.channelFlags) }
        if flags & ~1 != 0 { c.violation("channel_flags 0x\(Hex.encode([flags])) sets undefined bits") }
    }

    static let largeChannel = Rule(
        RuleInfo(
            "v1-large-channel", "large channels only when both support them", section: openSection,
            severity: .error,
            spec:
                "if both nodes advertised `option_support_large_channel`: MAY set `funding_satoshis` greater than or equal to 2^24 satoshi. otherwise: MUST set `funding_satoshis` to less than 2^24 satoshi.",
            explanation: "Channels of 2^24 sat (0.168 BTC) or more need feature 18/19 from both nodes.",
            example: "→ open_channel funding_satoshis=20000000 (without feature 18/19)"),
        on: [.openChannel]
    ) { c in
        guard let funding = c.need(\.fundingSatoshis) else { return }
        guard funding >= 1 << 24 else { return }
        guard let both = c.connection.negotiated(18) else { return c.notEvaluated("the connection's `init` messages are not in the trace") }
        if !both { c.violation("funding_satoshis \(funding) ≥ 2^24 without option_support_large_channel on both sides") }
    }

    static let notIfDualFund = Rule(
        RuleInfo(
            "v1-not-if-dualfund", "no open_channel once dual funding is negotiated", section: "BOLT #2 §\"The open_channel2 Message\" Requirements",
            severity: .error,
            spec: "If nodes have negotiated `option_dual_fund`: the opening node: MUST NOT send `open_channel`.",
            explanation: "With feature 28/29 on both sides, channels open with `open_channel2`.",
            example: "→ init (bit 29), ← init (bit 29), → open_channel"),
        on: [.openChannel]
    ) { c in
        guard let both = c.connection.negotiated(28) else { return c.notEvaluated("the connection's `init` messages are not in the trace") }
        if both { c.violation("`open_channel` although option_dual_fund is negotiated") }
    }

    static let pointsValid = Rule(
        RuleInfo(
            "v1-points-valid", "keys are valid points", section: "\(openSection); \(acceptSection)",
            severity: .error,
            spec:
                "MUST set `funding_pubkey`, `revocation_basepoint`, `htlc_basepoint`, `payment_basepoint`, and `delayed_payment_basepoint` to valid secp256k1 pubkeys in compressed format.",
            explanation: "Each key must decompress to a point on secp256k1 (checked with libsecp256k1); `first_per_commitment_point` too.",
            example: "→ open_channel funding_pubkey=02000…00"),
        on: [.openChannel, .acceptChannel, .openChannel2, .acceptChannel2]
    ) { c in
        let keys: [KeyPath<TypedMessage, Point?>] = [
            \.fundingPubkey, \.revocationBasepoint, \.paymentBasepoint, \.delayedPaymentBasepoint, \.htlcBasepoint,
            \.firstPerCommitmentPoint, \.secondPerCommitmentPoint,
        ]
        var seen = 0
        for key in keys {
            guard let point = c.bytes(key) else { continue }
            let name = TypedMessage.fieldName(key) ?? "key"
            seen += 1
            if !Secp256k1.isValidPoint(point) { return c.violation("`\(name)` \(short(Hex.encode(point))) is not a valid secp256k1 point") }
        }
        if seen == 0 { c.notEvaluated("\(c.source) does not give the keys") }
    }

    static let scidAliasPrivate = Rule(
        RuleInfo(
            "v1-scid-alias-private", "no scid_alias type for announced channels", section: openSection,
            severity: .error,
            spec: "if `announce_channel` is `true` (not `0`): MUST NOT send `channel_type` with the `option_scid_alias` bit set.",
            explanation: "An alias hides the real short channel id, which an announced channel publishes anyway.",
            example: "→ open_channel channel_flags=01 channel_type=400000000000 (bit 46)"),
        on: [.openChannel, .openChannel2]
    ) { c in
        guard let flags = c.typed.channelFlags, c.needTLVs() else { return c.notGiven(\.channelFlags) }
        guard let type = c.typed.channelTypeRecord else { return }
        if flags & 1 == 1 && ConnectionModel.isSet(type, 46) { c.violation("announced channel with option_scid_alias in channel_type") }
    }

    static let acceptReserveDust = Rule(
        RuleInfo(
            "v1-accept-reserve-dust", "reserves and dust limits fit across sides", section: acceptSection,
            severity: .error,
            spec:
                "MUST set `channel_reserve_satoshis` greater than or equal to `dust_limit_satoshis` from the `open_channel` message. MUST set `dust_limit_satoshis` less than or equal to `channel_reserve_satoshis` from the `open_channel` message.",
            explanation: "Each side's reserve must be spendable in the other's commitment: not below the other's dust limit.",
            example: "→ open_channel dust_limit_satoshis=1000 channel_reserve_satoshis=1000, ← accept_channel channel_reserve_satoshis=500"),
        on: [.acceptChannel]
    ) { c in
        guard let ch = c.known(.opened), let openDust = ch.params[c.peer].dustLimit, let openReserve = ch.params[c.peer].reserve else {
            return c.notEvaluated("the channel's `open_channel` is not in the trace")
        }
        guard let reserve = c.need(\.channelReserveSatoshis), let dust = c.need(\.dustLimitSatoshis) else { return }
        if reserve < openDust {
            c.violation(
                "channel_reserve_satoshis \(reserve) is below the open_channel's dust_limit_satoshis \(openDust)",
                field: \TypedMessage.channelReserveSatoshis, actual: reserve, minimum: openDust)
        } else if dust > openReserve {
            c.violation(
                "dust_limit_satoshis \(dust) exceeds the open_channel's channel_reserve_satoshis \(openReserve)",
                field: \TypedMessage.dustLimitSatoshis, actual: dust, maximum: openReserve)
        }
    }

    static let acceptZeroconf = Rule(
        RuleInfo(
            "v1-accept-zeroconf", "zero-conf channels need minimum_depth 0", section: acceptSection,
            severity: .error,
            spec: "if `channel_type` includes `option_zeroconf`: MUST set `minimum_depth` to zero.",
            explanation: "A zero-conf channel is usable before confirmation, so asking for confirmations contradicts its type.",
            example: "← accept_channel channel_type with bit 50, minimum_depth=3"),
        on: [.acceptChannel]
    ) { c in
        guard c.needTLVs(), let depth = c.need(\.minimumDepth) else { return }
        guard let type = c.typed.channelTypeRecord, ConnectionModel.isSet(type, 50) else { return }
        if depth != 0 {
            c.violation("option_zeroconf channel with minimum_depth \(depth)", field: \TypedMessage.minimumDepth, actual: depth, expected: 0)
        }
    }

    static let aliasRequired = Rule(
        RuleInfo(
            "ready-alias-required", "channel_ready carries an alias when scid_alias is negotiated",
            section: "BOLT #2 §\"The channel_ready Message\" Requirements",
            severity: .error,
            spec: "if `option_scid_alias` was negotiated: MUST set `short_channel_id` `alias`.",
            explanation: "With feature 46/47 on both sides, the peer routes by the alias, so `channel_ready` must give one.",
            example: "→ init (bit 47), ← init (bit 47), … → channel_ready (no short_channel_id)"),
        on: [.channelReady]
    ) { c in
        guard let both = c.connection.negotiated(46) else { return c.notEvaluated("the connection's `init` messages are not in the trace") }
        guard both, c.needTLVs() else { return }
        if c.typed.shortChannelIDRecord == nil {
            c.violation("`channel_ready` without a `short_channel_id` alias although option_scid_alias is negotiated")
        }
    }

    static let operationAfterReady = Rule(
        RuleInfo(
            "op-after-ready", "no updates before both channel_ready", section: "BOLT #2 §\"Normal Operation\"",
            severity: .error,
            spec:
                "Once both nodes have exchanged `channel_ready` (and optionally `announcement_signatures`), the channel can be used to make payments via Hashed Time Locked Contracts.",
            explanation:
                "Updates and commitment signings need the funding to be locked on both sides: the sender must have sent and received `channel_ready`.",
            example: "→ channel_ready, → update_add_htlc (before ← channel_ready)"),
        on: updateMessages.union([.commitmentSigned])
    ) { c in
        guard let ch = c.known(.opened) else { return }
        if c.kind == .commitmentSigned && ch.isInitialSigning(c.sender) { return }
        if !ch.readySent[c.sender] {
            c.violation("`\(c.name)` before the sender's own `channel_ready`")
        } else if !ch.readySent[c.peer] {
            c.violation("`\(c.name)` before the peer's `channel_ready` arrived")
        }
    }

    // MARK: The receiver's duty to fail an opening

    /// The amounts of a v1 opening's first commitment: the funder's after the fee (BOLT #3
    /// §"Fee Calculation": weight 724, or 1124 plus two 330-sat anchors with `option_anchors`,
    /// no HTLCs yet) and the fundee's (`push_msat`), in millisatoshi, with the fee in satoshi.
    static func initialAmounts(_ ch: ChannelModel) -> (funder: Int64, fundee: Int64, fee: UInt64)? {
        guard !ch.dualFunded, let funding = ch.fundingSatoshis, let push = ch.pushMsat, let feerate = ch.ledger.initialFeerate,
            funding <= CommitmentLedger.maximumMoney, push <= funding * 1000
        else { return nil }
        let fee = UInt64(feerate) * (ch.anchors ? 1124 : 724) / 1000 + (ch.anchors ? 660 : 0)
        return (Int64(funding * 1000) - Int64(push) - Int64(fee * 1000), Int64(push), fee)
    }

    static let initialFee = Rule(
        RuleInfo(
            "v1-initial-fee", "an opening whose funder cannot pay the fee is failed", section: openSection,
            severity: .error,
            spec:
                "The receiving node MUST fail the channel if: … the funder's amount for the initial commitment transaction is not sufficient for full fee payment.",
            explanation:
                "The funder pays the first commitment's fee from `funding_satoshis` less `push_msat`: ⌊`feerate_per_kw` × 724 / 1000⌋ sat, or with `option_anchors` ⌊`feerate_per_kw` × 1124 / 1000⌋ sat plus two 330-sat anchors. The receiver fails an opening that cannot; accepting it (`accept_channel`) is the violation.",
            example: "← open_channel funding_satoshis=100000 push_msat=99900000 feerate_per_kw=2500, → accept_channel"),
        on: [.acceptChannel]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        guard let amounts = initialAmounts(ch) else { return c.notEvaluated("the opening's amounts or feerate are not in the trace") }
        if amounts.funder < 0 {
            c.violation(
                "accepts an opening whose funder has \(amounts.funder + Int64(amounts.fee * 1000)) msat for a \(amounts.fee) sat fee on the first commitment"
            )
        }
    }

    static let initialReserve = Rule(
        RuleInfo(
            "v1-initial-reserve", "an opening with both outputs within the reserve is failed", section: openSection,
            severity: .error,
            spec:
                "The receiving node MUST fail the channel if: … both `to_local` and `to_remote` amounts for the initial commitment transaction are less than or equal to `channel_reserve_satoshis`.",
            explanation:
                "On the first commitment the funder holds `funding_satoshis` less `push_msat` and the fee, the fundee `push_msat`. If neither is above the opening's `channel_reserve_satoshis`, the channel cannot be used; the receiver fails it, and accepting it (`accept_channel`) is the violation.",
            example: "← open_channel funding_satoshis=2000 push_msat=0 channel_reserve_satoshis=1500, → accept_channel"),
        on: [.acceptChannel]
    ) { c in
        guard let ch = c.known(.opened), let opener = ch.ledger.opener else { return }
        guard let amounts = initialAmounts(ch), let reserve = ch.params[opener].reserve else {
            return c.notEvaluated("the opening's amounts, feerate or reserve are not in the trace")
        }
        let limit = Int64(min(reserve, CommitmentLedger.maximumMoney) * 1000)
        if amounts.funder <= limit && amounts.fundee <= limit {
            c.violation(
                "accepts an opening whose first commitment pays \(max(amounts.funder, 0)) and \(amounts.fundee) msat, neither above the \(reserve) sat reserve"
            )
        }
    }

    static let multiAlias = Rule(
        RuleInfo(
            "ready-multi-alias", "a repeated channel_ready brings a new alias", section: "BOLT #2 §\"The channel_ready Message\" Requirements",
            severity: .warning,
            spec:
                "The sender: MAY send multiple `channel_ready` messages to the same peer with different `alias` values. (Outside a reconnection, that is the only reason to send `channel_ready` again.)",
            explanation:
                "Once a connection has a node's `channel_ready`, another one on it only makes sense to hand out a new alias; one with an alias already sent (or none) is redundant, which hints at a node that lost track of the channel's state.",
            example: "→ channel_ready short_channel_id=700000x1x0, → channel_ready short_channel_id=700000x1x0"),
        on: [.channelReady]
    ) { c in
        guard c.channel?.readyOnConnection[c.sender] == true else { return }
        guard c.needTLVs() else { return }
        guard let alias = c.typed.shortChannelIDRecord else { return c.violation("`channel_ready` again on the connection, without an alias") }
        if c.channel?.aliases[c.sender].contains(alias.rawValue) == true {
            c.violation("`channel_ready` again on the connection, with the alias \(alias) it already sent")
        }
    }

    static let readyAliasUnrelated = Rule(
        RuleInfo(
            "ready-alias-unrelated", "an alias is not the real short_channel_id", section: "BOLT #2 §\"The channel_ready Message\" Requirements",
            severity: .warning,
            spec:
                "The sender: if it sets `alias`: if the `announce_channel` bit was set in `open_channel`: SHOULD initially set `alias` to value not related to the real `short_channel_id`. otherwise: MUST set `alias` to a value not related to the real `short_channel_id`.",
            explanation:
                "An alias hides where the channel's funding is; the real short channel id gives it away. The trace shows the real id when the node names it in `announcement_signatures`: its first alias must differ from it. (An unannounced channel, held to MUST, never shows its real id in a way the trace can tie to the channel.)",
            example: "→ channel_ready short_channel_id=800000x1x0, … → announcement_signatures short_channel_id=800000x1x0"),
        on: [.announcementSignatures]
    ) { c in
        guard let real = c.typed.shortChannelID, let first = c.channel?.aliases[c.sender].first else { return }
        if first == real.rawValue {
            c.violation("the real short_channel_id \(real) is the alias the sender gave in its first channel_ready")
        }
    }
}
