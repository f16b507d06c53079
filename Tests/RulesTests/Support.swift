import Foundation
import Provenance
import Rules
import Synth
import TestSupport
import Trace

/// A scenario made into a capture (and node logs) by `lntrace synth`, in a temporary folder.
struct Synthesized {
    let directory: URL
    let capture: String
    let keys: String
    /// Every message sent: its connection, `index` on it, type, and `expect`ed rules.
    let messages: [[String: Any]]

    init(_ scenario: URL, logs: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        capture = directory.appendingPathComponent("trace.pcap").path
        keys = directory.appendingPathComponent("trace.keys").path
        let messagesPath = directory.appendingPathComponent("messages.jsonl").path
        let text = try String(contentsOf: scenario, encoding: .utf8)
        let folder = directory
        let targets = logs.compactMap { LogTarget("\($0):\(folder.appendingPathComponent($0.replacingOccurrences(of: "=", with: ".")).path)") }
        let synthesizer = Synthesizer(capturePath: capture, messagesPath: messagesPath, logs: targets)
        let (_, keyLog) = try synthesizer.run(try ScenarioParser.parse(text))
        try keyLog.write(toFile: keys, atomically: true, encoding: .utf8)
        let lines = try String(contentsOfFile: messagesPath, encoding: .utf8).split(separator: "\n")
        messages = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
    }

    /// The log written for `NODE=STYLE`.
    func log(_ target: String) -> String {
        directory.appendingPathComponent(target.replacingOccurrences(of: "=", with: ".")).path
    }

    /// (rule, connection index) pairs the scenario marks with `expect=`.
    var expected: Set<Expectation> {
        var out = Set<Expectation>()
        for message in messages {
            for rule in message["expect"] as? [String] ?? [] {
                out.insert(Expectation(rule: rule, index: message["index"] as? Int ?? -1))
            }
        }
        return out
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

struct Expectation: Hashable, CustomStringConvertible {
    var rule: String
    var index: Int
    var description: String { "\(rule)@\(index)" }
}

/// The result of checking one input.
struct Checked {
    var findings: [Finding] = []
    var diagnostics: [Diagnostic] = []
    var summary: CheckSummary?

    init(_ path: String, keys: String? = nil, rules: [Rule] = Catalog.rules, local: String? = nil) throws {
        let (keyLog, _) = KeyLogLoader.load(files: keys.map { [$0] } ?? [], lines: [])
        var engine = RuleEngine(rules: rules, local: local)
        var findings: [Finding] = []
        var diagnostics: [Diagnostic] = []
        try InputReader(path: path, captureOptions: CaptureOptions(keyLog: keyLog)).read(emit: { event in
            if case let .diagnostic(d) = event { diagnostics.append(d) }
            findings += engine.process(event)
        })
        self.findings = findings
        self.diagnostics = diagnostics
        summary = engine.summary
    }

    var found: Set<Expectation> {
        Set(findings.map { Expectation(rule: $0.rule.id, index: $0.message.index ?? -1) })
    }

    /// Every rule evaluated at least once, on any channel or connection.
    var evaluated: Set<String> {
        guard let summary else { return [] }
        var out = Set<String>()
        for channel in summary.channels { out.formUnion(channel.coverage.evaluatedRules) }
        for (_, coverage) in summary.connections { out.formUnion(coverage.evaluatedRules) }
        return out
    }
}

enum RuleFixtures {
    static let directory = Fixtures.url("rules")

    /// `Fixtures/rules/*.scenario`: each breaks one rule (named by the file) where it says `expect=`.
    static var violations: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".scenario") }.sorted()
    }

    /// `Fixtures/rules/valid/*.scenario`: valid channel lives.
    static var valid: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("valid").path)) ?? [])
            .filter { $0.hasSuffix(".scenario") }.sorted()
    }
}
