import Basics
import Foundation
import Provenance
import Wire

/// LDK's wire-message trace lines (`lightning/src/ln/peer_handler.rs`), as ldk-node and most
/// LDK applications write them:
///
///     2024-02-12 13:54:53.353 TRACE [lightning::ln::peer_handler:1240] Enqueueing message Init { … } to 02cc…56d0
///     2023-06-02 19:18:51.382 TRACE [lightning::ln::peer_handler:1381] Received message ChannelReestablish(ChannelReestablish { … }) from 02…
///
/// "Enqueueing" is logged when the message is queued, not when it is written. Fields come
/// from Rust's `Debug` output, by name. LDK 0.3 moved the peer out of the message text; a
/// `p:` context column (six hex digits) is used then.
public struct LdkLogParser: LogParser {
    public internal(set) var file: String
    public private(set) var skippedLines = 0
    /// Reports not yet emitted: LDK reports one message on up to three lines (the event that
    /// sends it, `Enqueueing message`, a channel's own line), which become one message.
    private var pending: [Report] = []
    private var lineNumber = 0
    /// How many lines apart the reports of one message may be.
    static let window = 16
    /// The most messages of one kind an `UpdateHTLCs` event can count (BOLT #2:
    /// `max_accepted_htlcs` is at most 483).
    static let maximumBatch = 483

    public init(file: String) {
        self.file = file
    }

    /// What kind of line reported a message: each kind reports a message at most once.
    enum Kind: UInt8 {
        /// `Received message …` / `Enqueueing message …` (TRACE): the message itself.
        case wire = 1
        /// `Handling Send… event in peer_handler …` (DEBUG).
        case event = 2
        /// A channel's or the channel manager's own line (`Sending a channel_ready to our peer …`),
        /// or `Received peer Init message from …`.
        case note = 4
    }

    struct Report {
        var message: LogMessage
        var kinds: UInt8
        /// The event line that announced it with others (`Handling UpdateHTLCs event`), by its
        /// line number.
        var group: Int?
    }

    /// LDK field names → spec names (kind: `*` point, `#` signature, `=` signature list,
    /// `:` short_channel_id, `~` TLV record `record.field`).
    static let fieldNames: [String: String] = [
        "channel_id": "channel_id", "temporary_channel_id": "temporary_channel_id", "htlc_id": "id",
        "amount_msat": "amount_msat", "payment_hash": "payment_hash", "cltv_expiry": "cltv_expiry",
        "payment_preimage": "payment_preimage", "sha256_of_onion": "sha256_of_onion", "failure_code": "failure_code",
        "signature": "#signature", "htlc_signatures": "=htlc_signature", "per_commitment_secret": "per_commitment_secret",
        "next_per_commitment_point": "*next_per_commitment_point", "feerate_per_kw": "feerate_per_kw",
        "next_local_commitment_number": "next_commitment_number", "next_remote_commitment_number": "next_revocation_number",
        "your_last_per_commitment_secret": "your_last_per_commitment_secret",
        "my_current_per_commitment_point": "*my_current_per_commitment_point", "scriptpubkey": "scriptpubkey",
        "fee_satoshis": "fee_satoshis", "funding_output_index": "funding_output_index", "chain_hash": "chain_hash",
        "funding_satoshis": "funding_satoshis", "push_msat": "push_msat", "dust_limit_satoshis": "dust_limit_satoshis",
        "max_htlc_value_in_flight_msat": "max_htlc_value_in_flight_msat", "channel_reserve_satoshis": "channel_reserve_satoshis",
        "htlc_minimum_msat": "htlc_minimum_msat", "commitment_feerate_sat_per_1000_weight": "feerate_per_kw",
        "to_self_delay": "to_self_delay", "max_accepted_htlcs": "max_accepted_htlcs", "minimum_depth": "minimum_depth",
        "funding_pubkey": "*funding_pubkey", "revocation_basepoint": "*revocation_basepoint",
        "payment_point": "*payment_basepoint", "payment_basepoint": "*payment_basepoint",
        "delayed_payment_basepoint": "*delayed_payment_basepoint", "htlc_basepoint": "*htlc_basepoint",
        "first_per_commitment_point": "*first_per_commitment_point", "channel_flags": "channel_flags",
        "short_channel_id": ":short_channel_id", "node_signature": "#node_signature", "bitcoin_signature": "#bitcoin_signature",
        "initiator": "initiator", "ponglen": "num_pong_bytes", "byteslen": "byteslen", "data": "data",
        "first_timestamp": "first_timestamp", "timestamp_range": "timestamp_range", "first_blocknum": "first_blocknum",
        "number_of_blocks": "number_of_blocks", "sync_complete": "sync_complete", "full_information": "full_information",
        "timestamp": "timestamp", "cltv_expiry_delta": "cltv_expiry_delta", "fee_base_msat": "fee_base_msat",
        "fee_proportional_millionths": "fee_proportional_millionths", "htlc_maximum_msat": "htlc_maximum_msat",
        "blinding_point": "~blinded_path.path_key", "short_channel_id_alias": "~short_channel_id.alias",
    ]

    public mutating func flush() -> [LogEvent] {
        defer { pending.removeAll() }
        return pending.map { .message($0.message) }
    }

    /// Reports older than the window.
    private mutating func expired() -> [LogEvent] {
        var out: [LogEvent] = []
        while let first = pending.first, lineNumber - first.message.line > Self.window {
            out.append(.message(first.message))
            pending.removeFirst()
        }
        return out
    }

    /// Takes in one report: merged into an earlier report of the same message (another kind
    /// of line, same direction, type, peer and channel), or held as a new one.
    private mutating func add(_ message: LogMessage, kind: Kind, group: Int? = nil) {
        guard let index = pending.firstIndex(where: { $0.kinds & kind.rawValue == 0 && Self.sameMessage($0.message, message) }) else {
            pending.append(Report(message: message, kinds: kind.rawValue, group: group))
            return
        }
        var report = pending.remove(at: index)
        report.kinds |= kind.rawValue
        guard kind == .wire else {
            if report.message.peer == nil { report.message.peer = message.peer }
            pending.insert(report, at: index)
            return
        }
        // The wire line has every field, and its place is the message's place: after what was
        // enqueued before it. Of several messages one event announced (in an order guessed
        // from LDK's version), each takes the place its own line gives.
        var merged = message
        merged.peer = message.peer ?? report.message.peer
        if report.group == nil { merged.line = report.message.line }
        if merged.time == nil {
            (merged.time, merged.timeText, merged.timeSource) = (report.message.time, report.message.timeText, report.message.timeSource)
        }
        report.message = merged
        if let group = report.group {
            let placed =
                pending.lastIndex { $0.group == group && $0.kinds & Kind.wire.rawValue != 0 }.map { $0 + 1 }
                ?? pending.firstIndex { $0.group == group } ?? pending.endIndex
            pending.insert(report, at: placed)
        } else {
            pending.append(report)
        }
    }

    static func sameMessage(_ a: LogMessage, _ b: LogMessage) -> Bool {
        guard a.direction == b.direction, a.content.name == b.content.name else { return false }
        if let p = a.peer, let q = b.peer, !(p.hasPrefix(q) || q.hasPrefix(p)) { return false }
        if let x = a.content.channelID, let y = b.content.channelID, x != y { return false }
        return true
    }

    public mutating func parse(_ line: LineReader.Line) -> [LogEvent] {
        lineNumber = line.number
        let bytes = line.bytes
        var out = expired()
        if let message = Self.numbered(line) {
            add(message, kind: .wire)
        } else if let at = LogText.find(LdkDialect.received, in: bytes) {
            parseWire(line, start: at + LdkDialect.received.utf8CodeUnitCount, direction: .in, out: &out)
        } else if let at = LogText.find(LdkDialect.enqueueing, in: bytes) {
            parseWire(line, start: at + LdkDialect.enqueueing.utf8CodeUnitCount, direction: .out, out: &out)
        } else if let at = LogText.find(LdkDialect.handling, in: bytes), LogText.find(LdkDialect.inPeerHandler, in: bytes[at...]) != nil {
            if !parseEvent(line, start: at + LdkDialect.handling.utf8CodeUnitCount) { skippedLines += 1 }
        } else if !parseNote(line) {
            skippedLines += 1
        }
        return out
    }

    private mutating func parseWire(_ line: LineReader.Line, start: Int, direction: Direction, out: inout [LogEvent]) {
        let bytes = line.bytes
        let stamp = LogText.firstTimestamp(bytes[..<start], window: 48)
        var body = Substring(LogText.string(bytes[start...]))
        var peer: String?
        // "… from <66 hex>" / "… to <66 hex>" (LDK ≤ 0.2).
        for suffix in LdkDialect.peerSuffixes {
            if let range = body.lastRange(of: suffix) {
                let id = body[range.upperBound...].trimmingSpaces()
                if id.count == 66, Hex.decode(id) != nil {
                    peer = id
                    body = body[..<range.lowerBound]
                    break
                }
            }
        }
        if peer == nil { peer = Self.contextPeer(bytes[..<start]) }
        var value = DebugParser.parse(body)
        // The enum wrapper: UpdateAddHTLC(UpdateAddHTLC { … }).
        if case let .call(_, args) = value, args.count == 1, case .record = args[0] { value = args[0] }
        let typeName: String
        switch value {
        case let .record(name, _): typeName = name
        case let .call(name, _): typeName = name
        case let .atom(name): typeName = name
        default: typeName = ""
        }
        guard let name = LdkDialect.messages.entry(named: typeName)?.spec else {
            if typeName.hasPrefix(LdkDialect.unknownMessage) || typeName.hasPrefix(LdkDialect.customMessage) {
                skippedLines += 1
                return
            }
            let location = SourceLocation(file: file, line: line.number)
            out.append(.diagnostic(Diagnostic(.warning, "ldk.unknown-message", at: location, "unrecognised message '\(typeName)'")))
            return
        }
        var b = PartialBuilder(name: name)
        Self.collect(value, into: &b, renames: Self.renames[name] ?? [:])
        add(
            LogMessage(
                line: line.number, stamp: LogText.stamp(stamp, line), peer: peer, direction: direction,
                content: .partial(b.message)), kind: .wire)
    }

    /// Field names LDK shares between messages where the spec does not, by message.
    static let renames: [String: [String: String]] = [
        "channel_ready": ["next_per_commitment_point": "second_per_commitment_point"],
        "update_fail_htlc": ["data": "reason"],
    ]

    /// The peer of LDK 0.3's context columns (` p:0355f8`, six hex digits).
    static func contextPeer(_ prefix: ArraySlice<UInt8>) -> String? {
        guard let p = LogText.find(LdkDialect.peerColumn, in: prefix) else { return nil }
        let id = prefix[(p + LdkDialect.peerColumn.utf8CodeUnitCount)...].prefix { Hex.isDigit($0) }
        return id.count >= 6 ? LogText.string(id) : nil
    }

    /// A `Handling … event in peer_handler` line (DEBUG; errors and warnings at TRACE).
    private mutating func parseEvent(_ line: LineReader.Line, start: Int) -> Bool {
        let bytes = line.bytes
        let eventName = LogText.string(bytes[start...].prefix { $0 != 0x20 })
        let text = Substring(LogText.string(bytes[start...]))
        let stamp = LogText.stamp(LogText.firstTimestamp(bytes[..<start], window: 48), line)
        var peer = Self.hexAfter(LdkDialect.forNode, in: text, count: 66) ?? Self.contextPeer(bytes[..<start])
        if peer == nil, let range = text.firstRange(ofASCII: " for ") {
            // LDK 0.3 dropped "node": "… in peer_handler for <id> …".
            let id = Self.hexPrefix(text[range.upperBound...])
            if id.utf8.count == 66 { peer = String(id) }
        }
        let channel = Self.hexAfter(LdkDialect.forChannel, in: text, count: 64).flatMap { Hex.decode($0) }
        func message(_ name: String) -> LogMessage {
            var b = PartialBuilder(name: name)
            b.inChannel(channel.flatMap { ChannelID($0) })
            if b.kind == .error || b.kind == .warning, let range = text.firstRange(ofASCII: " with message ") {
                b.set(\.data, Array(text[range.upperBound...].utf8))
            }
            return LogMessage(line: line.number, stamp: stamp, peer: peer, direction: .out, content: .partial(b.message))
        }
        if eventName == LdkDialect.updateHTLCsEvent {
            // "… with 1 adds, 0 fulfills, 0 fails[, 1 commits] for channel …": LDK ≤ 0.1 sends
            // adds, fulfills, fails, then one commitment_signed; 0.2 fulfills, fails, adds,
            // then its commitments. An update_fee or malformed fail is not counted, so these
            // are replaced by the `Enqueueing` lines when the log has them.
            let counts = ["adds", "fulfills", "fails", "commits"].map { Self.count(before: " " + $0, in: text) }
            guard let adds = counts[0], let fulfills = counts[1], let fails = counts[2] else { return false }
            // One batch holds at most 483 HTLCs each way (BOLT #2 `max_accepted_htlcs`): a
            // larger count is no LDK line (a damaged one must not allocate what it claims).
            guard counts.allSatisfy({ ($0 ?? 0) <= Self.maximumBatch }) else { return false }
            let adding = Array(repeating: "update_add_htlc", count: adds)
            let removing = Array(repeating: "update_fulfill_htlc", count: fulfills) + Array(repeating: "update_fail_htlc", count: fails)
            let names =
                counts[3] == nil
                ? adding + removing + ["commitment_signed"]
                : removing + adding + Array(repeating: "commitment_signed", count: counts[3] ?? 1)
            for name in names { add(message(name), kind: .event, group: line.number) }
            return true
        }
        guard let names = LdkDialect.events[eventName] else { return false }
        for name in names { add(message(name), kind: .event, group: names.count > 1 ? line.number : nil) }
        return true
    }

    /// LDK before 0.0.10 named messages by number: `Encoding and sending message of type 16
    /// to <id>`, `Received message of type 16 from <id>`.
    static func numbered(_ line: LineReader.Line) -> LogMessage? {
        let bytes = line.bytes
        guard let (direction, start) = LogText.firstMarker(LdkDialect.numbered, in: bytes, after: true) else { return nil }
        let digits = bytes[start...].prefix { LogText.isDigit($0) }
        guard !digits.isEmpty, digits.count <= 5, let type = UInt16(LogText.string(digits)) else { return nil }
        let text = Substring(LogText.string(bytes[start...]))
        let peer = hexAfter(direction == .out ? LdkDialect.to : LdkDialect.from, in: text, count: 66)
        let stamp = LogText.stamp(LogText.firstTimestamp(bytes[..<start], window: 48), line)
        return LogMessage(line: line.number, stamp: stamp, peer: peer, direction: direction, content: .partial(PartialMessage(type: type)))
    }

    /// Lines outside the peer handler that report a message: `Received peer Init message
    /// from <id>: <features>` (LDK 0.0.103 to 0.2; `Received Init message: …` in 0.3),
    /// `Received channel_ready from peer for channel <id>` and `Sending a channel_ready to
    /// our peer for channel <id>` (channel.rs), `Received channel_update … for channel <id>.`
    /// (the channel manager).
    private mutating func parseNote(_ line: LineReader.Line) -> Bool {
        let bytes = line.bytes
        guard let ((name, direction), start) = LogText.firstMarker(LdkDialect.notes, in: bytes),
            name != "channel_update" || direction == .out || LogText.find(LdkDialect.forChannelMarker, in: bytes[start...]) != nil
                || LogText.find("ChannelUpdate {", in: bytes[start...]) != nil
        else { return false }
        let text = Substring(LogText.string(bytes[start...]))
        var peer = Self.hexAfter(LdkDialect.from, in: text, count: 66) ?? Self.contextPeer(bytes[..<start])
        if name == "channel_update" { peer = Self.contextPeer(bytes[..<start]) }
        var b = PartialBuilder(name: name)
        if b.kind == .error || b.kind == .warning, let colon = text.firstRange(ofASCII: ": ") {
            // "Got Err message from <id>: <data>" (the data as LDK prints it).
            b.set(\.data, Array(text[colon.upperBound...].trimmingSpaces().utf8))
        }
        if !["init", "error", "warning"].contains(name),
            let range = text.range(of: LdkDialect.forChannel, options: .backwards) ?? text.range(of: LdkDialect.inChannel, options: .backwards)
        {
            let id = Self.hexPrefix(text[range.upperBound...])
            if id.utf8.count == 64, let channel = Hex.decode(id) {
                // A channel_update names its channel by short id on the wire; the id here is the
                // channel's, kept as the stream's label.
                if b.kind != .channelUpdate { b.inChannel(ChannelID(channel)) }
            }
        }
        let stamp = LogText.stamp(LogText.firstTimestamp(bytes[..<start], window: 48), line)
        add(LogMessage(line: line.number, stamp: stamp, peer: peer, direction: direction, content: .partial(b.message)), kind: .note)
        return true
    }

    /// The `count` hex digits after `marker` in `text`.
    static func hexAfter(_ marker: String, in text: Substring, count: Int) -> String? {
        guard let range = text.firstRange(ofASCII: marker) else { return nil }
        let id = hexPrefix(text[range.upperBound...])
        return id.utf8.count == count ? String(id) : nil
    }

    /// The hex digits `text` starts with, found by bytes.
    static func hexPrefix(_ text: Substring) -> Substring {
        let utf8 = text.utf8
        return text[..<utf8.index(utf8.startIndex, offsetBy: Hex.digitCount(prefixing: utf8))]
    }

    /// The number before `word` (` 2 adds`).
    static func count(before word: String, in text: Substring) -> Int? {
        guard let range = text.firstRange(ofASCII: word + ",") ?? text.firstRange(ofASCII: word + " ") else { return nil }
        let digits = text[..<range.lowerBound].reversed().prefix { $0.isNumber }
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }

    /// Sets every known field of a record (and of records nested in it).
    static func collect(_ value: DebugValue, into b: inout PartialBuilder, renames: [String: String]) {
        guard case let .record(_, fields) = value else { return }
        for (name, raw) in fields {
            if case .record = raw, fieldNames[name] == nil {
                collect(raw, into: &b, renames: renames)  // common_fields { … }
                continue
            }
            guard var spec = fieldNames[name], let field = raw.unwrapped else { continue }
            // The table's mark for how the value is printed, then the spec name.
            let mark = spec.first.flatMap { "*#=:~".contains($0) ? $0 : nil }
            if mark != nil { spec.removeFirst() }
            if let renamed = renames[spec] { spec = renamed }
            switch mark {
            case "*":
                if let point = field.point { b.set(named: spec, .bytes(point)) }
            case "#":
                if let signature = field.signature { b.set(named: spec, .bytes(signature)) }
            case "=":
                if case let .list(items) = field {
                    b.set(\.numHTLCs, UInt16(exactly: items.count))
                    let signatures = items.compactMap(\.signature)
                    if signatures.count == items.count { b.set(named: spec, .array(signatures.map { .bytes($0) })) }
                }
            case ":":
                if let number = field.number { b.set(named: spec, .shortChannelID(ShortChannelID(rawValue: number))) }
            case "~":
                let parts = spec.split(separator: ".")
                if parts.first == "blinded_path", let point = field.point {
                    b.set(\.blindedPathRecord, Point(point))
                } else if parts.count == 2, let number = field.number {
                    b.setRecord(named: String(parts[0]), field: String(parts[1]), .shortChannelID(ShortChannelID(rawValue: number)))
                }
            default:
                if let number = field.number,
                    ![
                        "channel_id", "temporary_channel_id", "chain_hash", "payment_hash",
                        "payment_preimage", "sha256_of_onion", "per_commitment_secret",
                        "your_last_per_commitment_secret", "scriptpubkey", "data",
                    ].contains(spec)
                {
                    b.set(named: spec, .unsigned(number))
                } else if let bytes = field.bytes {
                    b.set(named: spec, .bytes(bytes))
                }
            }
        }
    }
}
