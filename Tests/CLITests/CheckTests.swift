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
        let result = try LNTraceBinary.run([
            "check", "--keylog", "Fixtures/captures/synth/channel-life.keys", "Fixtures/captures/synth/channel-life.pcap",
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("  no findings"))
        #expect(result.stdout.contains("findings: 0 errors, 0 warnings"))
        #expect(result.stdout.contains("inputs: 1, connections: 1, channels: 1, messages: 39"))
    }

    /// A rule evaluated on some messages and not on others is not reported as simply
    /// "evaluated": alice overdraws the channel, the commitments signed after that cannot be
    /// rebuilt, and check counts them and says why. The valid life has no such rule.
    @Test func rulesEvaluatedOnlyInPartAreCountedWithTheirReason() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-check-\(getpid())-overdrawn").path
        let made = try LNTraceBinary.run(["synth", "Fixtures/coverage/overdrawn.scenario", "-o", base + ".pcap", "--keylog", base + ".keys"])
        #expect(made.status == 0, "\(made.stderr)")
        defer { for suffix in [".pcap", ".keys"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        let json = try LNTraceBinary.run(["check", "--format", "json", "--keylog", base + ".keys", base + ".pcap"])
        let document = try JSONValue.parse(json.stdout)
        let channel = try #require(document["inputs"]?[0]?["channels"]?[0])
        let partly = channel["rules_partly_evaluated"]?.array ?? []
        let signatures = try #require(partly.first { $0["rule"]?.string == "commit-sig-valid" }, "\(json.stdout.prefix(2000))")
        // 60 payments, each signed twice by each side; from the 50th payment on alice's balance would be negative.
        #expect(signatures["evaluated"]?.int64 == 200 && signatures["not_evaluated"]?.int64 == 40)
        #expect(
            signatures["reason"]?.string?.hasPrefix("the balances are not known: its signer would pay more than it has (-") == true, "\(signatures)")
        #expect(!partly.contains { $0["rule"]?.string == "add-id-increment" }, "the first add of a channel opened in the trace is add-id-start's")
        #expect(try #require(document["summary"]?["rules_partly_evaluated"]?.int64) >= 1)
        let text = try LNTraceBinary.run(["check", "-v", "--keylog", base + ".keys", base + ".pcap"], environment: ["COLUMNS": "200"])
        #expect(text.stdout.contains("commit-sig-valid: not evaluated on 40 of 240 messages: the balances are not known"))
        #expect(text.stdout.contains("evaluated (1 not on every message)"))

        let valid = try LNTraceBinary.run([
            "check", "--format", "json", "--keylog", "Fixtures/captures/synth/channel-life.keys", "Fixtures/captures/synth/channel-life.pcap",
        ])
        let life = try JSONValue.parse(valid.stdout)
        #expect(life["inputs"]?[0]?["channels"]?[0]?["rules_partly_evaluated"]?.array?.isEmpty == true)
        #expect(life["summary"]?["rules_partly_evaluated"]?.int64 == 0)
    }

    /// The quick start: grouped by connection and channel, the offending message marked
    /// after its context, the spec section, a closing summary; no colour into a pipe.
    @Test func textReportExplainsItself() throws {
        let result = try LNTraceBinary.run([
            "check", "--keylog", "Fixtures/captures/synth/out-of-order.keys", "Fixtures/captures/synth/out-of-order.pcap",
        ])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("Fixtures/captures/synth/out-of-order.pcap  capture, 1 Lightning connection"))
        #expect(lines.contains { $0.hasPrefix("  connection #1  10.0.0.1:") && $0.contains("→ 10.0.0.2:9735") })
        #expect(lines.contains { $0.hasPrefix("    channel cd4fdd46…4d57  10.0.0.1 ↔ 10.0.0.2, opened in the trace") })
        // The path is printed once, above its findings; each finding names its frame.
        var heading = try #require(
            lines.firstIndex { $0.hasPrefix("    frame 54: error: rm-after-irrevocable: HTLC 1 is not irrevocably committed") })
        #expect(!lines.contains { $0.contains("out-of-order.pcap:54") })
        // In a pipe, lines fit 100 columns: the reason continues on the next line, indented.
        #expect(lines.allSatisfy { $0.count <= 100 }, "\(lines.filter { $0.count > 100 })")
        #expect(lines[heading + 1].hasPrefix("        ") && lines[heading + 1].hasSuffix("[#1]"))
        heading += 1
        // Four earlier messages of the channel, then the marked one, then the section.
        #expect(lines[heading + 1].contains("message 17") && lines[heading + 4].contains("message 20"))
        #expect(lines[heading + 5].contains("> message 21") && lines[heading + 5].contains("← update_fulfill_htlc id=1"))
        #expect(!lines[heading + 5].contains("channel_id="))
        #expect(lines[heading + 6].contains("BOLT #2 §\"Removing an HTLC\" Requirements (lntrace explain rm-after-irrevocable)"))
        #expect(lines.contains("Summary"))
        #expect(lines.contains("  findings: 2 errors, 0 warnings: 2 root causes, 0 follow-ons"))
        #expect(!result.stdout.contains("\u{1B}["))

        let colored = try LNTraceBinary.run([
            "check", "--color", "always", "--keylog", "Fixtures/captures/synth/out-of-order.keys", "Fixtures/captures/synth/out-of-order.pcap",
        ])
        #expect(colored.stdout.contains("\u{1B}[1;31merror\u{1B}[0m"))
        let quiet = try LNTraceBinary.run([
            "check", "--quiet", "--keylog", "Fixtures/captures/synth/out-of-order.keys", "Fixtures/captures/synth/out-of-order.pcap",
        ])
        #expect(!quiet.stdout.contains("Summary") && !quiet.stdout.contains("  connection #1  "))
        #expect(quiet.stdout.split(separator: "\n").filter { $0.contains(": error: ") }.count == 2)
    }

    @Test func findingNamesRuleLocationAndReason() throws {
        let (pcap, keys) = try Self.synthesize("sd-no-pending-updates")
        let json = try LNTraceBinary.run(["check", "--format", "json", "--keylog", keys, pcap])
        #expect(json.status == 1)
        let document = try JSONValue.parse(json.stdout)
        #expect(document["schema_version"]?.int64 == 1)
        #expect(document["tool"]?["name"]?.string == "lntrace")
        let finding = try #require(document["findings"]?[0])
        #expect(finding["rule"]?.string == "sd-no-pending-updates")
        #expect(finding["severity"]?.string == "error")
        #expect(finding["certainty"]?.string == "certain")
        #expect(finding["reason"]?.string == "1 update of the initiator is not yet covered by its commitment_signed")
        #expect(finding["type"]?.string == "shutdown")
        #expect(finding["connection"]?.int64 == 1)
        #expect(finding["direction"]?.string == "out")
        #expect(finding["index"]?.int64 == 9)
        #expect(finding["channel"]?.string?.count == 64)
        #expect(finding["frames"]?.array?.isEmpty == false)
        #expect(finding["time"]?.string != nil)
        #expect(finding["context"]?.array?.last?["type"]?.string == "update_add_htlc")
        #expect(document["summary"]?["errors"]?.int64 == 1)
        let input = try #require(document["inputs"]?[0])
        #expect(input["connections"]?[0]?["responder"]?.string == "10.0.0.2:9735")
        let channel = try #require(input["channels"]?[0])
        #expect((channel["rules_evaluated"]?.array?.count ?? 0) > 20)
        #expect(channel["origin"]?.string == "opened")
    }

    /// `--format json` and every `--format jsonl` line validate against the schema in
    /// the repository (the CI cross-check validates them with the jsonschema package too).
    @Test func reportsMatchTheSchema() throws {
        let schema = try JSONSchema(Data(contentsOf: Fixtures.root.appendingPathComponent("Documentation/schema/check.schema.json")))
        let runs: [[String]] = [
            ["--keylog", "Fixtures/captures/synth/out-of-order.keys", "Fixtures/captures/synth/out-of-order.pcap"],
            [
                "--keylog", "Fixtures/captures/synth/tcp-anomalies.keys", "Fixtures/captures/synth/tcp-anomalies.pcap",
                "Fixtures/logs/channel-life/alice-cln.log", "Fixtures/hex/channel-life.hex",
            ],
            [
                "--keylog", "Fixtures/captures/synth/out-of-order.keys", "Fixtures/captures/synth/out-of-order.pcap",
                "Fixtures/captures/hazards/lnd-8393.bob-lnd.log",
            ],
        ]
        for arguments in runs {
            let document = try LNTraceBinary.run(["check", "--format", "json"] + arguments)
            let parsed = try JSONSerialization.jsonObject(with: Data(document.stdout.utf8))
            #expect(schema.errors(parsed).isEmpty, "\(schema.errors(parsed).prefix(5))")
            let lines = try LNTraceBinary.run(["check", "--format", "jsonl", "--messages"] + arguments)
            var kinds = Set<String>()
            for line in lines.stdout.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                #expect(
                    schema.errors(object, at: "#/$defs/line").isEmpty, "\(line.prefix(120)): \(schema.errors(object, at: "#/$defs/line").prefix(3))")
                kinds.insert((object as? [String: Any])?["kind"] as? String ?? "")
            }
            #expect(kinds.isSuperset(of: ["message", "input", "summary"]))
            #expect(kinds.contains("finding"))
            // The summary comes last.
            #expect(lines.stdout.split(separator: "\n").last?.contains("\"kind\":\"summary\"") == true)
        }
        // An lnd log gets lnd's dispatch profile by default: its hazard is reported and validates.
        let hazard = try LNTraceBinary.run(["check", "--format", "jsonl", "Fixtures/captures/hazards/lnd-8393.bob-lnd.log"])
        let hazardLine = try #require(hazard.stdout.split(separator: "\n").first { $0.contains("\"kind\":\"hazard\"") })
        #expect(hazardLine.contains("\"hazard\":\"lnd-8393\""))
        #expect(schema.errors(try JSONSerialization.jsonObject(with: Data(hazardLine.utf8)), at: "#/$defs/line").isEmpty)
        // A broken document does not validate.
        #expect(!schema.errors(["schema_version": 2]).isEmpty)
    }

    @Test func rulesSkipAndFailOnSelect() throws {
        let (pcap, keys) = try Self.synthesize("sd-no-pending-updates")
        let skipped = try LNTraceBinary.run(["check", "--skip", "sd-no-pending-updates", "--keylog", keys, pcap])
        #expect(skipped.status == 0, "\(skipped.stdout)")
        let only = try LNTraceBinary.run(["check", "--rules", "commit-,raa-*", "--format", "jsonl", "--keylog", keys, pcap])
        #expect(only.status == 0)
        let summary = try JSONValue.lines(only.stdout).last
        #expect(summary?["kind"]?.string == "summary")
        // commit-has-updates, -one-outstanding, -num-htlcs, -sig-valid, -funding-txid, -ack, raa-solicited,
        // -single-per-batch, -secret, -shachain, -next-point
        #expect(summary?["rules"]?.int64 == 11)
        let bogus = try LNTraceBinary.run(["check", "--rules", "no-such-rule", pcap])
        #expect(bogus.status != 0 && bogus.status != 1)
        #expect(bogus.stderr.contains("no rule matches 'no-such-rule'"))
    }

    /// Exit status: 0 nothing at or above --fail-on (default error), 1 findings at or
    /// above it, 2 input not read completely.
    @Test func exitStatusFollowsFailOn() throws {
        let (warnings, warningKeys) = try Self.synthesize("conn-ping-zeros")
        let byDefault = try LNTraceBinary.run(["check", "--keylog", warningKeys, warnings])
        #expect(byDefault.status == 0)
        #expect(byDefault.stdout.contains("warning: conn-ping-zeros"))
        let failOnWarning = try LNTraceBinary.run(["check", "--fail-on", "warning", "--keylog", warningKeys, warnings])
        #expect(failOnWarning.status == 1)
        let (errors, errorKeys) = try Self.synthesize("commit-one-outstanding")
        #expect(try LNTraceBinary.run(["check", "--keylog", errorKeys, errors]).status == 1)
        // A truncated capture: findings or not, the input was not read completely.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: errors))
        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-check-\(getpid())-truncated.pcap")
        try bytes.prefix(bytes.count - 30).write(to: truncated)
        #expect(try LNTraceBinary.run(["check", "--keylog", errorKeys, truncated.path]).status == 2)
        let help = try LNTraceBinary.run(["check", "--help"])
        #expect(help.stdout.contains("0  no finding at or above --fail-on (default: error)"))
    }

    /// A finding appears on standard output while the input is still being written.
    @Test func jsonLinesFindingsStreamWhileTheInputGrows() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-stream-\(getpid())").path
        let synth = try LNTraceBinary.run([
            "synth", "Fixtures/rules/sd-no-pending-updates.scenario", "-o", base + ".pcap",
            "--keylog", base + ".keys", "--log", "alice=lnd:\(base).log",
        ])
        #expect(synth.status == 0)
        let log = try String(contentsOfFile: base + ".log", encoding: .utf8)
        let process = Process()
        guard let binary = LNTraceBinary.url else { throw FixtureError.missing("lntrace executable") }
        process.executableURL = binary
        process.arguments = ["check", "--format", "jsonl", "-"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(log.utf8))
        // Read until the finding arrives, with the input still open.
        var received = ""
        let deadline = Date().addingTimeInterval(20)
        while !received.contains("\"kind\":\"finding\"") && Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received += String(decoding: chunk, as: UTF8.self)
        }
        #expect(process.isRunning)
        #expect(received.contains("\"rule\":\"sd-no-pending-updates\""))
        try input.fileHandleForWriting.close()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(String(decoding: rest, as: UTF8.self).contains("\"kind\":\"summary\""))
        #expect(process.terminationStatus == 1)
    }

    @Test func logOnStandardInputAndUnreadableInputs() throws {
        let log = try Fixtures.data("logs/channel-life/bob-lnd.log")
        let piped = try LNTraceBinary.run(["check", "--format", "jsonl", "-"], stdin: log)
        #expect(piped.status == 0, "\(piped.stderr)")
        let channel = try JSONValue.lines(piped.stdout).first { $0["kind"]?.string == "input" }?["channels"]?[0]
        #expect(channel?["parties"]?.array?.count == 2)
        // A log summary lacks the fields some rules need: they are listed as not evaluated, with why.
        let notEvaluated = channel?["rules_not_evaluated"]?.array ?? []
        #expect(notEvaluated.contains { $0["rule"]?.string == "v1-points-valid" && ($0["reason"]?.string ?? "").contains("does not give") })

        let missing = try LNTraceBinary.run(["check", "Fixtures/no-such-file.pcap"])
        #expect(missing.status == 2)
    }
}

/// Root causes first, as a user sees them: JSON ids and `follows`, the text report's
/// follow-ons under their root, and the summary's counts (Fixtures/captures/pyln-cascade).
@Suite(.serialized)
struct RootCauseReportTests {
    static let capture = ["--keylog", "Fixtures/captures/pyln-cascade/keys.log", "Fixtures/captures/pyln-cascade/cascade.pcapng"]

    @Test func jsonGivesEveryFindingAnIdAndEachFollowOnItsRoot() throws {
        let result = try LNTraceBinary.run(["check", "--format", "json"] + Self.capture)
        #expect(result.status == 1)
        let document = try JSONValue.parse(result.stdout)
        let findings = document["findings"]?.array ?? []
        #expect(findings.count == 11)
        let ids = findings.compactMap { $0["id"]?.uint64 }
        #expect(ids == Array(1...11).map(UInt64.init))
        let roots = findings.filter { $0["follows"] == nil }
        #expect(roots.count == 9)
        for follow in findings where follow["follows"] != nil {
            let root = try #require(findings.first { $0["id"]?.uint64 == follow["follows"]?.uint64 })
            #expect(root["frames"]?.array?.first?.uint64 == follow["frames"]?.array?.first?.uint64)
        }
        // Rules that compare numbers say what the value was and should have been.
        let skipped = try #require(findings.first { $0["rule"]?.string == "add-id-increment" })
        #expect(skipped["compared"]?.string == "id")
        #expect(skipped["actual"]?.uint64 == 8 && skipped["expected"]?.uint64 == 7)
        let trimmed = try #require(findings.first { $0["rule"]?.string == "commit-num-htlcs" })
        #expect(trimmed["compared"]?.string == "num_htlcs")
        #expect(trimmed["actual"]?.uint64 == 1 && trimmed["expected"]?.uint64 == 0)
        #expect(trimmed["actual"]?.uint64 == trimmed["fields"]?["num_htlcs"]?.uint64)
        #expect(findings.first { $0["rule"]?.string == "fulfill-preimage" }?["actual"] == nil, "no number compared")
        #expect(document["summary"]?["roots"]?.uint64 == 9)
        #expect(document["summary"]?["follow_ons"]?.uint64 == 2)
    }

    @Test func textPrintsFollowOnsUnderTheirRootAndCountsBoth() throws {
        let result = try LNTraceBinary.run(["check"] + Self.capture, environment: ["COLUMNS": "1000"])
        let lines = result.stdout.components(separatedBy: "\n")
        let root = try #require(lines.firstIndex { $0.contains("frame 311: error: commit-num-htlcs: num_htlcs is 1") })
        // The root's context, section and diagram command, then its follow-on in one line.
        #expect(lines[root].hasSuffix("[#9]"))
        #expect(lines[root + 7].hasPrefix("          drawn by: lntrace diagram "))
        #expect(lines[root + 8].hasPrefix("        ↳ frame 311: error: commit-sig-valid:") && lines[root + 8].hasSuffix("[#10]"))
        #expect(lines.contains("  findings: 11 errors, 0 warnings: 9 root causes, 2 follow-ons"))
        let row = try #require(lines.first { $0.hasPrefix("    commit-sig-valid ") })
        #expect(row.split(separator: " ") == ["commit-sig-valid", "0", "1", "error"])
    }

    @Test func followOnsAloneDoNotFail() throws {
        // Every root made a warning: only follow-ons remain errors, and the exit status is 0.
        let roots = [
            "add-id-increment", "raa-solicited", "rm-id-known", "fee-funder-only", "fulfill-preimage",
            "commit-one-outstanding", "raa-secret", "commit-num-htlcs", "re-wait-peer",
        ]
        let result = try LNTraceBinary.run(["check", "--format", "jsonl"] + roots.flatMap { ["--severity", "\($0)=warning"] } + Self.capture)
        let errors = try JSONValue.lines(result.stdout).filter { $0["kind"]?.string == "finding" && $0["severity"]?.string == "error" }
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { $0["follows"] != nil })
        #expect(result.status == 0)
    }
}
