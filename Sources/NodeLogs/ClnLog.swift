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
    public let file: String
    public private(set) var skippedLines = 0

    public init(file: String) {
        self.file = file
    }

    public mutating func flush() -> [LogEvent] { [] }

    public mutating func parse(_ line: LineReader.Line) -> [LogEvent] {
        let bytes = line.bytes
        let marker: Int
        let kind: (io: Bool, direction: Direction)
        if let at = LogText.find(": peer_in ", in: bytes) {
            (marker, kind) = (at, (false, .in))
        } else if let at = LogText.find(": peer_out ", in: bytes) {
            (marker, kind) = (at, (false, .out))
        } else if let at = LogText.find(": [IN] ", in: bytes) {
            (marker, kind) = (at, (true, .in))
        } else if let at = LogText.find(": [OUT] ", in: bytes) {
            (marker, kind) = (at, (true, .out))
        } else {
            skippedLines += 1
            return []
        }
        let prefix = bytes[..<marker]
        let stamp = LogText.firstTimestamp(prefix, window: 64)
        let (peer, channel) = Self.source(prefix)
        let payload = bytes[(marker + (kind.io ? (kind.direction == .in ? 7 : 8) : (kind.direction == .in ? 10 : 11)))...]
        let location = SourceLocation(file: file, line: line.number)
        let content: MessageContent
        if kind.io {
            var hex = payload
            while let last = hex.last, last == 32 || last == 13 || last == 9 { hex = hex.dropLast() }
            guard let bytes = Hex.decode(utf8: hex), bytes.count >= 2 else {
                return [.diagnostic(Diagnostic(.error, "cln.malformed", at: location, "[IN]/[OUT] line without a hex message"))]
            }
            content = MessageContent.decoding(bytes)
            if case let .undecodable(_, _, error) = content {
                return [.diagnostic(Diagnostic(.error, "wire.malformed", at: location, error.description))] + [
                    .message(LogMessage(line: line.number, timeText: stamp?.1, time: stamp?.0, peer: peer,
                                        direction: kind.direction, channelLabel: channel, content: content)),
                ]
            }
        } else {
            var name = LogText.string(payload.prefix { $0 != 32 && $0 != 13 })
            if name == "UNKNOWN" { name = LogText.string(payload.prefix { $0 != 13 }) }
            guard let type = Self.type(name) else {
                return [.diagnostic(Diagnostic(.warning, "cln.unknown-type", at: location, "unknown message name '\(name)'"))]
            }
            content = .partial(PartialBuilder(type: type).message)
        }
        return [.message(LogMessage(line: line.number, timeText: stamp?.1, time: stamp?.0, peer: peer,
                                    direction: kind.direction, channelLabel: channel, content: content))]
    }

    /// `WIRE_UPDATE_ADD_HTLC` → 128; `WIRE_FUNDING_LOCKED` (CLN ≤ 0.12) → `channel_ready`;
    /// `UNKNOWN 32769` → 32769.
    static func type(_ name: String) -> UInt16? {
        if name.hasPrefix("UNKNOWN") {
            return UInt16(name.dropFirst(7).trimmingCharacters(in: .whitespaces))
        }
        guard name.hasPrefix("WIRE_") else { return nil }
        var spec = name.dropFirst(5).lowercased()
        if spec == "funding_locked" { spec = "channel_ready" }
        if let type = PartialBuilder.typeByName[spec] { return type }
        return extraTypes[spec]
    }

    /// CLN message names outside the BOLTs lntrace decodes (CLN's `peer_wire.csv`).
    static let extraTypes: [String: UInt16] = ["update_blockheight": 137, "onion_message": 513]

    /// The node id and `chan#N` from `…<66 hex>-channeld-chan#14429` (or, before CLN 0.8,
    /// `lightning_channeld-<66 hex> chan #12`).
    static func source(_ prefix: ArraySlice<UInt8>) -> (peer: String?, channel: String?) {
        var peer: String?
        var i = prefix.startIndex
        while i + 66 <= prefix.endIndex {
            if LogText.isHexRun(prefix, at: i, count: 66),
               i == prefix.startIndex || !LogText.isHex(prefix[i - 1]),
               i + 66 == prefix.endIndex || !LogText.isHex(prefix[i + 66]) {
                peer = LogText.string(prefix[i..<(i + 66)])
                break
            }
            i += 1
        }
        var channel: String?
        if let at = LogText.find("chan#", in: prefix) ?? LogText.find("chan #", in: prefix) {
            let digits = prefix[at...].drop { $0 < 48 || $0 > 57 }.prefix { $0 >= 48 && $0 <= 57 }
            if !digits.isEmpty { channel = "chan#" + LogText.string(digits) }
        }
        return (peer, channel)
    }
}
