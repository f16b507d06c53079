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
            content = .partial(PartialMessage(type: number ?? 0))
        } else if typeName == LndDialect.unknown {
            content = .partial(PartialMessage(type: nil, name: "unknown"))
        } else if let entry = LndDialect.messages.entry(named: String(typeName)) {
            // A type Wire does not decode (OnionMessage) is kept by its number, without fields.
            content = .partial(entry.kind.map { Self.fields($0, summary) } ?? PartialMessage(type: entry.type))
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
    static func millisatoshis(_ text: Substring?) -> UInt64? {
        guard let text else { return nil }
        return UInt64(text.prefix { $0 != " " })
    }

    /// "0.01 BTC" / "0.01000000 BTC" / "1 BTC" → satoshis.
    static func satoshis(_ text: Substring?) -> UInt64? {
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
        let (sats, overflow) = whole.multipliedReportingOverflow(by: 100_000_000)
        guard !overflow else { return nil }
        return sats.addingReportingOverflow(fraction).overflow ? nil : sats + fraction
    }

    /// A hash lnd prints byte-reversed (a txid, a chain hash), in wire order.
    static func reversed<V: FixedSizeBytes>(_ text: Substring?, _: V.Type) -> V? {
        reversedHex(text).flatMap { V($0) }
    }

    /// The fields of one summary, typed.
    static func fields(_ kind: MessageKind, _ summary: Substring) -> PartialMessage {
        var b = PartialBuilder(kind: kind)
        let kv = Dictionary(pairs(summary), uniquingKeysWith: { first, _ in first })
        b.hex(\.channelID, kv["chan_id"])
        switch kind {
        case .openChannel:
            b.hex(\.temporaryChannelID, kv["temp_chan_id"])
            b.set(\.chainHash, reversed(kv["chain"], ChainHash.self))
            b.unsigned(\.toSelfDelay, kv["csv"])
            b.set(\.fundingSatoshis, satoshis(kv["amt"]))
            b.set(\.pushMsat, millisatoshis(kv["push_amt"]))
            b.set(\.channelReserveSatoshis, satoshis(kv["reserve"]))
            b.unsigned(\.channelFlags, kv["flags"])
        case .acceptChannel:
            b.hex(\.temporaryChannelID, kv["temp_chan_id"])
            b.set(\.channelReserveSatoshis, satoshis(kv["reserve"]))
            b.unsigned(\.toSelfDelay, kv["csv"])
            b.unsigned(\.minimumDepth, kv["num_confs"])
        case .fundingCreated:
            b.hex(\.temporaryChannelID, kv["temp_chan_id"])
            if let point = kv["chan_point"], let colon = point.lastIndex(of: ":") {
                b.set(\.fundingTxid, reversed(point[..<colon], SHA256Hash.self))
                b.unsigned(\.fundingOutputIndex, point[point.index(after: colon)...])
            }
        case .channelReady:
            b.hex(\.secondPerCommitmentPoint, kv["next_point"])
        case .shutdown:
            b.hex(\.scriptpubkey, kv["script"])
        case .closingSigned, .closingComplete:
            b.set(\.feeSatoshis, satoshis(kv["fee_sat"]))
            b.unsigned(\.locktime, kv["locktime"])
        case .updateAddHTLC:
            b.unsigned(\.id, kv["id"])
            b.set(\.amountMsat, millisatoshis(kv["amt"]))
            b.unsigned(\.cltvExpiry, kv["expiry"])
            b.hex(\.paymentHash, kv["hash"])
            b.hex(\.blindedPathRecord, kv["blinding_point"])
        case .updateFulfillHTLC:
            b.unsigned(\.id, kv["id"])
            b.hex(\.paymentPreimage, kv["preimage"] ?? kv["pre_image"], count: 32)
        case .updateFailHTLC:
            b.unsigned(\.id, kv["id"])
            b.hex(\.reason, kv["reason"])
        case .updateFailMalformedHTLC:
            b.unsigned(\.id, kv["id"])
            b.set(\.failureCode, kv["fail_code"].flatMap { failCodes[String($0)] }.flatMap(UInt16.init(exactly:)))
        case .commitmentSigned:
            b.unsigned(\.numHTLCs, kv["num_htlcs"])
        case .revokeAndAck:
            b.hex(\.perCommitmentSecret, kv["rev"], count: 32)
            b.hex(\.nextPerCommitmentPoint, kv["next_point"])
        case .updateFee:
            b.unsigned(\.feeratePerKw, kv["fee_update_sat"])
        case .channelReestablish:
            b.unsigned(\.nextCommitmentNumber, kv["next_local_height"])
            b.unsigned(\.nextRevocationNumber, kv["remote_tail_height"])
        case .error, .warning:
            b.set(\.data, kv["err"].map { Array($0.utf8) })
        case .ping:
            b.unsigned(\.numPongBytes, kv["num_pong_bytes"])
            ignored(&b, kv["ping_bytes"], length: kv["len(ping_bytes)"])
        case .pong:
            ignored(&b, kv["pong_bytes"], length: kv["len(pong_bytes)"])
        case .stfu:
            b.set(\.initiator, kv["initiator"].map { $0 == "true" ? 1 : 0 })
        case .announcementSignatures, .channelAnnouncement, .channelUpdate:
            b.set(\.shortChannelID, kv["short_chan_id"].flatMap { UInt64($0) }.map(ShortChannelID.init(rawValue:)))
            b.set(\.chainHash, reversed(kv["chain_hash"], ChainHash.self))
            b.set(\.messageFlags, kv["mflags"].flatMap { UInt8($0, radix: 2) })
            b.set(\.channelFlags, kv["cflags"].flatMap { UInt8($0, radix: 2) })
            // Before the 2018 split into message_flags and channel_flags, one 16-bit "flag".
            if let flags = kv["flag"].flatMap({ UInt16($0) }) {
                b.set(\.messageFlags, UInt8(flags >> 8))
                b.set(\.channelFlags, UInt8(flags & 0xff))
            }
            b.set(\.timestamp, kv["update_time"].flatMap(Self.goTime).flatMap(UInt32.init(exactly:)))
        case .nodeAnnouncement:
            b.hex(\.nodeID, kv["node"])
            b.set(\.timestamp, kv["update_time"].flatMap(Self.goTime).flatMap(UInt32.init(exactly:)))
        default:
            b.set(\.chainHash, reversed(kv["chain_hash"], ChainHash.self))
        }
        return b.message
    }

    /// A ping's or pong's `ignored` bytes (and so their length), or their length alone.
    private static func ignored(_ b: inout PartialBuilder, _ hex: Substring?, length: Substring?) {
        if let bytes = hex.flatMap({ Hex.decode($0) }) {
            b.set(\.byteslen, UInt16(exactly: bytes.count))
            b.set(\.ignored, bytes)
        }
        b.unsigned(\.byteslen, length)
    }
}
