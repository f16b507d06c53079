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
/// … blank line), whose fields are used when present. This file reads a line's shape: the
/// `PEER` subsystem, the per-peer prefix, and which kind of line follows; the summary
/// (`LndSummary.swift`), the trace dump (`LndTraceDump.swift`), the peer
/// (`LndPeer.swift`) and the lines that are not messages (`LndNotes.swift`) are read apart.
public struct LndLogParser: LogParser {
    public internal(set) var file: String
    public private(set) var skippedLines = 0
    // `pending` and `dump` are internal, not private: the trace-dump reader
    // (`LndTraceDump.swift`) takes them over.
    /// A summary line held back until we know whether a trace dump follows it.
    var pending: LogMessage?
    /// A trace dump being collected: its header and continuation lines.
    var dump: (header: LogMessage?, type: String, lines: [String])?
    /// A summary line cut by a terminal's line wrap, waiting for its continuation lines.
    private var wrapped: (text: ArraySlice<UInt8>, line: Int, stamp: Stamp?, prefixPeer: String?, parts: Int)?

    public init(file: String) {
        self.file = file
    }

    public mutating func parse(_ line: LineReader.Line) -> [LogEvent] {
        let bytes = line.bytes
        var out: [LogEvent] = []
        let header = LogText.find(LndDialect.peerSubsystem, in: bytes)
        // A wrapped summary line continues on lines without a header.
        if let held = wrapped {
            wrapped = nil
            if header == nil, !bytes.isEmpty, LogText.firstTimestamp(bytes, window: 8) == nil, held.parts < 4 {
                return summary(
                    held.text + bytes, line: held.line, stamp: held.stamp, prefixPeer: held.prefixPeer,
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
            if let note = Self.note(bytes, line: line.number) { return out + [.note(note)] }
            skippedLines += 1
            return out
        }
        let stamp = LogText.firstTimestamp(bytes[..<header], window: 48)
        var rest = bytes[(header + LndDialect.peerSubsystem.utf8CodeUnitCount)...]
        // "PEER: ", or with a call-site (lnd 0.19+) "PEER brontide.go:2910: ".
        guard let colon = LogText.find(LndDialect.subsystemEnd, in: rest) else {
            skippedLines += 1
            return out
        }
        rest = rest[(colon + LndDialect.subsystemEnd.utf8CodeUnitCount)...].drop { $0 == 32 }
        let prefixPeer = Self.prefixPeer(&rest)
        if LogText.starts(rest, with: LndDialect.received) || LogText.starts(rest, with: LndDialect.sending) {
            out += flushPending()
            return out + summary(rest, line: line.number, stamp: LogText.stamp(stamp, line), prefixPeer: prefixPeer, parts: 1)
        }
        if LogText.starts(rest, with: LndDialect.readMessage) || LogText.starts(rest, with: LndDialect.writeMessage),
            let events = dumpHeader(LogText.string(rest), line: line, stamp: stamp, prefixPeer: prefixPeer)
        {
            return out + events
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
    private mutating func summary(_ text: ArraySlice<UInt8>, line: Int, stamp: Stamp?, prefixPeer: String?, parts: Int) -> [LogEvent] {
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

    mutating func flushPending() -> [LogEvent] {
        guard let message = pending else { return [] }
        pending = nil
        return [.message(message)]
    }
}
