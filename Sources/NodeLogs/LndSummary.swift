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
    /// cut by a terminal's line wrap. Read on the line's bytes.
    func summaryLine(_ text: ArraySlice<UInt8>, line: Int, stamp: Stamp?, prefixPeer: String?) -> (LogMessage?, complete: Bool) {
        let received = LogText.starts(text, with: LndDialect.received)
        var body = text.dropFirst((received ? LndDialect.received : LndDialect.sending).utf8CodeUnitCount)
        var complete = body.last == UInt8(ascii: ")")
        var peer = prefixPeer.map { Self.peer(Array($0.utf8)[...]) }
        if let named = Self.trailingPeer(&body, preposition: received ? LndDialect.from : LndDialect.to) {
            if peer == nil || named.identity == .nodeID { peer = named }
            complete = true
        }
        // "Type(summary)" or "Type" (Init has no summary); a summary cut short keeps what it has.
        let typeName: ArraySlice<UInt8>
        var summary: ArraySlice<UInt8> = []
        if let open = body.firstIndex(of: UInt8(ascii: "(")) {
            typeName = body[..<open]
            summary = body[(open + 1)...]
            if summary.last == UInt8(ascii: ")") { summary = summary.dropLast() }
        } else {
            typeName = body
        }
        let content: MessageContent
        if LogText.equals(typeName, LndDialect.custom) {
            let number: UInt16? =
                LogText.starts(summary, with: LndDialect.customType)
                ? LogText.decimal(summary.dropFirst(LndDialect.customType.utf8CodeUnitCount)) : nil
            content = .partial(PartialMessage(type: number ?? 0))
        } else if typeName.elementsEqual(LndDialect.unknown.utf8) {
            content = .partial(PartialMessage(type: nil, name: "unknown"))
        } else if let entry = LndDialect.messages.entry(named: LogText.string(typeName)) {
            // A type Wire does not decode (OnionMessage) is kept by its number, without fields.
            content = .partial(entry.kind.map { Self.fields($0, summary) } ?? PartialMessage(type: entry.type))
        } else if complete, let first = typeName.first, first >= 0x41 && first <= 0x5A,
            typeName.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || LogText.isDigit($0) })
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
    static func pairs(_ summary: ArraySlice<UInt8>) -> SummaryPairs {
        var out = SummaryPairs()
        var rest = summary
        while !rest.isEmpty {
            guard let eq = rest.firstIndex(of: UInt8(ascii: "=")) else { break }
            let key = rest[..<eq]
            let value = rest[(eq + 1)...]
            if LogText.equals(key, "err") {
                out.pairs.append((key, value))
                break
            }
            if let comma = LogText.find(", ", in: value) {
                out.pairs.append((key, value[..<comma]))
                rest = value[(comma + 2)...]
            } else {
                out.pairs.append((key, value))
                break
            }
        }
        return out
    }

    /// A summary's pairs, looked up by key. A summary has a handful, so comparing bytes in
    /// order beats hashing every key into a dictionary; the first of a repeated key wins.
    struct SummaryPairs {
        var pairs: [(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] = []

        subscript(_ key: StaticString) -> ArraySlice<UInt8>? {
            pairs.first { LogText.equals($0.key, key) }?.value
        }
    }

    /// Go's `time.Time.String()`: `2023-11-14 23:13:21 +0100 CET` (fractional seconds
    /// optional) → seconds since the epoch, with the offset applied.
    static func goTime(_ text: ArraySlice<UInt8>) -> Int64? {
        let bytes = Array(text)[...]
        guard let (time, end) = WrapperTime.dateTime(bytes, at: 0), bytes[10] == 32 else { return nil }
        var seconds = time.seconds
        if end + 6 <= bytes.endIndex, bytes[end] == 32, bytes[end + 1] == UInt8(ascii: "+") || bytes[end + 1] == UInt8(ascii: "-"),
            let hours = LogText.number(bytes, at: end + 2, digits: 2), let minutes = LogText.number(bytes, at: end + 4, digits: 2)
        {
            seconds -= (bytes[end + 1] == UInt8(ascii: "+") ? 1 : -1) * Int64(hours * 3600 + minutes * 60)
        }
        return seconds >= 0 ? seconds : nil
    }

    /// The number before the first space: "1000 mSAT" → 1000.
    static func leadingNumber(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        text.prefix { $0 != 32 }
    }

    /// "1000 mSAT" → 1000.
    static func millisatoshis(_ text: ArraySlice<UInt8>?) -> UInt64? {
        text.flatMap { LogText.decimal(leadingNumber($0)) }
    }

    /// "0.01 BTC" / "0.01000000 BTC" / "1 BTC" → satoshis.
    static func satoshis(_ text: ArraySlice<UInt8>?) -> UInt64? {
        guard let text else { return nil }
        let number = leadingNumber(text)
        let dot = number.firstIndex(of: UInt8(ascii: "."))
        guard let whole: UInt64 = LogText.decimal(number[..<(dot ?? number.endIndex)]) else { return nil }
        var fraction: UInt64 = 0
        if let dot {
            let digits = number[(dot + 1)...].prefix(8)
            guard let f: UInt64 = LogText.decimal(digits + [UInt8](repeating: UInt8(ascii: "0"), count: 8 - digits.count)) else {
                return nil
            }
            fraction = f
        }
        let (sats, overflow) = whole.multipliedReportingOverflow(by: 100_000_000)
        guard !overflow else { return nil }
        return sats.addingReportingOverflow(fraction).overflow ? nil : sats + fraction
    }

    /// A hash lnd prints byte-reversed (a txid, a chain hash), in wire order.
    static func reversed<V: FixedSizeBytes>(_ text: ArraySlice<UInt8>?, _: V.Type) -> V? {
        text.flatMap { Hex.decode(utf8: $0) }.flatMap { V($0.reversed()) }
    }

    /// The fields of one summary, typed.
    static func fields(_ kind: MessageKind, _ summary: ArraySlice<UInt8>) -> PartialMessage {
        var b = PartialBuilder(kind: kind)
        let kv = pairs(summary)
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
            if let point = kv["chan_point"], let colon = point.lastIndex(of: UInt8(ascii: ":")) {
                b.set(\.fundingTxid, reversed(point[..<colon], SHA256Hash.self))
                b.unsigned(\.fundingOutputIndex, point[(colon + 1)...])
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
            b.set(\.failureCode, kv["fail_code"].flatMap { failCodes[LogText.string($0)] }.flatMap(UInt16.init(exactly:)))
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
            b.set(\.data, kv["err"].map { Array($0) })
        case .ping:
            b.unsigned(\.numPongBytes, kv["num_pong_bytes"])
            ignored(&b, kv["ping_bytes"], length: kv["len(ping_bytes)"])
        case .pong:
            ignored(&b, kv["pong_bytes"], length: kv["len(pong_bytes)"])
        case .stfu:
            b.set(\.initiator, kv["initiator"].map { LogText.equals($0, "true") ? 1 : 0 })
        case .announcementSignatures, .channelAnnouncement, .channelUpdate:
            b.set(\.shortChannelID, kv["short_chan_id"].flatMap { LogText.decimal($0) }.map(ShortChannelID.init(rawValue:)))
            b.set(\.chainHash, reversed(kv["chain_hash"], ChainHash.self))
            b.set(\.messageFlags, kv["mflags"].flatMap { UInt8(LogText.string($0), radix: 2) })
            b.set(\.channelFlags, kv["cflags"].flatMap { UInt8(LogText.string($0), radix: 2) })
            // Before the 2018 split into message_flags and channel_flags, one 16-bit "flag".
            if let flags: UInt16 = kv["flag"].flatMap({ LogText.decimal($0) }) {
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
    private static func ignored(_ b: inout PartialBuilder, _ hex: ArraySlice<UInt8>?, length: ArraySlice<UInt8>?) {
        if let bytes = hex.flatMap({ Hex.decode(utf8: $0) }) {
            b.set(\.byteslen, UInt16(exactly: bytes.count))
            b.set(\.ignored, bytes)
        }
        b.unsigned(\.byteslen, length)
    }
}
