import Basics

/// The line formats lntrace reads: one per implementation, and hex dumps.
public enum LogDialect: String, CaseIterable, Hashable, Sendable {
    case lnd, cln, eclair, ldk, hex

    /// Its position in `allCases`, for tables indexed by dialect.
    var ordinal: Int {
        switch self {
        case .lnd: 0
        case .cln: 1
        case .eclair: 2
        case .ldk: 3
        case .hex: 4
        }
    }

    /// The format's name in reports.
    public var title: String {
        switch self {
        case .lnd: "lnd log"
        case .cln: "Core Lightning log"
        case .eclair: "eclair log"
        case .ldk: "LDK log"
        case .hex: "hex dump"
        }
    }

    /// What makes the implementation write its wire messages to the log: none does at its
    /// default level except eclair (for channel messages).
    public var messageSetting: String {
        switch self {
        case .lnd:
            "lnd logs them at debug level: run with debuglevel=info,PEER=debug (or lncli debuglevel --level PEER=debug); PEER=trace adds every field"
        case .cln: "Core Lightning logs their names at debug level and their bytes at io level: log-level=debug, or log-level=io for every field"
        case .eclair: "eclair logs channel messages at INFO (f.a.eclair.Diagnostics); other messages need DEBUG for that logger in logback.xml"
        case .ldk: "LDK logs them at TRACE level (\"Received message\", \"Enqueueing message\"): set the application's log level to Trace"
        case .hex: "a hex dump holds one hex-encoded message per line"
        }
    }
}

/// One line's format, and where the implementation's text starts in it.
public struct DialectMatch: Sendable {
    public var dialect: LogDialect
    /// Where the implementation's line starts (after a prefix lntrace does not know).
    public var start: Int
}

/// Tells which implementation wrote a (de-wrapped) line, by the shape of its start: each
/// implementation begins its lines with a timestamp, level and logger of its own.
public enum DialectClassifier {
    /// The line's format; `inside`: also look for a known line start after an unknown
    /// prefix, and for a wire-message marker anywhere. `hex`: a line of hex digits is a hex
    /// dump line (not inside another implementation's log).
    public static func classify(_ b: ArraySlice<UInt8>, hex: Bool, inside: Bool) -> DialectMatch? {
        guard !b.isEmpty else { return nil }
        if let dialect = header(b, at: b.startIndex) { return DialectMatch(dialect: dialect, start: b.startIndex) }
        if hex, isHexLine(b) { return DialectMatch(dialect: .hex, start: b.startIndex) }
        guard inside else { return nil }
        // A known line start after an unknown prefix, at a word boundary.
        var p = b.startIndex + 1
        let limit = min(b.endIndex - 8, b.startIndex + 200)
        while p < limit {
            let before = b[p - 1]
            if before == 0x20 || before == 0x09 || before == UInt8(ascii: "|") || before == UInt8(ascii: "]")
                || before == UInt8(ascii: ":") || before == UInt8(ascii: ")") || before == UInt8(ascii: ">")
                || before == UInt8(ascii: "'") || before == UInt8(ascii: "\""),
                b[p] != 0x20, let dialect = header(b, at: p, inside: true)
            {
                return DialectMatch(dialect: dialect, start: p)
            }
            p += 1
        }
        if let dialect = marker(b) { return DialectMatch(dialect: dialect, start: b.startIndex) }
        return nil
    }

    /// The implementation whose line header starts at `p`. `inside` a line, only a header
    /// with a time or lnd's level tag counts: a node id or a level word there is text.
    static func header(_ b: ArraySlice<UInt8>, at p: Int, inside: Bool = false) -> LogDialect? {
        let c = b[p]
        if LogText.isDigit(c) {
            guard LogText.isDateShape(b, at: p) else {
                return !inside && ClnShape.isIOHeader(b, at: p) ? .cln : nil
            }
            let separator = b[p + 10]
            if separator == UInt8(ascii: "T") {
                // Core Lightning: "2023-07-27T13:58:33.812Z " (milliseconds) then its level or
                // entry prefix.
                let z = p + 23
                guard z + 2 <= b.endIndex, b[p + 19] == UInt8(ascii: "."), b[z] == UInt8(ascii: "Z"), b[z + 1] == 0x20 else { return nil }
                return ClnShape.followsTimestamp(b[(z + 2)...]) ? .cln : nil
            }
            guard separator == 0x20 else { return nil }
            // "2024-05-01 15:54:18.364 " (lnd, LDK) or "2021-09-24 21:59:53,155 " (eclair).
            var i = p + 19
            let comma = i < b.endIndex && b[i] == UInt8(ascii: ",")
            if i < b.endIndex, b[i] == UInt8(ascii: ".") || comma {
                i += 1
                while i < b.endIndex, LogText.isDigit(b[i]) { i += 1 }
            }
            // Some applications add a zone or a "Z".
            if i < b.endIndex, b[i] == UInt8(ascii: "Z") { i += 1 }
            guard i < b.endIndex, b[i] == 0x20 else { return nil }
            i += 1
            if LndShape.isLevelTag(b, at: i) { return .lnd }
            // Right-aligned levels ("  INFO") in some applications' formats. Core Lightning
            // writes ISO 8601 times only, so not after this one.
            return afterLevelWord(b, at: Unwrapper.skipSpaces(b, i), comma: true)
        }
        if c == UInt8(ascii: "[") { return LndShape.isLevelTag(b, at: p) ? .lnd : nil }
        if inside { return nil }
        if ClnShape.isOldHeader(b, at: p) { return .cln }
        // A bare module path only starts a line (after a mobile app's logger): inside one it is
        // part of the text.
        if p == b.startIndex, LdkShape.isModulePath(b, at: p) { return .ldk }
        return afterLevelWord(b, at: p, comma: false)
    }

    /// A level word at `p` and what follows it: `[lightning::…]` (LDK), a logger with dots
    /// (eclair: `INFO  f.a.eclair.Diagnostics`), or Core Lightning's entry prefix (unless
    /// `notCLN`: after a time Core Lightning does not write).
    static func afterLevelWord(_ b: ArraySlice<UInt8>, at p: Int, comma notCLN: Bool) -> LogDialect? {
        guard p < b.endIndex else { return nil }
        var end = p
        while end < b.endIndex, (b[end] >= 0x41 && b[end] <= 0x5A) || b[end] == UInt8(ascii: "*") { end += 1 }
        guard end > p, end < b.endIndex, b[end] == 0x20 || b[end] == UInt8(ascii: ":") else { return nil }
        let word = b[p..<end]
        let next = Unwrapper.skipSpaces(b, end)
        guard next < b.endIndex else { return nil }
        if LdkShape.levels.contains(where: { word.elementsEqual($0) }),
            b[next] == UInt8(ascii: "[") ? LdkShape.isModulePath(b, at: next + 1) : LdkShape.isModulePath(b, at: next)
        {
            return .ldk
        }
        if EclairShape.levels.contains(where: { word.elementsEqual($0) }), EclairShape.isLogger(b, at: next) {
            return .eclair
        }
        if !notCLN, ClnShape.isLevel(word), ClnShape.isEntryPrefix(b, at: next) { return .cln }
        return nil
    }

    /// Wire-message markers that name their implementation wherever they appear (each
    /// dialect's `signatures`).
    static func marker(_ b: ArraySlice<UInt8>) -> LogDialect? {
        func any(_ markers: [StaticString]) -> Bool {
            markers.contains { LogText.find($0, in: b) != nil }
        }
        if any(EclairDialect.signatures) { return .eclair }
        if any(ClnDialect.signatures) || ClnShape.isJSONSource(b) { return .cln }
        if any(LndDialect.signatures) { return .lnd }
        if any(LdkDialect.signatures) { return .ldk }
        return nil
    }

    /// A line of hex digits (an even number, at least one message type), with optional
    /// surrounding spaces and `0x`.
    static func isHexLine(_ b: ArraySlice<UInt8>) -> Bool {
        var s = b.startIndex, e = b.endIndex
        while s < e, b[s] == 0x20 || b[s] == 0x09 { s += 1 }
        while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x09 { e -= 1 }
        if e - s >= 2, b[s] == UInt8(ascii: "0"), b[s + 1] | 0x20 == UInt8(ascii: "x") { s += 2 }
        guard e - s >= 4, (e - s) % 2 == 0 else { return false }
        for i in s..<e where !Hex.isDigit(b[i]) { return false }
        return true
    }
}

/// lnd's line start: `2024-05-01 15:54:18.364 [DBG] PEER: ` (btclog).
enum LndShape {
    static let levels: [[UInt8]] = ["TRC", "DBG", "INF", "WRN", "ERR", "CRT"].map { Array($0.utf8) }

    /// `[DBG] ` at `p`.
    static func isLevelTag(_ b: ArraySlice<UInt8>, at p: Int) -> Bool {
        guard p + 6 <= b.endIndex, b[p] == UInt8(ascii: "["), b[p + 4] == UInt8(ascii: "]"), b[p + 5] == 0x20 else { return false }
        let word = b[(p + 1)..<(p + 4)]
        return levels.contains { word.elementsEqual($0) }
    }
}

/// Core Lightning's line start: `[log-prefix]2023-07-27T13:58:33.812Z DEBUG   <node id>-channeld-chan#1: `;
/// io entries have no level (`…Z <node id>-channeld-chan#1: [IN] …`); before 0.8
/// `…Z lightningd(16785): lightning_channeld-<node id> chan #12: `.
enum ClnShape {
    static let levels: [[UInt8]] = ["IO", "TRACE", "DEBUG", "INFO", "UNUSUAL", "**BROKEN**", "BROKEN"].map { Array($0.utf8) }

    static func isLevel(_ word: ArraySlice<UInt8>) -> Bool {
        levels.contains { word.elementsEqual($0) }
    }

    static let daemons: [[UInt8]] = ["lightning", "channeld", "connectd", "gossipd", "openingd", "dualopend", "closingd", "hsmd", "plugin-"]
        .map { Array($0.utf8) }

    /// `"source": "lightning_channeld-…"` or `"source": "channeld-chan#1699"`: an entry of
    /// the `getlog` RPC's JSON output.
    static func isJSONSource(_ b: ArraySlice<UInt8>) -> Bool {
        guard let at = LogText.find(ClnDialect.jsonSource, in: b) else { return false }
        let value = b[(at + ClnDialect.jsonSource.utf8CodeUnitCount)...].prefix(80)
        return daemons.contains { daemon in value.firstRange(of: daemon) != nil }
    }

    /// What follows Core Lightning's own timestamp: its level, a node id and subdaemon, or
    /// (before 0.8) `lightningd(PID): `.
    static func followsTimestamp(_ rest: ArraySlice<UInt8>) -> Bool {
        let s = rest.startIndex
        var end = s
        while end < rest.endIndex, (rest[end] >= 0x41 && rest[end] <= 0x5A) || rest[end] == UInt8(ascii: "*") { end += 1 }
        if end > s, end < rest.endIndex, rest[end] == 0x20, isLevel(rest[s..<end]) {
            // The entry prefix: a node id and subdaemon, or what an excerpt put in their place
            // ("<sjors node id>-channeld-chan#1777: ", "[PEER_PUB_KEY]-chan#1: ").
            let next = Unwrapper.skipSpaces(rest, end)
            return isEntryPrefix(rest, at: next) || isOldHeader(rest, at: next)
                || (next < rest.endIndex && rest[next] != UInt8(ascii: "[") && LogText.find(": ", in: rest[next...].prefix(160)) != nil
                    && (LogText.find("-chan", in: rest[next...].prefix(160)) != nil || LogText.find("d: ", in: rest[next...].prefix(160)) != nil))
        }
        return isIOHeader(rest, at: s) || isOldHeader(rest, at: s) || isEntryPrefix(rest, at: s)
    }

    /// `<66 hex>-` (an entry's node id) at `p`.
    static func isIOHeader(_ b: ArraySlice<UInt8>, at p: Int) -> Bool {
        LogText.isHexRun(b, at: p, count: 66) && p + 66 < b.endIndex && b[p + 66] == UInt8(ascii: "-")
    }

    /// `lightningd(16785): ` or `lightning_channeld(16785): ` at `p` (c-lightning before 0.8).
    static func isOldHeader(_ b: ArraySlice<UInt8>, at p: Int) -> Bool {
        guard b[p...].starts(with: Array("lightning".utf8)) else { return false }
        guard let open = b[p...].prefix(40).firstIndex(of: UInt8(ascii: "(")), open + 2 < b.endIndex, LogText.isDigit(b[open + 1]) else {
            return false
        }
        var i = open + 1
        while i < b.endIndex, LogText.isDigit(b[i]) { i += 1 }
        return i + 1 < b.endIndex && b[i] == UInt8(ascii: ")") && b[i + 1] == UInt8(ascii: ":")
    }

    /// An entry prefix ending in `: ` (`lightningd: `, `03ab…-channeld-chan#1: `,
    /// `plugin-bcli: `, `channeld-chan#3: `), without spaces, at `p`.
    static func isEntryPrefix(_ b: ArraySlice<UInt8>, at p: Int) -> Bool {
        guard p < b.endIndex, b[p] != UInt8(ascii: "[") else { return false }
        var i = p
        while i < b.endIndex, b[i] != 0x20, i - p < 160 { i += 1 }
        guard i > p + 1, i < b.endIndex, b[i - 1] == UInt8(ascii: ":") else { return false }
        // A subdaemon or plugin name, or a node id (elided with "…" in excerpts): lower case,
        // digits, '-', '_', '#', '.', '/'.
        for j in p..<(i - 1) {
            let c = b[j]
            guard
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || LogText.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
                    || c == UInt8(ascii: "#") || c == UInt8(ascii: ".") || c == UInt8(ascii: "/") || c >= 0x80
            else { return false }
        }
        return true
    }
}

/// eclair's line start (logback): `2021-09-24 21:59:53,155 INFO  f.a.eclair.Diagnostics `.
enum EclairShape {
    static let levels: [[UInt8]] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].map { Array($0.utf8) }

    /// A logger name with dots (`f.a.e.i.Peer`, `fr.acinq.eclair.Setup`) at `p`.
    static func isLogger(_ b: ArraySlice<UInt8>, at p: Int) -> Bool {
        guard p < b.endIndex, b[p] >= 0x61 && b[p] <= 0x7A else { return false }
        var i = p, dots = 0
        while i < b.endIndex, b[i] != 0x20, i - p < 80 {
            if b[i] == UInt8(ascii: ".") { dots += 1 }
            if b[i] == UInt8(ascii: ":") || b[i] == UInt8(ascii: "[") { return false }
            i += 1
        }
        return dots >= 1
    }
}

/// LDK's line start, as ldk-node and most applications write it:
/// `2024-02-12 13:54:53.353 TRACE [lightning::ln::peer_handler:1240] `.
enum LdkShape {
    static let levels: [[UInt8]] = ["GOSSIP", "TRACE", "DEBUG", "INFO", "WARN", "ERROR"].map { Array($0.utf8) }

    /// A Rust module path (`lightning::ln::peer_handler`, `ldk_node::…`) at `p`.
    static func isModulePath(_ b: ArraySlice<UInt8>, at p: Int) -> Bool {
        var i = p
        while i < b.endIndex, (b[i] >= 0x61 && b[i] <= 0x7A) || b[i] == UInt8(ascii: "_") || LogText.isDigit(b[i]), i - p < 40 { i += 1 }
        return i > p && i + 2 < b.endIndex && b[i] == UInt8(ascii: ":") && b[i + 1] == UInt8(ascii: ":")
    }
}
