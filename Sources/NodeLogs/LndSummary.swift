import Basics
import Foundation
import Provenance
import Wire

/// lnd's one-line summaries (`peer/brontide.go` `messageSummary`): `Received X(a=1, b=2 mSAT)
/// from <peer>` and `Sending X(…) to <peer>`, read into the message's type and the fields each
/// summary gives, under spec names.
extension LndLogParser {
    /// lnd's `FailCode.String()` names of the BADONION failures → codes (BOLT #4).
    static let failCodes: [String: UInt64] = [
        "InvalidOnionVersion": 0xc004, "InvalidOnionHmac": 0xc005, "InvalidOnionKey": 0xc006,
        "InvalidOnionPayload": 0x4016, "InvalidBlinding": 0xc018,
    ]

    /// "Received X(summary) from <pk>@<addr>" / "Sending X(summary) to <pk>@<addr>"; and
    /// whether the line ends as lnd ends them (with the peer, or the summary's `)`), or was
    /// cut by a terminal's line wrap.
    func summaryLine(_ text: String, line: Int, stamp: Stamp?, prefixPeer: String?) -> (LogMessage?, complete: Bool) {
        let received = LogText.starts(text.utf8, with: LndDialect.received)
        var body = Substring(text.utf8.dropFirst((received ? LndDialect.received : LndDialect.sending).utf8CodeUnitCount))
        var complete = body.utf8.last == UInt8(ascii: ")")
        var peer = prefixPeer.map { Self.peer(Substring($0)) }
        if let named = Self.trailingPeer(&body, preposition: received ? LndDialect.from : LndDialect.to) {
            if peer == nil || named.identity == .nodeID { peer = named }
            complete = true
        }
        // "Type(summary)" or "Type" (Init has no summary); a summary cut short keeps what it has.
        let typeName: Substring
        var summary: Substring = ""
        if let open = body.utf8.firstIndex(of: UInt8(ascii: "(")) {
            typeName = body[..<open]
            summary = body[body.utf8.index(after: open)...]
            if summary.utf8.last == UInt8(ascii: ")") { summary = summary[..<summary.utf8.index(before: summary.endIndex)] }
        } else {
            typeName = body
        }
        let content: MessageContent
        if typeName == LndDialect.custom {
            let number = summary.hasPrefix(LndDialect.customType) ? UInt16(summary.dropFirst(LndDialect.customType.count)) : nil
            content = .partial(PartialBuilder(type: number ?? 0).message)
        } else if typeName == LndDialect.unknown {
            content = .partial(PartialMessage(type: nil, name: "unknown"))
        } else if let entry = LndDialect.messages.entry(named: String(typeName)) {
            // A type Wire does not decode (OnionMessage) is kept by its number, without fields.
            content = .partial(entry.isKnown ? Self.fields(entry.spec, summary) : PartialBuilder(type: entry.type).message)
        } else if complete, let first = typeName.utf8.first, first >= 0x41 && first <= 0x5A,
            typeName.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || LogText.isDigit($0) })
        {
            // A type lnd's table does not know (lnd's own DynPropose, KickoffSig, the gossip 2
            // messages, later additions): still a wire message, of unknown type.
            content = .partial(PartialMessage(type: nil, name: "unknown"))
        } else {
            return (nil, complete)
        }
        var message = LogMessage(line: line, stamp: stamp, peer: peer?.name, direction: received ? .in : .out, content: content)
        message.peerIdentity = peer?.identity
        return (message, complete)
    }

    /// Splits "a=1, b=2 mSAT, c=x" into pairs (an error's `err=` keeps the rest of the line).
    static func pairs(_ summary: Substring) -> [(key: Substring, value: Substring)] {
        var out: [(Substring, Substring)] = []
        var rest = summary
        while !rest.isEmpty {
            guard let eq = rest.firstIndex(of: "=") else { break }
            let key = rest[..<eq]
            let afterEq = rest[rest.index(after: eq)...]
            if key == "err" {
                out.append((key, afterEq))
                break
            }
            if let comma = afterEq.firstRange(ofASCII: ", ") {
                out.append((key, afterEq[..<comma.lowerBound]))
                rest = afterEq[comma.upperBound...]
            } else {
                out.append((key, afterEq))
                break
            }
        }
        return out
    }

    /// Go's `time.Time.String()`: `2023-11-14 23:13:21 +0100 CET` (fractional seconds
    /// optional) → seconds since the epoch, with the offset applied.
    static func goTime(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)[...]
        guard let (time, end) = WrapperTime.dateTime(bytes, at: 0), bytes[10] == 32 else { return nil }
        var seconds = time.seconds
        if end + 6 <= bytes.endIndex, bytes[end] == 32, bytes[end + 1] == UInt8(ascii: "+") || bytes[end + 1] == UInt8(ascii: "-"),
            let hours = LogText.number(bytes, at: end + 2, digits: 2), let minutes = LogText.number(bytes, at: end + 4, digits: 2)
        {
            seconds -= (bytes[end + 1] == UInt8(ascii: "+") ? 1 : -1) * Int64(hours * 3600 + minutes * 60)
        }
        return seconds >= 0 ? seconds : nil
    }

    /// "1000 mSAT" → 1000.
    static func millisatoshis(_ text: Substring?) -> FieldValue? {
        guard let text, let value = UInt64(text.prefix { $0 != " " }) else { return nil }
        return .unsigned(value)
    }

    /// "0.01 BTC" / "0.01000000 BTC" / "1 BTC" → satoshis.
    static func satoshis(_ text: Substring?) -> FieldValue? {
        guard let text else { return nil }
        let number = text.prefix { $0 != " " }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = UInt64(parts[0]) else { return nil }
        var fraction: UInt64 = 0
        if parts.count == 2 {
            let digits = String(parts[1].prefix(8))
            guard let f = UInt64(digits + String(repeating: "0", count: 8 - digits.count)) else { return nil }
            fraction = f
        }
        return .unsigned(whole * 100_000_000 + fraction)
    }

    /// The fields of one summary, under spec names.
    static func fields(_ name: String, _ summary: Substring) -> PartialMessage {
        var b = PartialBuilder(name: name)
        let kv = Dictionary(pairs(summary), uniquingKeysWith: { first, _ in first })
        b.hex("channel_id", kv["chan_id"], count: 32)
        switch name {
        case "open_channel":
            b.hex("temporary_channel_id", kv["temp_chan_id"], count: 32)
            if let chain = reversedHex(kv["chain"]), chain.count == 32 { b.set("chain_hash", .bytes(chain)) }
            b.unsigned("to_self_delay", kv["csv"])
            b.set("funding_satoshis", satoshis(kv["amt"]))
            b.set("push_msat", millisatoshis(kv["push_amt"]))
            b.set("channel_reserve_satoshis", satoshis(kv["reserve"]))
            b.unsigned("channel_flags", kv["flags"])
        case "accept_channel":
            b.hex("temporary_channel_id", kv["temp_chan_id"], count: 32)
            b.set("channel_reserve_satoshis", satoshis(kv["reserve"]))
            b.unsigned("to_self_delay", kv["csv"])
            b.unsigned("minimum_depth", kv["num_confs"])
        case "funding_created":
            b.hex("temporary_channel_id", kv["temp_chan_id"], count: 32)
            if let point = kv["chan_point"], let colon = point.lastIndex(of: ":") {
                if let txid = reversedHex(point[..<colon]), txid.count == 32 { b.set("funding_txid", .bytes(txid)) }
                b.unsigned("funding_output_index", point[point.index(after: colon)...])
            }
        case "channel_ready":
            b.hex("second_per_commitment_point", kv["next_point"], count: 33)
        case "shutdown":
            b.hex("scriptpubkey", kv["script"])
        case "closing_signed", "closing_complete":
            b.set("fee_satoshis", satoshis(kv["fee_sat"]))
            b.unsigned("locktime", kv["locktime"])
        case "update_add_htlc":
            b.unsigned("id", kv["id"])
            b.set("amount_msat", millisatoshis(kv["amt"]))
            b.unsigned("cltv_expiry", kv["expiry"])
            b.hex("payment_hash", kv["hash"], count: 32)
            if let path = kv["blinding_point"], let key = Hex.decode(path), key.count == 33 {
                b.setTLV("blinded_path", "path_key", .bytes(key))
            }
        case "update_fulfill_htlc":
            b.unsigned("id", kv["id"])
            b.hex("payment_preimage", kv["preimage"] ?? kv["pre_image"], count: 32)
        case "update_fail_htlc":
            b.unsigned("id", kv["id"])
            b.hex("reason", kv["reason"])
        case "update_fail_malformed_htlc":
            b.unsigned("id", kv["id"])
            if let code = kv["fail_code"].flatMap({ failCodes[String($0)] }) { b.set("failure_code", .unsigned(code)) }
        case "commitment_signed":
            b.unsigned("num_htlcs", kv["num_htlcs"])
        case "revoke_and_ack":
            b.hex("per_commitment_secret", kv["rev"], count: 32)
            b.hex("next_per_commitment_point", kv["next_point"], count: 33)
        case "update_fee":
            b.unsigned("feerate_per_kw", kv["fee_update_sat"])
        case "channel_reestablish":
            b.unsigned("next_commitment_number", kv["next_local_height"])
            b.unsigned("next_revocation_number", kv["remote_tail_height"])
        case "error", "warning":
            if let text = kv["err"] { b.set("data", .bytes(Array(text.utf8))) }
        case "ping":
            b.unsigned("num_pong_bytes", kv["num_pong_bytes"])
            if let bytes = kv["ping_bytes"].flatMap({ Hex.decode($0) }) {
                b.set("byteslen", .unsigned(UInt64(bytes.count)))
                b.set("ignored", .bytes(bytes))
            }
            b.unsigned("byteslen", kv["len(ping_bytes)"])
        case "pong":
            if let bytes = kv["pong_bytes"].flatMap({ Hex.decode($0) }) {
                b.set("byteslen", .unsigned(UInt64(bytes.count)))
                b.set("ignored", .bytes(bytes))
            }
            b.unsigned("byteslen", kv["len(pong_bytes)"])
        case "stfu":
            if let flag = kv["initiator"] { b.set("initiator", .unsigned(flag == "true" ? 1 : 0)) }
        case "announcement_signatures", "channel_announcement", "channel_update":
            if let scid = kv["short_chan_id"].flatMap({ UInt64($0) }) {
                b.set("short_channel_id", .shortChannelID(ShortChannelID(rawValue: scid)))
            }
            if let chain = reversedHex(kv["chain_hash"]), chain.count == 32 { b.set("chain_hash", .bytes(chain)) }
            if let flags = kv["mflags"].flatMap({ UInt8($0, radix: 2) }) { b.set("message_flags", .unsigned(UInt64(flags))) }
            if let flags = kv["cflags"].flatMap({ UInt8($0, radix: 2) }) { b.set("channel_flags", .unsigned(UInt64(flags))) }
            // Before the 2018 split into message_flags and channel_flags, one 16-bit "flag".
            if let flags = kv["flag"].flatMap({ UInt16($0) }) {
                b.set("message_flags", .unsigned(UInt64(flags >> 8)))
                b.set("channel_flags", .unsigned(UInt64(flags & 0xff)))
            }
            if let time = kv["update_time"].flatMap(Self.goTime) { b.set("timestamp", .unsigned(UInt64(time))) }
        case "node_announcement":
            b.hex("node_id", kv["node"], count: 33)
            if let time = kv["update_time"].flatMap(Self.goTime) { b.set("timestamp", .unsigned(UInt64(time))) }
        default:
            if let chain = reversedHex(kv["chain_hash"]), chain.count == 32 { b.set("chain_hash", .bytes(chain)) }
        }
        return b.message
    }
}
