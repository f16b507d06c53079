import Basics
import Foundation
import Provenance
import Wire

/// Core Lightning's wire-message log lines (`common/status.c`, `lightningd/log.c`):
///
///     2023-07-27T13:58:33.812Z DEBUG   03864e…8f-channeld-chan#14429: peer_out WIRE_COMMITMENT_SIGNED
///     2024-01-01T00:00:00.000Z 02abc…ef-channeld-chan#1: [IN] 0084…
///
/// `peer_in`/`peer_out` lines name the type only; `[IN]`/`[OUT]` lines (`log-level=io`)
/// carry the whole message in hex and are decoded completely. The node id (the peer's) and
/// the channel's database id (`chan#N`) come from the line's prefix.
public struct ClnLogParser: LogParser {
    public internal(set) var file: String
    public private(set) var skippedLines = 0
    /// A `Read decrypt <hex>` line (c-lightning before 0.6), waiting for the `peer_in` line
    /// that names the same message.
    private var decrypted: LogMessage?
    /// The entry being read from `getlog`'s JSON output: its `source` and `node_id`.
    private var jsonSource: ArraySlice<UInt8>?
    private var jsonNode: String?
    /// Whether a message line has been read: the start line that names the release comes
    /// before them, so later lines are not searched for it.
    private var messageRead = false

    public init(file: String) {
        self.file = file
    }

    public mutating func flush() -> [LogEvent] {
        guard let held = decrypted else { return [] }
        decrypted = nil
        return [.message(held)]
    }

    /// Where a line reports a message, and how.
    enum Marker {
        /// `peer_in WIRE_X` / `peer_out WIRE_X`: the name only.
        case name(Direction)
        /// `[IN] <hex>` / `[OUT] <hex>` (io level): the whole message.
        case io(Direction)
        /// `Read decrypt <hex>` (before 0.6): a received message, named again by `peer_in`.
        case decrypt
    }

    static func marker(_ line: ArraySlice<UInt8>) -> (Marker, payload: Int, prefixEnd: Int)? {
        // The markers follow the line's prefix: never look through an io line's hex for them.
        let b = line.prefix(320)
        if let at = LogText.find(ClnDialect.peerIn, in: b), isNameMarker(b, at) {
            return (.name(.in), at + ClnDialect.peerIn.utf8CodeUnitCount, at)
        }
        if let at = LogText.find(ClnDialect.peerOut, in: b), isNameMarker(b, at) {
            return (.name(.out), at + ClnDialect.peerOut.utf8CodeUnitCount, at)
        }
        if let at = LogText.find(ClnDialect.ioIn, in: b), at > b.startIndex, b[at - 1] == 0x20 || b[at - 1] == UInt8(ascii: ":") {
            return (.io(.in), at + ClnDialect.ioIn.utf8CodeUnitCount, at)
        }
        if let at = LogText.find(ClnDialect.ioOut, in: b), at > b.startIndex, b[at - 1] == 0x20 || b[at - 1] == UInt8(ascii: ":") {
            return (.io(.out), at + ClnDialect.ioOut.utf8CodeUnitCount, at)
        }
        if let at = LogText.find(ClnDialect.readDecrypt, in: b) { return (.decrypt, at + ClnDialect.readDecrypt.utf8CodeUnitCount, at) }
        return nil
    }

    /// `peer_in` after an entry prefix (`…chan#1: peer_in`, `TRACE: peer_in`), or as the text
    /// of a `getlog` entry (`"log": "peer_in …"`); not inside a test's source code
    /// (`wait_for_log("peer_in WIRE_ERROR")`).
    static func isNameMarker(_ b: ArraySlice<UInt8>, _ at: Int) -> Bool {
        if at == b.startIndex { return true }
        if at - 2 >= b.startIndex, b[at - 1] == 0x20, b[at - 2] == UInt8(ascii: ":") { return true }
        let start = at - ClnDialect.jsonLog.utf8CodeUnitCount
        return start >= b.startIndex && LogText.starts(b[start..<at], with: ClnDialect.jsonLog)
    }

    /// lightningd's start line, which names its release (``ClnDialect/version``).
    static func version(_ bytes: ArraySlice<UInt8>, line: Int) -> LogNote? {
        guard let at = LogText.find(ClnDialect.version, in: bytes) else { return nil }
        let version = LogText.string(bytes[(at + ClnDialect.version.utf8CodeUnitCount)...].prefix { $0 != 0x20 && $0 != 0x22 })
        guard !version.isEmpty else { return nil }
        let stamp = LogText.firstTimestamp(bytes[..<at], window: 48)
        return LogNote(line: line, time: stamp?.0, timeText: stamp?.1, channelID: nil, kind: "version", text: version)
    }

    public mutating func parse(_ line: LineReader.Line) -> [LogEvent] {
        let bytes = line.bytes
        let quoted = LogText.contains(byte: UInt8(ascii: "\""), in: bytes)
        if quoted, let at = LogText.find(ClnDialect.jsonSource, in: bytes) {
            jsonSource = bytes[(at + ClnDialect.jsonSource.utf8CodeUnitCount)...].prefix { $0 != UInt8(ascii: "\"") }
        } else if quoted, let at = LogText.find(ClnDialect.jsonNodeID, in: bytes),
            case let id = at + ClnDialect.jsonNodeID.utf8CodeUnitCount, LogText.isHexRun(bytes, at: id, count: 66)
        {
            jsonNode = LogText.string(bytes[id..<(id + 66)])
        } else if bytes.first == UInt8(ascii: "{") || bytes.first == UInt8(ascii: "}") {
            jsonSource = nil
            jsonNode = nil
        }
        guard let (marker, payloadStart, prefixEnd) = Self.marker(bytes) else {
            if !messageRead, let note = Self.version(bytes, line: line.number) { return [.note(note)] }
            skippedLines += 1
            return []
        }
        messageRead = true
        let inJSON = prefixEnd > bytes.startIndex && bytes[prefixEnd - 1] == UInt8(ascii: "\"")
        let prefix = bytes[..<prefixEnd]
        let stamp = LogText.stamp(LogText.firstTimestamp(prefix, window: 64), line)
        var (peer, channel) = Self.source(prefix)
        if inJSON, let source = jsonSource {
            let named = Self.source(source)
            peer = jsonNode ?? named.peer
            channel = named.channel
        }
        var payload = bytes[payloadStart...]
        // Quoted in JSON, a Python string or bytes literal: the quotes are not the message's.
        while let last = payload.last,
            last == 32 || last == 13 || last == 9 || last == UInt8(ascii: ",") || last == UInt8(ascii: "\"")
                || last == UInt8(ascii: "'")
        {
            payload = payload.dropLast()
        }
        let location = SourceLocation(file: file, line: line.number)
        var out: [LogEvent] = []
        switch marker {
        case .decrypt:
            out += flush()
            // The hex may be elided in a pasted excerpt: the following peer_in line names it then.
            let content: MessageContent =
                Hex.decode(utf8: payload).flatMap { $0.count >= 2 ? MessageContent.decoding($0) : nil }
                ?? .partial(PartialMessage(type: nil, name: "unknown"))
            decrypted = LogMessage(line: line.number, stamp: stamp, peer: peer, direction: .in, channelLabel: channel, content: content)
            return out
        case let .io(direction):
            out += flush()
            if let bytes = Hex.decode(utf8: payload), bytes.count >= 2 {
                let content = MessageContent.decoding(bytes)
                if case let .undecodable(_, _, error) = content {
                    out.append(.diagnostic(Diagnostic(.error, "wire.malformed", at: location, error.description)))
                }
                out.append(
                    .message(
                        LogMessage(
                            line: line.number, stamp: stamp, peer: peer, direction: direction,
                            channelLabel: channel, content: content)))
                return out
            }
            // An excerpt whose poster replaced the bytes with the message's name.
            guard let type = Self.type(Self.name(payload)) else {
                return out + [.diagnostic(Diagnostic(.error, "cln.malformed", at: location, "[IN]/[OUT] line without a hex message"))]
            }
            return out + [
                .message(
                    LogMessage(
                        line: line.number, stamp: stamp, peer: peer, direction: direction,
                        channelLabel: channel, content: .partial(PartialMessage(type: type))))
            ]
        case let .name(direction):
            let name = Self.name(payload)
            guard let type = Self.type(name) else {
                // A name CLN's table does not know (a later or experimental message): still a
                // wire message, of unknown type.
                guard name.hasPrefix(ClnDialect.wirePrefix), name.count > ClnDialect.wirePrefix.count else {
                    return flush() + [.diagnostic(Diagnostic(.warning, "cln.unknown-type", at: location, "unknown message name '\(name)'"))]
                }
                return flush() + [
                    .diagnostic(Diagnostic(.note, "cln.unknown-type", at: location, "message name lntrace does not know: '\(name)'")),
                    .message(
                        LogMessage(
                            line: line.number, stamp: stamp, peer: peer, direction: direction, channelLabel: channel,
                            content: .partial(PartialMessage(type: nil, name: "unknown")))),
                ]
            }
            // The peer_in line of a message its Read decrypt line already reported.
            if direction == .in, var held = decrypted, held.content.type == nil || held.content.type == type {
                decrypted = nil
                if held.content.type == nil { held.content = .partial(PartialMessage(type: type)) }
                if held.peer == nil { held.peer = peer }
                if held.channelLabel == nil { held.channelLabel = channel }
                return [.message(held)]
            }
            return flush() + [
                .message(
                    LogMessage(
                        line: line.number, stamp: stamp, peer: peer, direction: direction,
                        channelLabel: channel, content: .partial(PartialMessage(type: type))))
            ]
        }
    }

    /// `WIRE_UPDATE_ADD_HTLC` (or `UNKNOWN 32769`) at the start of `payload`.
    static func name(_ payload: ArraySlice<UInt8>) -> String {
        if payload.starts(with: ClnDialect.unknownPrefix.utf8) {
            return LogText.string(payload.prefix { $0 != 13 && $0 != UInt8(ascii: ")") })
        }
        return LogText.string(payload.prefix { ($0 >= 0x41 && $0 <= 0x5A) || LogText.isDigit($0) || $0 == UInt8(ascii: "_") })
    }

    /// `WIRE_UPDATE_ADD_HTLC` → 128, `WIRE_FUNDING_LOCKED` (CLN ≤ 0.12) → 36 (`channel_ready`);
    /// `UNKNOWN 32769` → 32769.
    static func type(_ name: String) -> UInt16? {
        if name.hasPrefix(ClnDialect.unknownPrefix) {
            return UInt16(name.dropFirst(ClnDialect.unknownPrefix.count).trimmingCharacters(in: .whitespaces))
        }
        return ClnDialect.messages.entry(named: name)?.type
    }

    /// The node id and `chan#N` from `…<66 hex>-channeld-chan#14429` (or, before CLN 0.8,
    /// `lightning_channeld-<66 hex> chan #12`).
    static func source(_ prefix: ArraySlice<UInt8>) -> (peer: String?, channel: String?) {
        var peer: String?
        var i = prefix.startIndex
        while i + 66 <= prefix.endIndex {
            if LogText.isHexRun(prefix, at: i, count: 66),
                i == prefix.startIndex || !Hex.isDigit(prefix[i - 1]),
                i + 66 == prefix.endIndex || !Hex.isDigit(prefix[i + 66])
            {
                peer = LogText.string(prefix[i..<(i + 66)])
                break
            }
            i += 1
        }
        var channel: String?
        if let at = LogText.find(ClnDialect.channel, in: prefix) ?? LogText.find(ClnDialect.oldChannel, in: prefix) {
            let digits = prefix[at...].drop { $0 < 48 || $0 > 57 }.prefix { $0 >= 48 && $0 <= 57 }
            if !digits.isEmpty { channel = ClnDialect.channel.description + LogText.string(digits) }
        }
        return (peer, channel)
    }
}
