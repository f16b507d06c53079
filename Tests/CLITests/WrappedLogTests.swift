import Foundation
import TestSupport
import Testing

/// Logs as operators pipe them into lntrace (`journalctl -u lnd | lntrace check -`): the same
/// findings and hazards as the bare log, with the format detected; and inputs that yield
/// nothing are errors that say why.
@Suite(.serialized)
struct WrappedLogTests {
    static let log = "Fixtures/captures/hazards/lnd-8393.bob-lnd.log"

    /// What `check --format jsonl` found: each finding's and hazard's kind, rule and line.
    static func verdicts(_ stdout: String) throws -> [String] {
        try JSONValue.lines(stdout).compactMap { record -> String? in
            switch record["kind"]?.string {
            case "finding": "finding \(record["rule"]?.string ?? "") line \(record["line"]?.uint64 ?? 0)"
            case "hazard": "hazard \(record["hazard"]?.string ?? record["id"]?.string ?? "") line \(record["second"]?["line"]?.uint64 ?? 0)"
            default: nil
            }
        }
    }

    static let wrappers: [(String, @Sendable (Int) -> String)] = [
        ("journalctl -u lnd", { n in "Dec 06 12:00:\(10 + n % 40) umbrel lnd[1234]: " }),
        ("docker compose logs", { _ in "lnd-1  | " }),
        ("kubectl logs (CRI file)", { n in "2026-12-06T12:00:00.\(100_000_000 + n)Z stdout F " }),
        ("GitHub Actions log", { n in "2026-12-06T12:00:00.\(1_000_000 + n)Z " }),
        ("syslog", { n in "<30>Dec  6 12:00:\(10 + n % 40) umbrel lnd[1234]: " }),
    ]

    @Test(arguments: WrappedLogTests.wrappers.map(\.0))
    func aWrappedLogGivesTheSameFindingsAsTheBareLog(_ name: String) throws {
        let wrap = try #require(Self.wrappers.first { $0.0 == name }?.1)
        let bare = try LNTraceBinary.run(["check", "--format", "jsonl", Self.log])
        let text = String(decoding: try Fixtures.data("captures/hazards/lnd-8393.bob-lnd.log"), as: UTF8.self)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let wrapped = lines.enumerated().map { wrap($0.offset + 1) + $0.element }.joined(separator: "\n") + "\n"
        let piped = try LNTraceBinary.run(["check", "--format", "jsonl", "-"], stdin: Data(wrapped.utf8))
        #expect(piped.status == bare.status)
        let want = try Self.verdicts(bare.stdout)
        #expect(!want.isEmpty)
        #expect(try Self.verdicts(piped.stdout) == want, "\(name)")
        // The text report names what it read.
        let report = try LNTraceBinary.run(["check", "-"], stdin: Data(wrapped.utf8))
        #expect(report.stdout.contains("lnd log ("), "\(report.stdout.prefix(200))")
    }

    @Test func anInputWithNothingRecognisedIsAnErrorThatSaysWhatWasTried() throws {
        let result = try LNTraceBinary.run(["check", "-"], stdin: Data("hello\nworld\n".utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("none of its 2 lines is a capture, a node log (lnd, Core Lightning, eclair, LDK) or a hex dump"))
        #expect(result.stderr.contains("--input-format"))
        #expect(result.stderr.contains("[input.unrecognized]"))
        #expect(!result.stdout.contains("no findings"))
        #expect(result.stdout.contains("not read completely"))
    }

    @Test func anEmptyInputIsAnError() throws {
        let result = try LNTraceBinary.run(["dump", "-"], stdin: Data())
        #expect(result.status == 2)
        #expect(result.stderr.contains("the input is empty"))
    }

    /// lnd at its default level logs no wire message: say which setting makes it.
    @Test(arguments: [
        (
            "2024-05-01 15:54:18.364 [INF] LTND: Version: 0.17.0-beta\n2024-05-01 15:54:18.364 [INF] PEER: Peer(02aa): loading\n",
            "debuglevel=info,PEER=debug"
        ),
        ("2024-01-18T09:30:00.000Z INFO    lightningd: Server started with public key 02aa\n", "log-level=debug"),
        ("2024-02-12 13:54:53.353 INFO  [lightning::ln::channelmanager:100] Started\n", "Trace"),
    ])
    func aLogWithoutWireMessagesNamesTheSettingThatLogsThem(_ text: String, _ setting: String) throws {
        let result = try LNTraceBinary.run(["check", "--format", "json", "-"], stdin: Data(text.utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("without a single wire message"))
        #expect(result.stderr.contains(setting))
        let document = try JSONValue.parse(result.stdout)
        #expect(document["diagnostics"]?.array?.first?["code"]?.string == "input.no-messages")
    }

    /// The error comes before the summary in a merged stream, and the input's section says it
    /// was not read instead of "no findings".
    @Test func inputErrorsComeBeforeTheSummary() throws {
        let result = try LNTraceBinary.run(["check", "/dev/null", "Fixtures/logs/channel-life/alice-lnd.log"])
        #expect(result.status == 2)
        let lines = result.stdout.components(separatedBy: "\n")
        let failed = try #require(lines.firstIndex { $0.contains("not read completely: the input is empty") })
        let summary = try #require(lines.firstIndex { $0.hasPrefix("Summary") })
        #expect(failed < summary)
        #expect(lines.contains { $0.hasPrefix("Fixtures/logs/channel-life/alice-lnd.log  lnd log") })
    }

    /// Two nodes in one `docker compose logs` stream: two sources, each checked as its own node.
    @Test func aComposeStreamOfTwoNodesIsTwoSources() throws {
        let alice = String(decoding: try Fixtures.data("logs/channel-life/alice-lnd.log"), as: UTF8.self).split(separator: "\n")
        let bob = String(decoding: try Fixtures.data("logs/channel-life/bob-lnd.log"), as: UTF8.self).split(separator: "\n")
        var text = ""
        for index in 0..<max(alice.count, bob.count) {
            if index < alice.count { text += "alice-1  | \(alice[index])\n" }
            if index < bob.count { text += "bob-1    | \(bob[index])\n" }
        }
        let result = try LNTraceBinary.run(["check", "--format", "json", "-"], stdin: Data(text.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let document = try JSONValue.parse(result.stdout)
        let sources = document["inputs"]?.array?.first?["logs"]?.array?.first?["sources"]?.array ?? []
        #expect(sources.compactMap { $0["name"]?.string } == ["alice-1", "bob-1"])
        #expect(sources.compactMap { $0["format"]?.string } == ["lnd", "lnd"])
        #expect(document["summary"]?["findings"]?.uint64 == 0)
    }
}

/// What the README promises about exit status and the summary.
struct PromiseTests {
    @Test(arguments: [["check", "--bogus"], ["dump", "--input-format", "nope", "-"], ["check", "--fail-on", "never", "x"]])
    func usageErrorsExitWithTwo(_ arguments: [String]) throws {
        let result = try LNTraceBinary.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Error:") || result.stderr.contains("error"))
        // The parser's message is several lines, printed as lines, not as escapes.
        #expect(result.stderr.contains("Usage:"))
        #expect(!result.stderr.contains("\\x0a"))
    }

    /// `rules --all` lists the rules, then the requirements that are not rules, by status.
    @Test func rulesAllListsTheWholeCatalog() throws {
        let result = try LNTraceBinary.run(["rules", "--all", "--format", "jsonl"])
        #expect(result.status == 0)
        let records = try JSONValue.lines(result.stdout)
        let statuses = records.compactMap { $0["status"]?.string }
        #expect(statuses.filter { $0 == "checked" }.count == records.filter { $0["kind"]?.string == "rule" }.count)
        for status in ["not_checkable", "judged_by"] { #expect(statuses.contains(status), "\(status)") }
        #expect(Set(statuses).isSubset(of: ["checked", "not_checkable", "judged_by", "planned"]))
        #expect(records.contains { $0["id"]?.string == "htlc-timeout-fail" && $0["reason"]?.string?.contains("block height") == true })
        let plain = try LNTraceBinary.run(["rules", "--format", "jsonl"])
        #expect(try JSONValue.lines(plain.stdout).allSatisfy { $0["kind"]?.string == "rule" })
    }

    /// `-j2` as make takes it, `-j 2` and `--jobs 2` mean the same.
    @Test func jobsTakeAJoinedValue() throws {
        let dir = "Fixtures/captures/pyln-channels"
        let outputs = try [["-j2"], ["-j", "2"], ["--jobs", "2"]].map {
            try LNTraceBinary.run(["stats"] + $0 + ["--keylog", "\(dir)/keys.log", "\(dir)/channels.pcap"])
        }
        for output in outputs { #expect(output.status == 0, "\(output.stderr)") }
        #expect(Set(outputs.map(\.stdout)).count == 1)
    }

    @Test func theSummaryCountsTheInputErrorsItPrinted() throws {
        let result = try LNTraceBinary.run(["check", "/nonexistent/trace.pcap"])
        #expect(result.status == 2)
        #expect(result.stdout.contains("diagnostics: 1 (1 error) on standard error"))
        #expect(result.stderr.contains("/nonexistent/trace.pcap"))
    }
}

/// A rule that fires on every message prints its first findings, then a count; the summary
/// counts findings per rule; JSON keeps them all.
struct FloodTests {
    /// A Core Lightning io log: a reconnection (so the connection's start is in the log), then
    /// ten pongs of the wrong length.
    static var log: Data {
        let id = String(repeating: "02", count: 33)
        var lines: [String] = []
        func line(_ direction: String, _ hex: String) { lines.append("2024-01-01T00:00:00.000Z \(id)-connectd: [\(direction)] \(hex)") }
        for _ in 0..<2 {
            line("OUT", "001000000000")
            line("IN", "001000000000")
        }
        for _ in 0..<10 {
            line("OUT", "001200040000")
            line("IN", "00130008" + String(repeating: "00", count: 8))
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    @Test func aRuleFiringOnEveryMessagePrintsThreeThenACount() throws {
        let result = try LNTraceBinary.run(["check", "-"], stdin: Self.log, environment: ["COLUMNS": "1000"])
        #expect(result.status == 1)
        let headings = result.stdout.components(separatedBy: "\n").filter { $0.contains(": error: conn-ping-pong:") }
        #expect(headings.count == 3)
        #expect(result.stdout.contains("conn-ping-pong: 7 more, first at -:"))
        // One fault that persists: the first pong is the root, the nine after follow it.
        let row = result.stdout.components(separatedBy: "\n").first { $0.hasPrefix("    conn-ping-pong ") }
        #expect(row?.split(separator: " ") == ["conn-ping-pong", "1", "9", "error"])
        #expect(result.stdout.contains("findings: 10 errors, 10 warnings: 1 root cause, 19 follow-ons"))
        // Printed as found: the follow-ons go under their root in one line each.
        #expect(
            result.stdout.contains(
                "\n    ↳ -:6: warning: conn-pong-unsolicited: pong of 8 bytes matches no outstanding ping (they asked for 4) [#2]\n"))
        #expect(!result.stdout.contains("no findings"))
    }

    /// A flood: 10,000 wrong pongs (20,000 findings with their unsolicited-pong warnings) print
    /// in a few dozen lines, with the per-rule table; JSON keeps every finding.
    @Test func aFloodPrintsUnderFiveThousandLines() throws {
        let id = String(repeating: "02", count: 33)
        var text = ""
        for _ in 0..<2 {
            text += "2024-01-01T00:00:00.000Z \(id)-connectd: [OUT] 001000000000\n2024-01-01T00:00:00.000Z \(id)-connectd: [IN] 001000000000\n"
        }
        let pair =
            "2024-01-01T00:00:00.000Z \(id)-connectd: [OUT] 001200040000\n2024-01-01T00:00:00.000Z \(id)-connectd: [IN] 00130008"
            + String(repeating: "00", count: 8) + "\n"
        text += String(repeating: pair, count: 10_000)
        let result = try LNTraceBinary.run(["check", "-"], stdin: Data(text.utf8))
        #expect(result.status == 1)
        let lines = result.stdout.components(separatedBy: "\n")
        #expect(lines.count < 5_000, "\(lines.count) lines")
        #expect(result.stdout.contains("conn-ping-pong: 9,997 more"))
        #expect(lines.contains { $0.split(separator: " ") == ["conn-ping-pong", "1", "9,999", "error"] })
        let json = try LNTraceBinary.run(["check", "--format", "jsonl", "-"], stdin: Data(text.utf8))
        #expect(json.stdout.components(separatedBy: "\n").filter { $0.contains("\"kind\":\"finding\"") }.count == 20_000)
    }

    @Test func allAndMaxPerRuleSetTheCutOff() throws {
        let all = try LNTraceBinary.run(["check", "--all", "-"], stdin: Self.log)
        #expect(all.stdout.components(separatedBy: "\n").filter { $0.contains(": error: conn-ping-pong:") }.count == 10)
        #expect(!all.stdout.contains("more, first at"))
        let five = try LNTraceBinary.run(["check", "--max-per-rule", "5", "-"], stdin: Self.log)
        #expect(five.stdout.components(separatedBy: "\n").filter { $0.contains(": error: conn-ping-pong:") }.count == 5)
        let json = try LNTraceBinary.run(["check", "--format", "json", "-"], stdin: Self.log)
        #expect(try JSONValue.parse(json.stdout)["findings"]?.array?.filter { $0["rule"]?.string == "conn-ping-pong" }.count == 10)
        #expect(try LNTraceBinary.run(["check", "--max-per-rule", "0", "-"], stdin: Self.log).status == 2)
    }
}
