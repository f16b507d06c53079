import Foundation
import TestSupport
import Testing

/// `check` for CI systems and linters: SARIF, GitHub workflow commands, one line per
/// finding, a baseline of accepted findings, severities per rule, rule globs.
@Suite(.serialized)
struct LintFormatTests {
    static let capture = ["--keylog", "Fixtures/captures/synth/out-of-order.keys", "Fixtures/captures/synth/out-of-order.pcap"]

    @Test func shortPrintsOneLinePerFinding() throws {
        let result = try LNTraceBinary.run(["check", "--format", "short"] + Self.capture)
        #expect(result.status == 1)
        #expect(
            result.stdout.split(separator: "\n") == [
                "Fixtures/captures/synth/out-of-order.pcap:54: error: rm-after-irrevocable: HTLC 1 is not irrevocably committed: the responder has not signed a commitment with it",
                "Fixtures/captures/synth/out-of-order.pcap:67: error: sd-no-pending-updates: 1 update of the initiator is not yet covered by its commitment_signed",
            ])
    }

    @Test func githubWritesWorkflowCommands() throws {
        let result = try LNTraceBinary.run(["check", "--format", "github"] + Self.capture)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(
            lines.first?.hasPrefix(
                "::error file=Fixtures/captures/synth/out-of-order.pcap,title=rm-after-irrevocable::HTLC 1 is not irrevocably committed") == true)
        #expect(lines.first?.hasSuffix("(frame 54)") == true)
        // A log's finding has its line; a hazard is a warning.
        let hazard = try LNTraceBinary.run(["check", "--format", "github", "Fixtures/captures/hazards/lnd-8393.bob-lnd.log"])
        #expect(hazard.stdout.hasPrefix("::warning file=Fixtures/captures/hazards/lnd-8393.bob-lnd.log,line=21,title=hazard lnd-8393::"))
    }

    @Test func sarifIsOneRunWithRulesAndResults() throws {
        let result = try LNTraceBinary.run(["check", "--format", "sarif"] + Self.capture)
        let document = try JSONValue.parse(result.stdout)
        #expect(document["version"]?.string == "2.1.0")
        let run = try #require(document["runs"]?.array?.first)
        #expect(run["tool"]?["driver"]?["name"]?.string == "lntrace")
        let rules = run["tool"]?["driver"]?["rules"]?.array ?? []
        // Every rule of the catalog, as `lntrace rules` lists them.
        let listed = try JSONValue.lines(LNTraceBinary.run(["rules", "--format", "jsonl"]).stdout)
        #expect(rules.count == listed.count && rules.count > 100)
        #expect(rules.allSatisfy { $0["id"]?.string != nil && $0["fullDescription"]?["text"]?.string != nil })
        let results = run["results"]?.array ?? []
        #expect(results.compactMap { $0["ruleId"]?.string } == ["rm-after-irrevocable", "sd-no-pending-updates"])
        #expect(results.first?["level"]?.string == "error")
        #expect(
            results.first?["locations"]?.array?.first?["physicalLocation"]?["artifactLocation"]?["uri"]?.string
                == "Fixtures/captures/synth/out-of-order.pcap")
        #expect(results.first?["properties"]?["frames"]?.array?.compactMap(\.uint64) == [54])
        #expect(run["invocations"]?.array?.first?["executionSuccessful"] == .bool(true))
    }

    @Test func aBaselineHidesAcceptedFindings() throws {
        let json = try LNTraceBinary.run(["check", "--format", "json", "--rules", "rm-"] + Self.capture)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-baseline-\(UUID().uuidString).json")
        try Data(json.stdout.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try LNTraceBinary.run(["check", "--format", "short", "--baseline", url.path] + Self.capture)
        #expect(result.stdout.split(separator: "\n").map { $0.split(separator: " ")[2] } == ["sd-no-pending-updates:"])
        #expect(try LNTraceBinary.run(["check", "--baseline", "/nonexistent"] + Self.capture).status == 2)
    }

    @Test func severitiesCanBeOverriddenPerRule() throws {
        let result = try LNTraceBinary.run(["check", "--format", "short", "--severity", "sd-*=warning,RM-AFTER-IRREVOCABLE=warning"] + Self.capture)
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").allSatisfy { $0.contains(": warning: ") })
        #expect(try LNTraceBinary.run(["check", "--severity", "sd-once=fatal"] + Self.capture).status == 2)
    }

    /// A JSON finding carries the offending message's fields, and its reason cites nothing
    /// outside the repository.
    @Test func jsonFindingsCarryTheMessagesFields() throws {
        let result = try LNTraceBinary.run(["check", "--format", "json"] + Self.capture)
        let finding = try #require(try JSONValue.parse(result.stdout)["findings"]?.array?.first)
        #expect(finding["type"]?.string == "update_fulfill_htlc")
        #expect(finding["fields"]?["id"]?.uint64 == 1)
        #expect(finding["fields"]?["payment_preimage"]?.string?.count == 64)
        #expect(finding["reason"]?.string == "HTLC 1 is not irrevocably committed: the responder has not signed a commitment with it")
    }

    @Test(arguments: [("v1-*-sig", 2), ("COMMIT-*", 6), ("*-solicited", 2)])
    func ruleGlobsSelectRules(_ pattern: String, _ count: Int) throws {
        let result = try LNTraceBinary.run(["rules", "--format", "json"])
        let all = try JSONValue.parse(result.stdout)["rules"]?.array?.compactMap { $0["id"]?.string } ?? []
        let check = try LNTraceBinary.run(["check", "--rules", pattern, "--format", "json"] + Self.capture)
        let document = try JSONValue.parse(check.stdout)
        #expect(document["summary"]?["rules"]?.uint64 == UInt64(count), "\(pattern) in \(all.count) rules")
    }
}

/// `--tz` for logs in local time, and `--local` naming a capture's endpoint.
struct TimeAndVantageTests {
    static func firstTime(_ arguments: [String], _ log: String) throws -> String? {
        let lines = String(decoding: try Fixtures.data(log), as: UTF8.self).split(separator: "\n").prefix(3).joined(separator: "\n") + "\n"
        let result = try LNTraceBinary.run(["dump", "--format", "jsonl"] + arguments + ["-"], stdin: Data(lines.utf8))
        return try JSONValue.lines(result.stdout).first { $0["kind"]?.string == "message" }?["time"]?.string
    }

    @Test func localTimesMoveToUTCButStatedZonesWin() throws {
        // lnd writes local time without a zone: 09:30 in Zurich in January is 08:30 UTC.
        #expect(try Self.firstTime(["--tz", "Europe/Zurich"], "logs/channel-life/alice-lnd.log") == "2024-01-18T08:30:00.000000000Z")
        #expect(try Self.firstTime(["--tz", "+05:30"], "logs/channel-life/alice-lnd.log") == "2024-01-18T04:00:00.000000000Z")
        #expect(try Self.firstTime([], "logs/channel-life/alice-lnd.log") == "2024-01-18T09:30:00.000000000Z")
        // Core Lightning writes UTC with a Z: --tz does not move it.
        #expect(try Self.firstTime(["--tz", "Europe/Zurich"], "logs/channel-life/alice-cln.log") == "2024-01-18T09:30:00.000000000Z")
        #expect(try LNTraceBinary.run(["dump", "--tz", "Mars/Olympus", "-"]).status == 2)
    }

    @Test func localMustNameAnEndpointOfTheCapture() throws {
        let capture = LintFormatTests.capture
        let wrong = try LNTraceBinary.run(["check", "--local", "10.0.0.9"] + capture)
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("--local 10.0.0.9 is no endpoint of the capture's Lightning connections (10.0.0.1:49152, 10.0.0.2:9735)"))
        #expect(try LNTraceBinary.run(["check", "--local", "10.0.0.1"] + capture).status == 1)
        #expect(try LNTraceBinary.run(["check", "--local", "10.0.0.2:9735"] + capture).status == 1)
    }
}

/// A capture held only in part: a direction that does not decrypt makes its connection's
/// rules not evaluated (no flood of findings from half an exchange), and the key problem is
/// in the report, under the connection.
@Suite(.serialized)
struct PartialConnectionTests {
    @Test func aWrongKeyForOneDirectionGivesNoFindingsAndSaysWhy() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-partial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The channel life, with a key-log line per direction and epoch.
        let scenario = "keylog mac\n" + String(decoding: try Fixtures.data("scenarios/channel-life.scenario"), as: UTF8.self)
        let scenarioPath = directory.appendingPathComponent("life.scenario").path
        try scenario.write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let capture = directory.appendingPathComponent("life.pcap").path, keys = directory.appendingPathComponent("life.keys").path
        #expect(try LNTraceBinary.run(["synth", scenarioPath, "-o", capture, "--keylog", keys]).status == 0)
        // The responder's key replaced by a wrong one.
        var seen = 0
        let wrong = try String(contentsOfFile: keys, encoding: .utf8).split(separator: "\n").map { line -> String in
            guard !line.hasPrefix("#") else { return String(line) }
            seen += 1
            return seen == 2 ? "\(line.split(separator: " ")[0]) \(String(repeating: "ab", count: 32))" : String(line)
        }.joined(separator: "\n")
        let wrongKeys = directory.appendingPathComponent("wrong.keys").path
        try wrong.write(toFile: wrongKeys, atomically: true, encoding: .utf8)

        let result = try LNTraceBinary.run(["check", "--keylog", wrongKeys, capture])
        #expect(result.status == 2)
        #expect(result.stdout.contains("findings: 0 errors, 0 warnings"), "\(result.stdout)")
        #expect(result.stdout.contains(": partial"))
        #expect(result.stdout.contains("the key for this connection does not decrypt the traffic from the responder (wrong key?)"))
        #expect(result.stderr.contains("[bolt8.wrong-key]"))
        #expect(!result.stdout.contains(String(repeating: "ab", count: 32)) && !result.stderr.contains(String(repeating: "ab", count: 32)))
        // With the right keys: nothing to report.
        #expect(try LNTraceBinary.run(["check", "--keylog", keys, capture]).status == 0)
    }

    /// A connection without a key, next to one that decrypts: a warning, unless --require-keys.
    @Test func aConnectionWithoutAKeyIsAWarningWhenOthersDecrypt() throws {
        let keyLog = try String(contentsOf: Fixtures.url("captures/pyln-loopback/keys-ephemeral.log"), encoding: .utf8)
        let lines = keyLog.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let arguments = ["dump", "--format", "jsonl", "--key", String(lines[0]), "Fixtures/captures/pyln-loopback/loopback.pcapng"]
        let partial = try LNTraceBinary.run(arguments)
        let records = try JSONValue.lines(partial.stdout)
        let noKey = records.filter { $0["code"]?.string == "bolt8.no-key" }
        #expect(noKey.count == 2)
        #expect(noKey.allSatisfy { $0["severity"]?.string == "warning" })
        #expect(partial.status == 0)
        let strict = try LNTraceBinary.run(["dump", "--require-keys"] + arguments.dropFirst())
        #expect(strict.status == 2)
    }
}

/// One channel, one identity: the opening under its temporary id is the same channel.
struct ChannelIdentityTests {
    @Test func statsGivesOneChannelAndFindingsCarryBothIds() throws {
        let stats = try LNTraceBinary.run(["stats", "--format", "json"] + LintFormatTests.capture)
        let connection = try #require(try JSONValue.parse(stats.stdout)["connections"]?.array?.first)
        let channels = connection["channels"]?.array ?? []
        #expect(channels.count == 1, "\(channels.compactMap { $0["channel"]?.string })")
        let check = try LNTraceBinary.run(["check", "--format", "json"] + LintFormatTests.capture)
        let finding = try #require(try JSONValue.parse(check.stdout)["findings"]?.array?.first)
        #expect(finding["channel"]?.string == "cd4fdd46c88dc5339024e7b43e66bfd2d9313b261ec9cc5af9f649a472264d57")
        #expect(finding["temporary_channel_id"]?.string == "b615af299910cc168e072f546f939bfcde0ecd3e15122af7c4f0903db95d9f18")
    }
}
