import Foundation
import Rules
import TestSupport
import Testing

/// Every rule is triggered at the right message by a scenario made for it, and valid
/// channel lives trigger nothing while evaluating every rule.
@Suite struct RuleScenarioTests {
    @Test(arguments: RuleFixtures.violations)
    func scenarioTriggersExactlyItsRules(_ file: String) throws {
        let trace = try Synthesized(RuleFixtures.directory.appendingPathComponent(file))
        defer { trace.remove() }
        let checked = try Checked(trace.capture, keys: trace.keys)
        // A message that does not decode is also an input diagnostic (the input is not
        // wholly analysed); only the format rules' scenarios have one.
        let formatOnly = trace.expected.allSatisfy { $0.rule.hasPrefix("fmt-") || $0.rule == "tr-max-len" }
        #expect(
            checked.diagnostics.allSatisfy { formatOnly && $0.code == "wire.malformed" }, "\(checked.diagnostics)")
        #expect(!trace.expected.isEmpty)
        #expect(
            checked.found == trace.expected,
            "\(file): \(checked.findings.map { "\($0.rule.id)@\($0.message.index ?? -1): \($0.reason)" })")
        // The file is named after the rule it breaks (`RULE.scenario` or `RULE.VARIANT.scenario`).
        let rule = String(file.split(separator: ".")[0])
        #expect(trace.expected.contains { $0.rule == rule })
    }

    @Test func everyRuleHasATriggeringScenario() {
        let files = Set(RuleFixtures.violations.map { String($0.split(separator: ".")[0]) })
        let missing = Catalog.rules.map(\.info.id).filter { !files.contains($0) }
        #expect(missing.isEmpty, "rules without a scenario: \(missing)")
    }

    @Test func validLivesHaveNoFindingsAndEvaluateEveryRule() throws {
        var evaluated = Set<String>()
        var messages = 0
        for file in RuleFixtures.valid {
            let trace = try Synthesized(RuleFixtures.directory.appendingPathComponent("valid").appendingPathComponent(file))
            defer { trace.remove() }
            let checked = try Checked(trace.capture, keys: trace.keys)
            #expect(checked.diagnostics.isEmpty)
            #expect(
                checked.findings.isEmpty, "\(file): \(checked.findings.prefix(5).map { "\($0.rule.id)@\($0.message.index ?? -1): \($0.reason)" })")
            evaluated.formUnion(checked.evaluated)
            messages += checked.summary?.messages ?? 0
        }
        #expect(messages > 5000)
        let never = Catalog.rules.map(\.info.id).filter { !evaluated.contains($0) }
        #expect(never.isEmpty, "rules never evaluated on a valid trace: \(never)")
    }

    @Test func longValidLifeHasHundredsOfPaymentsAndReconnections() throws {
        let trace = try Synthesized(RuleFixtures.directory.appendingPathComponent("valid/channel-life-long.scenario"))
        defer { trace.remove() }
        let types = trace.messages.compactMap { $0["type"] as? Int }
        #expect(types.filter { $0 == 128 }.count >= 400)  // update_add_htlc
        #expect(types.filter { $0 == 136 }.count >= 3)  // channel_reestablish
        #expect(types.filter { $0 == 134 }.count >= 2)  // update_fee
        #expect(types.contains(39))  // closing_signed
    }
}
