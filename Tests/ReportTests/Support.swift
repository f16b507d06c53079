import Basics
import Capture
import Foundation
@testable import Hazards
import Provenance
import Report
@testable import Rules
import Testing
@testable import Trace
import Wire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a report wrote to its standard output and error, captured in temporary files.
struct Captured {
    var out: String
    var err: String

    /// The standard output's lines.
    var lines: [String] { out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(out.hasSuffix("\n") ? 1 : 0) }

    /// The standard output parsed as one JSON document.
    func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
    }

    /// The standard output parsed as JSON Lines: one object per line.
    func records() throws -> [[String: Any]] {
        try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)") }
    }

    /// Runs `body` with two ``Output``s to temporary files and reads what it wrote.
    static func run(_ body: (_ out: Output, _ err: Output) throws -> Void) throws -> Captured {
        let directory = FileManager.default.temporaryDirectory
        let names = ["out", "err"].map { directory.appendingPathComponent("lntrace-report-\(UUID().uuidString).\($0)").path }
        defer { for name in names { unlink(name) } }
        let fds = names.map { open($0, O_CREAT | O_TRUNC | O_WRONLY, 0o600) }
        for fd in fds { #expect(fd >= 0) }
        let out = Output(fd: fds[0]), err = Output(fd: fds[1])
        try body(out, err)
        out.flush()
        err.flush()
        for fd in fds { close(fd) }
        let texts = try names.map { try String(contentsOfFile: $0, encoding: .utf8) }
        return Captured(out: texts[0], err: texts[1])
    }
}

/// Hand-built records: what the inputs and the engines would give the reporters.
enum Sample {
    /// Text that needs every kind of JSON escaping: quote, backslash, control characters,
    /// DEL, and UTF-8 beyond ASCII.
    static let nasty = "a \"quoted\" back\\slash, tab\tnewline\nnul\u{0} bell\u{7} del\u{7f} café 💥"

    static let ping: [UInt8] = [0x00, 0x12, 0x00, 0x0a, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef]

    /// A `ping` from a hex dump's line 1, on connection 3, sent by the recording side.
    static func message(line: Int = 1, index: Int? = nil, time: Timestamp? = nil) -> MessageEvent {
        MessageEvent(
            connection: 3, direction: .out, index: index, content: MessageContent.decoding(ping),
            location: SourceLocation(file: "hand.hex", line: line), time: time)
    }

    static let diagnostic = Diagnostic(.error, "hex.malformed", at: SourceLocation(file: "hand.hex", line: 2), nasty)

    static let rule = RuleInfo(
        "test-rule", "A rule with a \"title\"", section: "BOLT #1 §Test", severity: .error,
        spec: "A node MUST test.", explanation: "Tests.", example: "→ ping")

    static func finding(reason: String = nasty) -> Finding {
        var finding = Finding(rule: rule, channel: nil, message: message(line: 5, index: 2), reason: reason)
        finding.id = 1
        finding.context = [message(line: 4, index: 1)]
        finding.comparison = Comparison(field: "num_pong_bytes", actual: 10, maximum: 8)
        return finding
    }

    static func summary(messages: Int = 2, findings: Int = 1) -> CheckSummary {
        CheckSummary(messages: messages, findings: findings, rules: 1)
    }

    static let time = Timestamp(seconds: 1_700_000_000, nanoseconds: 500_000_000)

    static func connection(id: Int = 3, problem: String = nasty) -> ConnectionSummary {
        var c = ConnectionSummary(
            id: id, initiator: Endpoint(address: .v4(0x0a00_0001), port: 49152), responder: Endpoint(address: .v4(0x0a00_0002), port: 9735),
            initiatorKnown: true, handshakeSeen: true, firstFrame: 1, lastFrame: 9, firstTime: time, lastTime: time)
        c.messagesOut = 2
        c.decryption = .decrypted
        c.addProblem(problem)
        return c
    }

    static func hazard(reason: String = nasty) -> Hazard {
        Hazard(
            profile: "lnd", known: nil, node: "bob", channel: "cd4f", first: message(line: 6, index: 3), second: message(line: 7, index: 4),
            firstQueue: "link", secondQueue: "peer", distance: 1, distanceUnit: "message", seconds: 0.25, outcome: [finding(reason: reason)])
    }

    static func observation(text: String = nasty) -> Observation {
        Observation(
            hazard: hazard(reason: text),
            note: NoteEvent(
                location: SourceLocation(file: "bob.log", line: 9), time: time, timeText: nil,
                channel: "cd4f", kind: "link-failed", text: text), confirmed: true)
    }

    /// A reason as rules write them: one line of plain text (text reports print it as is).
    static let plain = "num_pong_bytes 10 is above the 8 this test allows, which is a reason long enough to wrap"

    static func options(width: Int = 100) -> ReportOptions {
        ReportOptions(toolVersion: "9.9.9", style: TextStyle(width: width))
    }
}
