import Foundation
import TestSupport
import Testing

/// `lntrace check`, `rules` and `explain` as a user runs them.
@Suite(.serialized)
struct CheckTests {
    /// Makes a capture from a rule scenario with `lntrace synth`.
    static func synthesize(_ scenario: String) throws -> (pcap: String, keys: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-check-\(getpid())-\(scenario)").path
        let result = try LNTraceBinary.run(["synth", "Fixtures/rules/\(scenario).scenario", "-o", base + ".pcap", "--keylog", base + ".keys"])
        #expect(result.status == 0, "\(result.stderr)")
        return (base + ".pcap", base + ".keys")
    }

    @Test func rulesJSONListsEveryRuleWithIDSeverityAndSection() throws {
        let result = try LNTraceBinary.run(["rules", "--format", "json"])
        #expect(result.status == 0)
        let rules = try #require(try JSONValue.parse(result.stdout)["rules"]?.array)
        let ids = rules.compactMap { $0["id"]?.string }
        #expect(ids.count == rules.count && Set(ids).count == ids.count)
        for rule in rules {
            let severity = rule["severity"]?.string ?? "", section = rule["section"]?.string ?? ""
            let spec = rule["spec"]?.string ?? ""
            #expect(severity == "error" || severity == "warning", "\(rule)")
            #expect(section.hasPrefix("BOLT #"), "\(rule)")
            #expect(!spec.isEmpty, "\(rule)")
        }
        // Each rule has a scenario that triggers it, named after it.
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("rules").path)
            .filter { $0.hasSuffix(".scenario") }.map { String($0.split(separator: ".")[0]) }
        #expect(Set(ids) == Set(scenarios))
        let text = try LNTraceBinary.run(["rules"])
        #expect(text.stdout.split(separator: "\n").count == ids.count)
    }

    @Test func explainShowsTheSpecTextAndAnExample() throws {
        let result = try LNTraceBinary.run(["explain", "sd-no-pending-updates"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("BOLT #2 §\"Closing Initiation: shutdown\""))
        #expect(result.stdout.contains("MUST NOT send a `shutdown`"))
        #expect(result.stdout.contains("Example of a violation:"))
        let unknown = try LNTraceBinary.run(["explain", "sd-no-such-rule"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown rule 'sd-no-such-rule'"))
        #expect(unknown.stderr.contains("sd-no-pending-updates"))
    }

    @Test func validCaptureHasNoFindings() throws {
        let result = try LNTraceBinary.run(["check", "--keylog", "Fixtures/captures/synth/channel-life.keys", "Fixtures/captures/synth/channel-life.pcap"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("No findings."))
        #expect(result.stdout.contains("opened in the trace"))
    }

    @Test func findingNamesRuleLocationAndReason() throws {
        let (pcap, keys) = try Self.synthesize("sd-no-pending-updates")
        let text = try LNTraceBinary.run(["check", "--keylog", keys, pcap])
        #expect(text.status == 1)
        let first = try #require(text.stdout.split(separator: "\n").first)
        #expect(first.hasPrefix("\(pcap):"))
        #expect(first.contains(": error: sd-no-pending-updates: 1 update of the sender is not yet covered by its commitment_signed"))
        #expect(text.stdout.contains("1 finding: 1 error."))

        let json = try LNTraceBinary.run(["check", "--format", "json", "--keylog", keys, pcap])
        let document = try JSONValue.parse(json.stdout)
        let finding = try #require(document["findings"]?[0])
        #expect(finding["rule"]?.string == "sd-no-pending-updates")
        #expect(finding["severity"]?.string == "error")
        #expect(finding["certainty"]?.string == "certain")
        #expect(finding["type"]?.string == "shutdown")
        #expect(finding["connection"]?.int64 == 1)
        #expect(finding["direction"]?.string == "out")
        #expect(finding["index"]?.int64 == 9)
        #expect(finding["channel"]?.string?.count == 64)
        #expect(finding["frames"]?.array?.isEmpty == false)
        #expect(finding["time"]?.string != nil)
        #expect(document["summary"]?["errors"]?.int64 == 1)
        let channel = try #require(document["inputs"]?[0]?["channels"]?[0])
        #expect((channel["rules_evaluated"]?.array?.count ?? 0) > 20)
        #expect(channel["origin"]?.string == "opened")
    }

    @Test func rulesSkipAndFailOnSelect() throws {
        let (pcap, keys) = try Self.synthesize("sd-no-pending-updates")
        let skipped = try LNTraceBinary.run(["check", "--skip", "sd-no-pending-updates", "--keylog", keys, pcap])
        #expect(skipped.status == 0, "\(skipped.stdout)")
        let only = try LNTraceBinary.run(["check", "--rules", "commit-,raa-*", "--format", "jsonl", "--keylog", keys, pcap])
        #expect(only.status == 0)
        let summary = try JSONValue.lines(only.stdout).first { $0["kind"]?.string == "summary" }
        #expect(summary?["rules"]?.int64 == 7)  // commit-has-updates, -one-outstanding, -num-htlcs, -sig-valid, raa-solicited, -secret, -next-point
        let bogus = try LNTraceBinary.run(["check", "--rules", "no-such-rule", pcap])
        #expect(bogus.status != 0 && bogus.status != 1)
        #expect(bogus.stderr.contains("no rule matches 'no-such-rule'"))

        let (warnings, warningKeys) = try Self.synthesize("conn-ping-zeros")
        let failOnError = try LNTraceBinary.run(["check", "--fail-on", "error", "--keylog", warningKeys, warnings])
        #expect(failOnError.status == 0)
        #expect(failOnError.stdout.contains("warning: conn-ping-zeros"))
        let failOnWarning = try LNTraceBinary.run(["check", "--keylog", warningKeys, warnings])
        #expect(failOnWarning.status == 1)
    }

    @Test func logOnStandardInputAndUnreadableInputs() throws {
        let log = try Fixtures.data("logs/channel-life/bob-lnd.log")
        let piped = try LNTraceBinary.run(["check", "--format", "jsonl", "-"], stdin: log)
        #expect(piped.status == 0, "\(piped.stderr)")
        let channel = try JSONValue.lines(piped.stdout).first { $0["kind"]?.string == "channel" }
        #expect(channel?["parties"]?.array?.count == 2)
        // A log summary lacks the fields some rules need: they are listed as not evaluated, with why.
        let notEvaluated = channel?["rules_not_evaluated"]?.array ?? []
        #expect(notEvaluated.contains { $0["rule"]?.string == "v1-points-valid" && ($0["reason"]?.string ?? "").contains("does not give") })

        let missing = try LNTraceBinary.run(["check", "Fixtures/no-such-file.pcap"])
        #expect(missing.status == 2)
    }
}
