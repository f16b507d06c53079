import Foundation
import Rules
import TestSupport
import Testing

/// The same scenarios seen from the nodes' own logs, and from either side of a capture.
@Suite struct VantageAndLogTests {
    static let styles = ["lnd", "cln", "cln-io", "eclair", "ldk"]

    /// Scenarios whose messages every synthetic log style renders (the interactive-tx and
    /// splice messages are not rendered: lnd has neither dual funding nor splicing; nor is
    /// `start_batch`, which only batches the signings of a pending splice).
    static var loggable: [String] {
        (RuleFixtures.violations.map { "rules/\($0)" } + RuleFixtures.valid.map { "rules/valid/\($0)" }).filter { file in
            let text = (try? String(contentsOf: Fixtures.url(file), encoding: .utf8)) ?? ""
            return !["tx_", "splice", "open_channel2", "start_batch"].contains { text.contains($0) }
        }
    }

    /// The scenario's nodes that connect (a node that only signs gossip has no log).
    static func nodes(_ scenario: URL) throws -> [String] {
        let lines = try String(contentsOf: scenario, encoding: .utf8).split(separator: "\n")
        let connected = Set(lines.filter { $0.hasPrefix("connect ") }.flatMap { $0.split(separator: " ").dropFirst().map(String.init) })
        return lines.filter { $0.hasPrefix("node ") }.map { String($0.split(separator: " ")[1]) }.filter(connected.contains)
    }

    /// A log knows less than the wire (lnd and CLN summaries drop fields): it may miss a
    /// violation (the rule is "not evaluated"), but it never reports one the scenario does
    /// not contain.
    @Test(arguments: loggable)
    func logsReportNoOtherRules(_ file: String) throws {
        let scenario = Fixtures.url(file)
        let nodes = try Self.nodes(scenario)
        let targets = nodes.flatMap { node in Self.styles.map { "\(node)=\($0)" } }
        let trace = try Synthesized(scenario, logs: targets)
        defer { trace.remove() }
        let expected = Set(trace.expected.map(\.rule))
        var seen = Set<String>()
        for target in targets {
            let checked = try Checked(trace.log(target))
            let rules = Set(checked.findings.map(\.rule.id))
            #expect(
                rules.isSubset(of: expected),
                "\(file) \(target): \(checked.findings.filter { !expected.contains($0.rule.id) }.map { "\($0.rule.id) line \($0.message.location.line ?? 0): \($0.reason)" })"
            )
            seen.formUnion(rules)
            // The log knows which side is local: its own messages' findings are certain.
            #expect(checked.findings.allSatisfy { $0.certainty == .certain || $0.message.sender != "local" })
        }
        // The richer log formats find the violation too, except where a log cannot tell: it
        // has no connection preamble to miss, a new `init` in it is a reconnection, and its
        // first connection may have begun before its first line (the peer's `init`, a ping,
        // the channel's reestablish before it); and a log may omit a reply that ends a query,
        // or the query a reply answers (or never sent the reply's end); and no log records a frame too short for a type, or
        // the transport key a message was encrypted with, or the handshake, or a `node_announcement`.
        if !expected.isSubset(of: [
            "conn-init-first", "conn-init-once", "conn-wait-init", "conn-pong-unsolicited", "conn-unknown-channel", "re-wait-peer",
            "q-scid-outstanding", "q-range-outstanding", "q-scid-reply", "tr-max-len", "tr-rotation", "tr-handshake", "g-filter-first",
        ]) && !file.hasSuffix("q-range-reply.unsolicited.scenario") {
            #expect(!seen.isEmpty, "\(file): no log found any of \(expected)")
        }
    }

    /// `sd-no-add-received` and `stfu-initiator-flag` judge a message sent after another
    /// arrived: crossing messages explain them unless the trace was recorded at the sender.
    @Test(arguments: [("sd-no-add-received", "bob"), ("stfu-initiator-flag-crossing", "bob")])
    func crossingFindingsDependOnTheRecordingSide(_ rule: String, _ sender: String) throws {
        let scenario = Fixtures.url("rules/vantage/\(rule).scenario")
        let trace = try Synthesized(scenario, logs: ["alice=eclair", "bob=eclair"])
        defer { trace.remove() }
        let id = rule.replacingOccurrences(of: "-crossing", with: "")
        // A capture with no --local: possible.
        let unknown = try Checked(trace.capture, keys: trace.keys)
        #expect(unknown.findings.map(\.rule.id) == [id])
        #expect(unknown.findings.first?.certainty == .possible)
        // Recorded at the sender (bob is 10.0.0.2): certain; at the receiver: still possible.
        let atSender = try Checked(trace.capture, keys: trace.keys, local: "10.0.0.2")
        #expect(atSender.findings.first?.certainty == .certain)
        let atReceiver = try Checked(trace.capture, keys: trace.keys, local: "10.0.0.1")
        #expect(atReceiver.findings.first?.certainty == .possible)
        // The sender's own log: certain; the receiver's log: possible.
        let senderLog = try Checked(trace.log("\(sender)=eclair"))
        #expect(senderLog.findings.map(\.rule.id) == [id])
        #expect(senderLog.findings.first?.certainty == .certain)
        let receiverLog = try Checked(trace.log("alice=eclair"))
        #expect(receiverLog.findings.map(\.rule.id) == [id])
        #expect(receiverLog.findings.first?.certainty == .possible)
    }
}
