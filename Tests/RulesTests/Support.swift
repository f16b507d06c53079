import Foundation
import Provenance
import Rules
import TestSupport
import Trace

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
