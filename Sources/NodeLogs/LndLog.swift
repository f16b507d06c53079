import Foundation
import Provenance
import Wire

/// lnd's wire-message log lines (`peer/brontide.go` `logWireMessage`, `messageSummary`),
/// lnd 0.15 through 0.21:
///
///     2024-05-01 15:54:18.364 [DBG] PEER: Peer(<pk>): Sending UpdateAddHTLC(chan_id=…, id=1, amt=1000 mSAT, …) to <pk>@<addr>
///     2022-06-26 11:15:09.906 [DBG] PEER: Received CommitSig(chan_id=…, num_htlcs=0) from <pk>@<addr>
///
/// and the `[TRC]` spew dumps that follow them (`readMessage from peer: (*lnwire.X)(0x…)({`
/// … blank line), whose fields are used when present. The peer is read from the end of the
/// line, since an error's text may contain parentheses, commas, " to " or " from ".
public struct LndLogParser: LogParser {
    public let file: String
    public private(set) var skippedLines = 0
    /// A summary line held back until we know whether a trace dump follows it.
    private var pending: LogMessage?
    /// A trace dump being collected: its header and continuation lines.
    private var dump: (header: LogMessage?, type: String, lines: [String])?
    /// A summary line cut by a terminal's line wrap, waiting for its continuation lines.
    private var wrapped: (text: String, line: Int, stamp: Stamp?, prefixPeer: String?, parts: Int)?

    public init(file: String) {
        self.file = file
    }

    /// lnd's `MessageType.String()` names → spec names.
    static let names: [String: String] = [
        "Init": "init", "Error": "error", "Warning": "warning", "Ping": "ping", "Pong": "pong",
        "MsgOpenChannel": "open_channel", "MsgAcceptChannel": "accept_channel",
        "MsgFundingCreated": "funding_created", "MsgFundingSigned": "funding_signed",
        "ChannelReady": "channel_ready", "FundingLocked": "channel_ready",
        "Shutdown": "shutdown", "ClosingSigned": "closing_signed",
        "ClosingComplete": "closing_complete", "ClosingSig": "closing_sig",
        "UpdateAddHTLC": "update_add_htlc", "UpdateFulfillHTLC": "update_fulfill_htlc",
        "UpdateFailHTLC": "update_fail_htlc", "UpdateFailMalformedHTLC": "update_fail_malformed_htlc",
        "CommitSig": "commitment_signed", "RevokeAndAck": "revoke_and_ack", "UpdateFee": "update_fee",
        "ChannelReestablish": "channel_reestablish", "Stfu": "stfu",
        "AnnounceSignatures": "announcement_signatures", "ChannelAnnouncement": "channel_announcement",
        "ChannelUpdate": "channel_update", "NodeAnnouncement": "node_announcement",
        "NodeAnnouncement1": "node_announcement",
        "QueryShortChanIDs": "query_short_channel_ids", "ReplyShortChanIDsEnd": "reply_short_channel_ids_end",
        "QueryChannelRange": "query_channel_range", "ReplyChannelRange": "reply_channel_range",
        "GossipTimestampRange": "gossip_timestamp_filter",
    ]

    /// lnd's `FailCode.String()` names of the BADONION failures → codes (BOLT #4).
    static let failCodes: [String: UInt64] = [
        "InvalidOnionVersion": 0xc004, "InvalidOnionHmac": 0xc005, "InvalidOnionKey": 0xc006,
        "InvalidOnionPayload": 0x4016, "InvalidBlinding": 0xc018,
    ]

    public mutating func parse(_ line: LineReader.Line) -> [LogEvent] {
        let bytes = line.bytes
        var out: [LogEvent] = []
        let header = LogText.find("] PEER", in: bytes)
        // A wrapped summary line continues on lines without a header.
        if let held = wrapped {
            wrapped = nil
            if header == nil, !bytes.isEmpty, LogText.firstTimestamp(bytes, window: 8) == nil, held.parts < 4 {
                return summary(held.text + LogText.string(bytes), line: held.line, stamp: held.stamp, prefixPeer: held.prefixPeer,
                               parts: held.parts + 1)
            }
            out += summary(held.text, line: held.line, stamp: held.stamp, prefixPeer: held.prefixPeer, parts: 4)
        }
        // A trace dump continues until a blank line or the next header line.
        if dump != nil {
            if header == nil && LogText.firstTimestamp(bytes, window: 8) == nil && !bytes.isEmpty {
                dump?.lines.append(LogText.string(bytes))
                return []
            }
            out += finishDump()
            if bytes.isEmpty { return out }
        }
        guard let header else {
            if let note = Self.linkFailure(bytes, line: line.number) { return out + [.note(note)] }
            if let at = LogText.find("] LTND: Version: ", in: bytes) {
                // lnd's first line: "… [INF] LTND: Version: 0.16.0-beta commit=…".
                let version = LogText.string(bytes[(at + 17)...].prefix { $0 != 0x20 })
                let stamp = LogText.firstTimestamp(bytes[..<at], window: 48)
                return out + [.note(LogNote(line: line.number, time: stamp?.0, timeText: stamp?.1, channelID: nil, kind: "version", text: version))]
            }
            skippedLines += 1
            return out
        }
        let stamp = LogText.firstTimestamp(bytes[..<header], window: 48)
        var rest = bytes[(header + 6)...]
        // "PEER: ", or with a call-site (lnd 0.19+) "PEER brontide.go:2910: ".
        guard let colon = LogText.find(": ", in: rest) else {
            skippedLines += 1
            return out
        }
        rest = rest[(colon + 2)...].drop { $0 == 32 }
        // Optional per-peer prefix (lnd 0.15.1+): "Peer(<66 hex>): ", or an alias or
        // redaction a user put there ("Peer([Alice]): ", "Peer(xxx): ").
        var prefixPeer: String?
        if rest.starts(with: Array("Peer(".utf8)), let close = LogText.find("): ", in: rest.prefix(140)) {
            prefixPeer = LogText.string(rest[(rest.startIndex + 5)..<close])
            rest = rest[(close + 3)...].drop { $0 == 32 }
        }
        let text = LogText.string(rest)
        if text.hasPrefix("Received ") || text.hasPrefix("Sending ") {
            out += flushPending()
            return out + summary(text, line: line.number, stamp: LogText.stamp(stamp, line), prefixPeer: prefixPeer, parts: 1)
        }
        if text.hasPrefix("readMessage from ") || text.hasPrefix("writeMessage to ") {
            // "(*lnwire.UpdateAddHTLC)(0xc000…)({"
            if let start = Substring(text).firstRange(ofASCII: "(*lnwire."), let end = text[start.upperBound...].firstIndex(of: ")") {
                let goType = String(text[start.upperBound..<end])
                let direction: Direction = text.hasPrefix("readMessage") ? .in : .out
                var header: LogMessage?
                if let held = pending, held.direction == direction, Self.goTypeMatches(goType, held.content.name) {
                    header = held
                    pending = nil
                } else {
                    out += flushPending()
                    if let name = Self.goTypeNames[goType] ?? Self.names[goType] {
                        // Before lnd 0.15.1 the peer is in the line: "readMessage from <peer>: (…".
                        var peer = prefixPeer.map { Self.peer(Substring($0)) }
                        let from = text.hasPrefix("readMessage") ? 17 : 16
                        if peer == nil, let colon = text.dropFirst(from).firstRange(of: ": (*lnwire.") {
                            let named = text[text.index(text.startIndex, offsetBy: from)..<colon.lowerBound]
                            if named != "peer" { peer = Self.peer(Substring(named)) }
                        }
                        var message = LogMessage(line: line.number, stamp: LogText.stamp(stamp, line), peer: peer?.name,
                                                 direction: direction, content: .partial(PartialBuilder(name: name).message))
                        message.peerIdentity = peer?.identity
                        header = message
                    }
                }
                dump = (header, goType, [])
                return out
            }
        }
        skippedLines += 1
        return out
    }

    public mutating func flush() -> [LogEvent] {
        var out: [LogEvent] = []
        if let held = wrapped {
            wrapped = nil
            out = summary(held.text, line: held.line, stamp: held.stamp, prefixPeer: held.prefixPeer, parts: 4)
        }
        return out + finishDump() + flushPending()
    }

    /// A summary line: parsed, or held when a terminal's line wrap cut it (no closing
    /// parenthesis and no peer at its end) until its continuation lines arrive.
    private mutating func summary(_ text: String, line: Int, stamp: Stamp?, prefixPeer: String?, parts: Int) -> [LogEvent] {
        let (message, complete) = summaryLine(text, line: line, stamp: stamp, prefixPeer: prefixPeer)
        if parts < 4, !complete {
            wrapped = (text, line, stamp, prefixPeer, parts)
            return []
        }
        if let message {
            pending = message
        } else {
            skippedLines += parts
        }
        return []
    }

    /// How a log line names a peer: `<66 hex>` or `<66 hex>@<addr>` (a node id), `<label>@<addr>`
    /// (an alias or redaction: `[Alice]`, `***`, `PEER`, an elided id), or `<ip:port>` (lnd
    /// before 0.5 named peers by address only).
    static func peer(_ text: Substring) -> (name: String, identity: PeerIdentity) {
        let utf8 = text.utf8
        if let at = utf8.firstIndex(of: UInt8(ascii: "@")) {
            let id = utf8[..<at]
            if id.count == 66, id.allSatisfy(LogText.isHex) { return (String(decoding: id, as: UTF8.self), .nodeID) }
            if !id.isEmpty { return (String(decoding: id, as: UTF8.self), .alias) }
            return (String(decoding: utf8[utf8.index(after: at)...], as: UTF8.self), .address)
        }
        if utf8.count == 66, utf8.allSatisfy(LogText.isHex) { return (String(text), .nodeID) }
        if utf8.contains(UInt8(ascii: ":")) || utf8.contains(UInt8(ascii: ".")) { return (String(text), .address) }
        return (String(text), .alias)
    }

    private mutating func flushPending() -> [LogEvent] {
        guard let message = pending else { return [] }
        pending = nil
        return [.message(message)]
    }

    private mutating func finishDump() -> [LogEvent] {
        guard let current = dump else { return [] }
        dump = nil
        guard var message = current.header, case var .partial(partial) = message.content else { return [] }
        for field in SpewDump.fields(current.lines, goType: current.type) where partial.fields[field.name] == nil {
            partial.fields.append(field)
        }
        message.content = .partial(partial)
        return [.message(message)]
    }

    /// lnd Go type names that differ from the log names.
    static let goTypeNames: [String: String] = [
        "OpenChannel": "open_channel", "AcceptChannel": "accept_channel", "FundingCreated": "funding_created",
        "FundingSigned": "funding_signed", "AnnounceSignatures1": "announcement_signatures",
        "ChannelAnnouncement1": "channel_announcement", "ChannelUpdate1": "channel_update",
    ]

    static func goTypeMatches(_ goType: String, _ specName: String) -> Bool {
        (goTypeNames[goType] ?? names[goType]) == specName
    }

    /// "Received X(summary) from <pk>@<addr>" / "Sending X(summary) to <pk>@<addr>"; and
    /// whether the line ends as lnd ends them (with the peer, or the summary's `)`), or was
    /// cut by a terminal's line wrap.
    func summaryLine(_ text: String, line: Int, stamp: Stamp?, prefixPeer: String?) -> (LogMessage?, complete: Bool) {
        let received = text.hasPrefix("Received ")
        var body = Substring(text.dropFirst(received ? 9 : 8))
        var complete = body.utf8.last == UInt8(ascii: ")")
        // The peer, from the end: " from <pk>@<addr>" or " to <pk>@<addr>" (an error's text may
        // contain either word).
        let preposition = received ? " from " : " to "
        var peer = prefixPeer.map { Self.peer(Substring($0)) }
        if let range = body.lastRange(of: preposition) {
            let suffix = body[range.upperBound...]
            if !suffix.utf8.contains(32), !suffix.isEmpty {
                let named = Self.peer(suffix)
                if peer == nil || named.identity == .nodeID { peer = named }
                body = body[..<range.lowerBound]
                complete = true
            }
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
        if typeName == "custom" {
            let number = summary.hasPrefix("type=") ? UInt16(summary.dropFirst(5)) : nil
            content = .partial(PartialBuilder(type: number ?? 0).message)
        } else if typeName == "<unknown>" {
            content = .partial(PartialMessage(type: nil, name: "unknown"))
        } else if let name = Self.names[String(typeName)] {
            content = .partial(Self.fields(name, summary))
        } else if typeName == "OnionMessage" {
            content = .partial(PartialBuilder(type: 513).message)
        } else if complete, let first = typeName.utf8.first, first >= 0x41 && first <= 0x5A,
                  typeName.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || LogText.isDigit($0) }) {
            // A type this table does not know (lnd's own DynPropose, KickoffSig, the gossip 2
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
           let hours = LogText.number(bytes, at: end + 2, digits: 2), let minutes = LogText.number(bytes, at: end + 4, digits: 2) {
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

/// Fields of go-spew dumps (`spew.Sdump`) of lnd's `lnwire` messages: scalar lines
/// (`ID: (uint64) 138,`) and byte arrays printed as hexdump blocks.
enum SpewDump {
    /// lnwire Go field names → spec names (BOLT #2).
    static let fieldNames: [String: String] = [
        "ChanID": "channel_id", "ID": "id", "Amount": "amount_msat", "PaymentHash": "payment_hash",
        "Expiry": "cltv_expiry", "OnionBlob": "onion_routing_packet", "PaymentPreimage": "payment_preimage",
        "Reason": "reason", "ShaOnionBlob": "sha256_of_onion", "FailureCode": "failure_code",
        "CommitSig": "signature", "Revocation": "per_commitment_secret", "FeePerKw": "feerate_per_kw",
        "NextLocalCommitHeight": "next_commitment_number", "RemoteCommitTailHeight": "next_revocation_number",
        "LastRemoteCommitSecret": "your_last_per_commitment_secret", "PendingChannelID": "temporary_channel_id",
        "FundingAmount": "funding_satoshis", "PushAmount": "push_msat", "CsvDelay": "to_self_delay",
        "MinAcceptDepth": "minimum_depth", "ShortChannelID": "short_channel_id", "Timestamp": "timestamp",
        "ChainHash": "chain_hash", "Address": "scriptpubkey",
    ]

    static func fields(_ lines: [String], goType: String) -> [WireField] {
        var out: [WireField] = []
        var collecting: (name: String, bytes: [UInt8])?
        for raw in lines {
            let line = raw.trimmingSpaces()
            if var current = collecting {
                // "00000000  00 20 42 09 …  |. B..|"
                if line.count > 10, line.prefix(8).allSatisfy({ $0.isHexDigit }) {
                    let body = line.dropFirst(8).prefix { $0 != "|" }
                    for token in body.split(separator: " ") where token.count == 2 {
                        if let byte = UInt8(token, radix: 16) { current.bytes.append(byte) }
                    }
                    collecting = current
                    continue
                }
                if line.hasPrefix("}") {
                    if let name = fieldNames[current.name] { out.append(WireField(name, .bytes(current.bytes))) }
                    collecting = nil
                }
                continue
            }
            // "Name: (type) value," or "Name: (type) (len=32 cap=32) {"
            guard let colon = Substring(line).firstRange(ofASCII: ": ("), let close = line[colon.upperBound...].firstIndex(of: ")") else { continue }
            let name = String(line[..<colon.lowerBound])
            var value = line[line.index(after: close)...].trimmingSpaces()
            if value.hasPrefix("(len=") {
                if value.hasSuffix("{") { collecting = (name, []) }
                continue
            }
            if value.hasSuffix(",") { value = String(value.dropLast()) }
            guard let spec = fieldNames[name] else { continue }
            let number = value.split(separator: " ").first.flatMap { UInt64($0) }
            if spec == "short_channel_id" {
                // "1254722:28:0"
                let parts = value.split(separator: ":").compactMap { UInt32($0) }
                // Each part within its width (3, 3 and 2 bytes): a damaged line must not trap.
                if parts.count == 3, parts[0] <= 0xff_ffff, parts[1] <= 0xff_ffff, let output = UInt16(exactly: parts[2]) {
                    out.append(WireField(spec, .shortChannelID(ShortChannelID(block: parts[0], transaction: parts[1], output: output))))
                }
            } else if let number {
                out.append(WireField(spec, .unsigned(number)))
            }
        }
        return out
    }
}

extension LndLogParser {
    /// `… [ERR] HSWC: ChannelLink(<txid>:<index>): failing link: <reason> with error: <error>`
    /// (htlcswitch/link.go `failf`): the channel's link failed.
    static func linkFailure(_ bytes: ArraySlice<UInt8>, line: Int) -> LogNote? {
        guard let marker = LogText.find("): failing link: ", in: bytes), let open = LogText.find("ChannelLink(", in: bytes[..<marker]) else {
            return nil
        }
        let point = LogText.string(bytes[(open + 12)..<marker])
        let parts = point.split(separator: ":")
        var channel: ChannelID?
        if parts.count == 2, let txid = Hex.decode(parts[0]), txid.count == 32, let index = UInt16(parts[1]),
           let hash = SHA256Hash(Array(txid.reversed())) {
            // The channel point prints the txid byte-reversed; channel_id XORs the wire order.
            channel = ChannelID(fundingTxid: hash, outputIndex: index)
        }
        let stamp = LogText.firstTimestamp(bytes[..<open], window: 48)
        return LogNote(line: line, time: stamp?.0, timeText: stamp?.1, channelID: channel,
                       kind: "link-failure", text: LogText.string(bytes[(marker + 17)...]))
    }
}
