import Basics
import Provenance
import Wire

/// lnd's trace dumps (`PEER=trace`): a header naming the message's Go type, then go-spew's
/// multi-line dump of its fields up to a blank line,
///
///     2024-05-01 15:54:18.364 [TRC] PEER: Peer(<pk>): readMessage from peer: (*lnwire.UpdateAddHTLC)(0xc000…)({
///      ChanID: (lnwire.ChannelID) (len=32 cap=32) {
///       00000000  00 20 42 09 …  |. B..|
///      },
///      ID: (uint64) 138,
///     …
///
/// merged with the summary line before it into one message, whose missing fields they fill.
extension LndLogParser {
    /// A dump's header line (`rest` from `readMessage from ` or `writeMessage to `): it takes
    /// over the summary line held before it when that names the same message, else starts a
    /// message of its own. Nil when the line is not a header after all.
    mutating func dumpHeader(_ text: String, line: LineReader.Line, stamp: (Timestamp, String, end: Int)?, prefixPeer: String?) -> [LogEvent]? {
        // "(*lnwire.UpdateAddHTLC)(0xc000…)({"
        guard let start = Substring(text).firstRange(ofASCII: LndDialect.goTypePrefix),
            let end = text[start.upperBound...].firstIndex(of: ")")
        else { return nil }
        let goType = String(text[start.upperBound..<end])
        let received = LogText.starts(text.utf8, with: LndDialect.readMessage)
        let direction: Direction = received ? .in : .out
        var out: [LogEvent] = []
        var header: LogMessage?
        if let held = pending, held.direction == direction, Self.goTypeMatches(goType, held.content.name) {
            header = held
            pending = nil
        } else {
            out += flushPending()
            if let entry = LndDialect.goType(goType) {
                // Before lnd 0.15.1 the peer is in the line: "readMessage from <peer>: (…".
                var peer = prefixPeer.map { Self.peer(Array($0.utf8)[...]) }
                let from = (received ? LndDialect.readMessage : LndDialect.writeMessage).utf8CodeUnitCount
                if peer == nil, let colon = text.dropFirst(from).firstRange(of: LndDialect.dumpPeerEnd) {
                    let named = text[text.index(text.startIndex, offsetBy: from)..<colon.lowerBound]
                    if named != "peer" { peer = Self.peer(Array(named.utf8)[...]) }
                }
                var message = LogMessage(
                    line: line.number, stamp: LogText.stamp(stamp, line), peer: peer?.name,
                    direction: direction, content: .partial(PartialMessage(type: entry.type)))
                message.peerIdentity = peer?.identity
                header = message
            }
        }
        dump = (header, goType, [])
        return out
    }

    mutating func finishDump() -> [LogEvent] {
        guard let current = dump else { return [] }
        dump = nil
        guard var message = current.header, case var .partial(partial) = message.content else { return [] }
        // The summary line's fields stay; the dump adds those the summary lacks.
        var known = Set(partial.fields.map(\.name))
        for field in SpewDump.fields(current.lines, goType: current.type) where known.insert(field.name).inserted {
            _ = partial.typed.set(named: field.name, field.value)
        }
        message.content = .partial(partial)
        return [.message(message)]
    }

    static func goTypeMatches(_ goType: String, _ specName: String) -> Bool {
        LndDialect.goType(goType)?.spec == specName
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
                if line.count > 10, line.utf8.prefix(8).allSatisfy(Hex.isDigit) {
                    let body = line.dropFirst(8).prefix { $0 != "|" }
                    for token in body.split(separator: " ") where token.utf8.count == 2 {
                        if let byte = Hex.decode(token)?.first { current.bytes.append(byte) }
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
