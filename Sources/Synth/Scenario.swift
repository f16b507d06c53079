import Basics
import Provenance
import Wire

/// A problem in a scenario file, with its line.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// One statement of a scenario (see `Fixtures/scenarios/README.md` for the language).
public indirect enum Statement: Sendable {
    case start(Timestamp)
    case link(LinkKind)
    case ipVersion(Int)
    case ipOptions(Bool)
    case fragment(Int)
    case mss(Int)
    case nanosecond(Bool)
    case keyLogFormat(KeyLogFormat)
    case node(name: String, secret: [UInt8], address: String?, features: [Int]?, rotates: Bool)
    /// `versions`: the version byte of acts two and three (by act number) when not 0.
    case connect(from: String, to: String, port: UInt16?, label: String?, isn: UInt32?, handshake: Bool, versions: [Int: UInt8])
    case disconnect(from: String, to: String, reset: Bool)
    case message(MessageStatement)
    case batch([MessageStatement])
    case repeated(Int, [Statement])
    case wait(Double)
    case tcp(TCPAction, node: String, count: Int)
    /// `capture off` / `capture on`: frames sent meanwhile are not recorded (a capture that
    /// starts or resumes mid-connection).
    case capture(Bool)
}

/// `alice -> bob update_add_htlc amount_msat=1000`.
public struct MessageStatement: Sendable {
    public var line: Int
    public var from: String
    public var to: String
    /// A spec message name, or `raw` with `rawBytes`.
    public var type: String
    public var assignments: [(field: String, value: String)]
    public var rawBytes: [UInt8]?
    /// `@label`: the connection to use, when two nodes have several.
    public var connection: String?
}

public enum LinkKind: String, Sendable, CaseIterable {
    case ethernet, vlan, qinq, sll, sll2, null, loop, raw
}

public enum KeyLogFormat: String, Sendable {
    /// `<act-one ephemeral key> <final chaining key>`: one line per connection.
    case ephemeral
    /// `<first length MAC of an epoch> <key>`: one line per direction per epoch.
    case mac
}

public enum TCPAction: String, Sendable {
    /// Lose the next segment(s) from the capture (the peer still acknowledges them).
    case drop
    /// Capture the next segment(s) twice (an exact retransmission).
    case duplicate
    /// Capture the next two segments in swapped order.
    case reorder
    /// Retransmit the next segment as two overlapping pieces plus the whole.
    case overlap
}

/// Parses the scenario language: one statement per line, `#` comments, `{ … }` blocks for
/// `repeat N` and `batch`.
public enum ScenarioParser {
    public static func parse(_ text: String) throws(ScenarioError) -> [Statement] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { ($0.offset + 1, String($0.element)) }[...]
        let statements = try parseBlock(&lines, closing: false)
        return statements
    }

    static func parseBlock(_ lines: inout ArraySlice<(Int, String)>, closing: Bool) throws(ScenarioError) -> [Statement] {
        var out: [Statement] = []
        while let (number, raw) = lines.first {
            lines = lines.dropFirst()
            let tokens = try tokenize(raw, line: number)
            guard let head = tokens.first else { continue }
            if head == "}" {
                guard closing else { throw ScenarioError(line: number, "'}' without a block") }
                return out
            }
            out.append(try statement(tokens, line: number, lines: &lines))
        }
        if closing { throw ScenarioError(line: lines.first?.0 ?? 0, "missing '}'") }
        return out
    }

    /// Splits on spaces; `"…"` groups words (for `text="a b"`), `#` starts a comment.
    static func tokenize(_ line: String, line number: Int) throws(ScenarioError) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        var hasToken = false
        for c in line {
            if quoted {
                if c == "\"" { quoted = false } else { current.append(c) }
                continue
            }
            switch c {
            case "#":
                if hasToken { tokens.append(current) }
                return tokens
            case " ", "\t", "\r":
                if hasToken { tokens.append(current) }
                current = ""
                hasToken = false
            case "\"":
                quoted = true
                hasToken = true
            default:
                current.append(c)
                hasToken = true
            }
        }
        if quoted { throw ScenarioError(line: number, "unterminated quote") }
        if hasToken { tokens.append(current) }
        return tokens
    }

    static func options(_ tokens: ArraySlice<String>, line: Int) throws(ScenarioError) -> [String: String] {
        var out: [String: String] = [:]
        for token in tokens {
            guard let eq = token.firstIndex(of: "=") else { throw ScenarioError(line: line, "expected key=value, got '\(token)'") }
            out[String(token[..<eq])] = String(token[token.index(after: eq)...])
        }
        return out
    }

    static func statement(_ tokens: [String], line: Int, lines: inout ArraySlice<(Int, String)>) throws(ScenarioError) -> Statement {
        let head = tokens[0]
        let rest = tokens.dropFirst()
        func need(_ n: Int, _ usage: String) throws(ScenarioError) {
            if rest.count < n { throw ScenarioError(line: line, "usage: \(usage)") }
        }
        switch head {
        case "start":
            try need(1, "start 2024-01-18T09:30:00Z")
            guard let time = parseTime(rest[rest.startIndex]) else { throw ScenarioError(line: line, "bad time '\(rest[rest.startIndex])'") }
            return .start(time)
        case "link":
            try need(1, "link ethernet|vlan|qinq|sll|sll2|null|loop|raw")
            guard let kind = LinkKind(rawValue: rest[rest.startIndex]) else {
                throw ScenarioError(line: line, "unknown link '\(rest[rest.startIndex])'")
            }
            return .link(kind)
        case "ip":
            try need(1, "ip 4|6")
            guard let version = Int(rest[rest.startIndex]), version == 4 || version == 6 else { throw ScenarioError(line: line, "ip 4 or ip 6") }
            return .ipVersion(version)
        case "ip-options":
            return .ipOptions(rest.first != "off")
        case "fragment":
            try need(1, "fragment <bytes>")
            guard let size = Int(rest[rest.startIndex]), size >= 64 else { throw ScenarioError(line: line, "fragment size of at least 64 bytes") }
            return .fragment(size)
        case "mss":
            try need(1, "mss <bytes>")
            guard let mss = Int(rest[rest.startIndex]), mss >= 64, mss <= 65000 else { throw ScenarioError(line: line, "mss between 64 and 65000") }
            return .mss(mss)
        case "timestamps":
            try need(1, "timestamps micro|nano")
            return .nanosecond(rest[rest.startIndex] == "nano")
        case "keylog":
            try need(1, "keylog ephemeral|mac")
            guard let format = KeyLogFormat(rawValue: rest[rest.startIndex]) else { throw ScenarioError(line: line, "keylog ephemeral or mac") }
            return .keyLogFormat(format)
        case "node":
            try need(1, "node <name> [seed=<text>|secret=<hex>] [ip=<address>] [features=<bit,…>] [rotation=no]")
            let name = rest[rest.startIndex]
            let opts = try options(rest.dropFirst(), line: line)
            var secretBytes = deriveSecret(from: Array("lntrace scenario node \(opts["seed"] ?? name)".utf8))
            if let hex = opts["secret"] {
                guard let bytes = Hex.decodeText(hex), bytes.count == 32 else { throw ScenarioError(line: line, "secret must be 64 hex digits") }
                secretBytes = bytes
            }
            var features: [Int]?
            if let list = opts["features"] {
                features = try list.split(separator: ",").map { (part: Substring) throws(ScenarioError) -> Int in
                    guard let bit = Int(part), bit >= 0, bit < 1024 else { throw ScenarioError(line: line, "bad feature bit '\(part)'") }
                    return bit
                }
            }
            return .node(name: name, secret: secretBytes, address: opts["ip"], features: features, rotates: opts["rotation"] != "no")
        case "connect":
            try need(2, "connect <initiator> <responder> [port=<n>] [as=<label>] [isn=<n>] [handshake=no] [act2-version=<n>] [act3-version=<n>]")
            let opts = try options(rest.dropFirst(2), line: line)
            var versions: [Int: UInt8] = [:]
            for act in [2, 3] {
                guard let text = opts["act\(act)-version"] else { continue }
                guard let version = UInt8(text) else { throw ScenarioError(line: line, "act\(act)-version: not a byte") }
                versions[act] = version
            }
            return .connect(
                from: rest[rest.startIndex], to: rest[rest.startIndex + 1],
                port: opts["port"].flatMap { UInt16($0) }, label: opts["as"], isn: opts["isn"].flatMap { UInt32($0) },
                handshake: opts["handshake"] != "no", versions: versions)
        case "disconnect", "reset":
            try need(2, "\(head) <a> <b>")
            return .disconnect(from: rest[rest.startIndex], to: rest[rest.startIndex + 1], reset: head == "reset")
        case "wait":
            try need(1, "wait <seconds>")
            guard let seconds = Double(rest[rest.startIndex]), seconds >= 0 else { throw ScenarioError(line: line, "wait <seconds>") }
            return .wait(seconds)
        case "tcp":
            try need(2, "tcp drop|duplicate|reorder|overlap <node> [count=<n>]")
            guard let action = TCPAction(rawValue: rest[rest.startIndex]) else {
                throw ScenarioError(line: line, "unknown tcp action '\(rest[rest.startIndex])'")
            }
            let opts = try options(rest.dropFirst(2), line: line)
            return .tcp(action, node: rest[rest.startIndex + 1], count: Int(opts["count"] ?? "1") ?? 1)
        case "capture":
            try need(1, "capture on|off")
            return .capture(rest[rest.startIndex] != "off")
        case "open", "pay":
            return try sugar(head, tokens: Array(rest), line: line)
        case "repeat":
            try need(2, "repeat <n> {")
            guard let count = Int(rest[rest.startIndex]), count >= 0, rest.last == "{" else { throw ScenarioError(line: line, "usage: repeat <n> {") }
            return .repeated(count, try parseBlock(&lines, closing: true))
        case "batch":
            guard rest.last == "{" else { throw ScenarioError(line: line, "usage: batch {") }
            let body = try parseBlock(&lines, closing: true)
            var messages: [MessageStatement] = []
            for statement in body {
                guard case let .message(m) = statement else { throw ScenarioError(line: line, "a batch holds only messages") }
                messages.append(m)
            }
            guard let first = messages.first, messages.allSatisfy({ $0.from == first.from && $0.to == first.to }) else {
                throw ScenarioError(line: line, "a batch holds messages of one sender to one receiver")
            }
            return .batch(messages)
        default:
            return .message(try message(tokens, line: line))
        }
    }

    /// `open A B [channel=L] [push_msat=N]`: a v1 channel opening, `open_channel` … both `channel_ready`.
    /// `pay A B [amount_msat=N] [channel=L] [fail]`: A offers an HTLC that B settles, each
    /// change signed and revoked both ways (ten messages).
    static func sugar(_ head: String, tokens: [String], line: Int) throws(ScenarioError) -> Statement {
        guard tokens.count >= 2 else { throw ScenarioError(line: line, "usage: \(head) <from> <to> [option=value …]") }
        let a = tokens[0], b = tokens[1]
        var channel: [(field: String, value: String)] = []
        var amount: [(field: String, value: String)] = []
        var push: [(field: String, value: String)] = []
        var fail = false
        for token in tokens.dropFirst(2) {
            if token == "fail" && head == "pay" { fail = true; continue }
            guard let eq = token.firstIndex(of: "=") else { throw ScenarioError(line: line, "expected option=value, got '\(token)'") }
            let key = String(token[..<eq]), value = String(token[token.index(after: eq)...])
            switch key {
            case "channel": channel.append((key, value))
            case "amount_msat" where head == "pay": amount.append((key, value))
            case "push_msat" where head == "open": push.append((key, value))
            default: throw ScenarioError(line: line, "\(head) takes channel=\(head == "pay" ? ", amount_msat= and fail" : " and push_msat=")")
            }
        }
        func m(_ from: String, _ to: String, _ type: String, _ extra: [(field: String, value: String)] = []) -> Statement {
            .message(MessageStatement(line: line, from: from, to: to, type: type, assignments: channel + extra))
        }
        if head == "open" {
            return .repeated(
                1,
                [
                    m(a, b, "open_channel", push), m(b, a, "accept_channel"), m(a, b, "funding_created"), m(b, a, "funding_signed"),
                    m(a, b, "channel_ready"), m(b, a, "channel_ready"),
                ])
        }
        return .repeated(
            1,
            [
                m(a, b, "update_add_htlc", amount), m(a, b, "commitment_signed"), m(b, a, "revoke_and_ack"),
                m(b, a, "commitment_signed"), m(a, b, "revoke_and_ack"),
                m(b, a, fail ? "update_fail_htlc" : "update_fulfill_htlc"), m(b, a, "commitment_signed"), m(a, b, "revoke_and_ack"),
                m(a, b, "commitment_signed"), m(b, a, "revoke_and_ack"),
            ])
    }

    static func message(_ tokens: [String], line: Int) throws(ScenarioError) -> MessageStatement {
        var tokens = tokens[...]
        var connection: String?
        if let first = tokens.first, first.hasPrefix("@") {
            connection = String(first.dropFirst())
            tokens = tokens.dropFirst()
        }
        guard tokens.count >= 4, tokens[tokens.startIndex + 1] == "->" else {
            throw ScenarioError(
                line: line, "expected '<from> -> <to> <message> [field=value …]' or a directive, got '\(tokens.joined(separator: " "))'")
        }
        let from = tokens[tokens.startIndex], to = tokens[tokens.startIndex + 2], type = tokens[tokens.startIndex + 3]
        var statement = MessageStatement(line: line, from: from, to: to, type: type, assignments: [], connection: connection)
        let rest = tokens.dropFirst(4)
        if type == "raw" {
            // At least one byte: a shorter frame than a type is how a scenario breaks tr-max-len.
            guard let hex = rest.first, let bytes = Hex.decodeText(hex), !bytes.isEmpty else {
                throw ScenarioError(line: line, "raw needs the message bytes in hex (type included)")
            }
            statement.rawBytes = bytes
            for token in rest.dropFirst() {
                guard token.hasPrefix("expect=") else { throw ScenarioError(line: line, "raw takes only the bytes (and expect=)") }
                statement.assignments.append(("expect", String(token.dropFirst(7))))
            }
            return statement
        }
        for token in rest {
            guard let eq = token.firstIndex(of: "=") else { throw ScenarioError(line: line, "expected field=value, got '\(token)'") }
            statement.assignments.append((String(token[..<eq]), String(token[token.index(after: eq)...])))
        }
        return statement
    }

    /// `2024-01-18T09:30:00Z` or with a fraction of a second.
    static func parseTime(_ text: String) -> Timestamp? {
        let digits = text.split(whereSeparator: { "-T:Z.".contains($0) })
        guard digits.count >= 6, let year = Int(digits[0]), let month = Int(digits[1]), let day = Int(digits[2]),
            let hour = Int(digits[3]), let minute = Int(digits[4]), let second = Int(digits[5])
        else { return nil }
        var nanos: Int32 = 0
        if digits.count > 6 {
            let fraction = String(digits[6].prefix(9))
            nanos = Int32((fraction + String(repeating: "0", count: 9 - fraction.count))) ?? 0
        }
        return Timestamp(
            seconds: Timestamp.epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second), nanoseconds: nanos)
    }
}

extension Hex {
    static func decodeText(_ text: String) -> [UInt8]? {
        decode(text.hasPrefix("0x") ? String(text.dropFirst(2)) : text)
    }
}
