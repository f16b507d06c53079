import Foundation
import Provenance
import Rules
import TestSupport
import Testing
import Trace

/// No certain verdict without evidence: a trace that begins late (a log excerpt, a capture
/// started after the connection) of a valid channel life never gives a certain error.
@Suite(.serialized)
struct SuffixTests {
    static let styles = ["lnd", "cln", "cln-io", "eclair", "ldk"]

    /// Every message event of an input.
    static func events(_ path: String, keys: String? = nil) throws -> [MessageEvent] {
        let (keyLog, _) = KeyLogLoader.load(files: keys.map { [$0] } ?? [], lines: [])
        var out: [MessageEvent] = []
        try InputReader(path: path, captureOptions: CaptureOptions(keyLog: keyLog)).read(emit: { event in
            if case let .message(message) = event { out.append(message) }
        })
        return out
    }

    /// Certain errors on the events from `start` on; a capture cut there has lost its
    /// connections' starts.
    static func certainErrors(_ events: [MessageEvent], from start: Int, capture: Bool) -> [Finding] {
        var engine = RuleEngine(rules: Catalog.rules)
        var out: [Finding] = []
        // The capture connections that had begun before the cut.
        var begun = Set<Int>()
        for event in events[..<start] { if let connection = event.connection { begun.insert(connection) } }
        for var event in events[start...] {
            if capture, let connection = event.connection, begun.contains(connection) { event.streamStart = false }
            out += engine.process(event).filter { $0.certainty == .certain && $0.severity == .error }
        }
        return out
    }

    @Test(arguments: RuleFixtures.valid)
    func everySuffixOfAValidLifeHasNoCertainError(_ file: String) throws {
        let scenario = RuleFixtures.directory.appendingPathComponent("valid").appendingPathComponent(file)
        let nodes = try String(contentsOf: scenario, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("node ") }.map { String($0.split(separator: " ")[1]) }
        // Logs only of scenarios every style renders (lnd logs no splice or interactive-tx
        // message, having neither).
        let loggable = VantageAndLogTests.loggable.contains("rules/valid/\(file)")
        let targets = loggable ? nodes.prefix(1).flatMap { node in Self.styles.map { "\(node)=\($0)" } } : []
        let trace = try Synthesized(scenario, logs: targets)
        defer { trace.remove() }
        var inputs: [(String, [MessageEvent], Bool)] = [("capture", try Self.events(trace.capture, keys: trace.keys), true)]
        for target in targets { inputs.append((target, try Self.events(trace.log(target)), false)) }
        Self.checkSuffixes(of: inputs, file)
    }

    /// The bundled logs and capture of `Fixtures/logs/channel-life/`, as users have them.
    @Test func everySuffixOfTheBundledChannelLifeHasNoCertainError() throws {
        let directory = "Fixtures/logs/channel-life"
        var inputs: [(String, [MessageEvent], Bool)] = [
            (
                "capture",
                try Self.events(
                    Fixtures.url("logs/channel-life/channel-life.pcap").path,
                    keys: Fixtures.url("logs/channel-life/channel-life.keys").path), true
            )
        ]
        for log in ["alice-lnd", "alice-cln", "alice-cln-io", "alice-eclair", "alice-ldk", "bob-lnd"] {
            inputs.append((log, try Self.events(Fixtures.url("logs/channel-life/\(log).log").path), false))
        }
        Self.checkSuffixes(of: inputs, directory)
    }

    /// Every suffix of a short trace; of a long one, 40 spread over it.
    static func checkSuffixes(of inputs: [(String, [MessageEvent], Bool)], _ file: String) {
        for (name, events, capture) in inputs {
            let cuts = events.count <= 300 ? Array(1..<max(1, events.count)) : Array(stride(from: 1, to: events.count, by: events.count / 40))
            for start in cuts {
                let errors = Self.certainErrors(events, from: start, capture: capture)
                    .map { "\($0.rule.id) at \($0.message.location.line.map { "line \($0)" } ?? "index \($0.message.index ?? -1)"): \($0.reason)" }
                #expect(errors.isEmpty, "\(file) \(name) from message \(start)")
                if !errors.isEmpty { print("SUFFIX \(file) \(name) from \(start): \(errors.count) \(errors.prefix(2))") }
            }
        }
    }
}

extension SuffixTests {
    /// A Core Lightning excerpt that begins during a close: the shutdowns came before it, so
    /// `close-when-clean` cannot be judged (issue: two certain errors here).
    @Test func anExcerptThatStartsDuringACloseHasNoCertainError() throws {
        let peer = "037f66e84e2c69feaea0f9d1f4b7ee16e0bef1a0d2d5e2b0e6c5fd01c4e5c2e3a1"
        let text = """
            2023-03-06T11:58:27.006Z DEBUG   \(peer)-closingd-chan#10: peer_out WIRE_CLOSING_SIGNED
            2023-03-06T11:58:27.066Z DEBUG   \(peer)-closingd-chan#10: peer_in WIRE_SHUTDOWN
            2023-03-06T11:58:27.074Z DEBUG   \(peer)-closingd-chan#10: peer_in WIRE_CLOSING_SIGNED

            """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-close-\(UUID().uuidString).log")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let checked = try Checked(url.path)
        #expect(checked.summary?.messages == 3)
        #expect(checked.findings.filter { $0.certainty == .certain }.isEmpty, "\(checked.findings.map { "\($0.rule.id): \($0.reason)" })")
        // Not passed either: not evaluated, with the reason.
        #expect(checked.summary?.channels.first?.coverage.notEvaluatedRules.contains { $0.rule == "close-when-clean" } == true)
    }
}

/// A failing signature can be debugged: the finding carries the rebuilt transaction, its
/// sighash and the keys, to diff with the node's own dump.
struct SignatureEvidenceTests {
    @Test func aSignatureFindingCarriesTheRebuiltTransaction() throws {
        let trace = try Synthesized(RuleFixtures.directory.appendingPathComponent("commit-sig-valid.scenario"))
        defer { trace.remove() }
        let checked = try Checked(trace.capture, keys: trace.keys)
        let finding = try #require(checked.findings.first { $0.rule.id == "commit-sig-valid" })
        let evidence = try #require(finding.evidence)
        var values: [String: Evidence.Value] = [:]
        for (name, value) in evidence.items { values[name] = value }
        guard case let .hex(transaction)? = values["transaction"], case let .text(txid)? = values["txid"],
            case let .hex(sighash)? = values["sighash"], case let .hex(key)? = values["funding_pubkey"]
        else {
            Issue.record("evidence lacks the transaction, txid, sighash or key: \(evidence.items.map(\.name))")
            return
        }
        // The txid is the double SHA-256 of the transaction, byte-reversed.
        let once = [UInt8](hexString: sha256Hex(transaction)) ?? []
        #expect(([UInt8](hexString: sha256Hex(once)) ?? []).reversed().map { String(format: "%02x", $0) }.joined() == txid)
        #expect(sighash.count == 32 && key.count == 33)
        #expect(evidence.items.contains { $0.name == "to_local_msat" } && evidence.items.contains { $0.name == "htlcs" })
    }
}
