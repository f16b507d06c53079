import Foundation
import Hazards
import Provenance
import Report
import Rules
import Session
import TestSupport
import Testing
import Trace

/// Reorder hazards: each known lnd failure reproduced as a scenario is found (in the
/// capture and in the receiving node's lnd log) with the right issue; the same traces under
/// the `strict` profile, and valid lives with well-separated messages, give none.
@Suite struct HazardTests {
    static let directory = Fixtures.url("hazards")
    static var scenarios: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".scenario") }.sorted()
    }

    /// The profile a scenario names on its first line (`# hazards: NAME`).
    static func profileName(_ file: String) throws -> String {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        let first = text.split(separator: "\n").first ?? ""
        return first.hasPrefix("# hazards: ") ? String(first.dropFirst("# hazards: ".count)) : "lnd"
    }

    /// Hazards of one input under `profile`, as `check --hazards` finds them: the profiled
    /// node is a log's writer, or every receiver of a capture.
    static func hazards(_ path: String, keys: String? = nil, profile: Profile) throws -> [Hazard] {
        let (keyLog, _) = KeyLogLoader.load(files: keys.map { [$0] } ?? [], lines: [])
        var session = CheckSession(inputs: [.path(path)], captureOptions: CaptureOptions(keyLog: keyLog))
        session.hazards = .profile(profile)
        let report = HazardCollector()
        _ = session.run(writer: report)
        if let failure = report.failures.first { throw InputFailure(diagnostic: failure) }
        return report.hazards
    }

    /// (kind, index of the earlier message) the scenario marks with `expect-hazard=`.
    static func expected(_ trace: Synthesized) -> Set<String> {
        Set(trace.messages.flatMap { m in (m["expect_hazard"] as? [String] ?? []).map { "\($0)@\(m["index"] as? Int ?? -1)" } })
    }

    /// The log style of the profiled node (bob) for a profile: Core Lightning's io lines (its
    /// name lines leave gossip out), else lnd's.
    static func logStyle(_ profile: String) -> String { profile.hasPrefix("cln") ? "bob=cln-io" : "bob=lnd" }

    @Test(arguments: scenarios)
    func knownFailuresAreFoundAndStrictFindsNone(_ file: String) throws {
        let name = try Self.profileName(file)
        let profile = try #require(BuiltinProfiles.profile(name))
        let style = Self.logStyle(name)
        let trace = try Synthesized(Self.directory.appendingPathComponent(file), logs: Array(Set([style, "bob=lnd", "alice=lnd"])))
        defer { trace.remove() }
        let expected = Self.expected(trace)
        let found = try Self.hazards(trace.capture, keys: trace.keys, profile: profile)
        #expect(
            Set(found.map { "\($0.kind)@\($0.first.index ?? -1)" }) == expected,
            "\(file): \(found.map { "\($0.kind) \($0.first.content.name)@\($0.first.index ?? -1) → \($0.second.content.name): \($0.outcome.map(\.rule.id))" })"
        )
        for hazard in found {
            let issues = hazard.known?.issues ?? []
            #expect(!issues.isEmpty, "\(file): \(hazard.kind) names no issue")
            #expect(hazard.outcome.allSatisfy { profile.failsOn($0.rule.id) })
        }
        // The receiving node's own log (bob received everything marked) shows the same kinds.
        let bob = try Self.hazards(trace.log(style), profile: profile)
        #expect(Set(bob.map(\.kind)) == Set(expected.map { String($0.split(separator: "@")[0]) }), "\(file)")
        // Under one in-order queue per channel nothing can be overtaken.
        let strict = try #require(BuiltinProfiles.profile("strict"))
        #expect(try Self.hazards(trace.capture, keys: trace.keys, profile: strict).isEmpty)
        #expect(try Self.hazards(trace.log(style), profile: strict).isEmpty)
    }

    /// Every built-in profile names its evidence (`lntrace profiles`): each scenario of
    /// Fixtures/hazards is a hazard scenario or a control for it, and replaying it shows a
    /// hazard at bob, who receives what the scenarios race, exactly when it should: in the
    /// capture and in his own log.
    @Test func everyProfileHasItsHazardScenariosAndControls() throws {
        let names = Self.scenarios.map { String($0.dropLast(".scenario".count)) }
        let styles = ["lnd": "bob=lnd", "cln": "bob=cln-io", "eclair": "bob=eclair", "ldk": "bob=ldk", "strict": "bob=lnd"]
        let traces = try Dictionary(
            uniqueKeysWithValues: names.map { name in
                (name, try Synthesized(Self.directory.appendingPathComponent("\(name).scenario"), logs: Array(Set(styles.values))))
            })
        defer { for trace in traces.values { trace.remove() } }
        // A scenario races valid messages: it breaks no rule.
        for (name, trace) in traces {
            let check = try LNTraceBinary.run(["check", "--format", "jsonl", "--keylog", trace.keys, trace.capture])
            let findings = try JSONValue.lines(check.stdout).filter { $0["kind"]?.string == "finding" }.compactMap { $0["rule"]?.string }
            #expect(findings.isEmpty, "\(name): \(findings)")
        }
        for profileName in BuiltinProfiles.texts.keys.sorted() {
            let profile = try #require(BuiltinProfiles.profile(profileName))
            let evidence = try #require(BuiltinProfiles.evidence[profileName], "\(profileName) names no evidence")
            #expect(Set(evidence.hazards + evidence.controls) == Set(names), "\(profileName)")
            #expect(Set(evidence.hazards).isDisjoint(with: evidence.controls))
            #expect(!evidence.controls.isEmpty)
            let style = try #require(styles[String(profileName.prefix { $0 != "-" })])
            for name in names {
                let trace = try #require(traces[name])
                let shows = evidence.hazards.contains(name)
                // bob's processing, as his own log shows it: what he received (alice initiates).
                let captured = try Self.hazards(trace.capture, keys: trace.keys, profile: profile).filter { $0.second.direction == .out }
                let logged = try Self.hazards(trace.log(style), profile: profile)
                #expect(captured.isEmpty != shows, "\(profileName) \(name): capture")
                #expect(logged.isEmpty != shows, "\(profileName) \(name): \(style)")
            }
        }
        let listing = try LNTraceBinary.run(["profiles"])
        #expect(listing.stdout.contains("hazard scenarios: cln-2094\n"))
    }

    @Test(arguments: ["lnd", "lnd-0.18", "lnd-0.17", "lnd-0.16", "cln-0.12"])
    func validLivesWithSeparatedMessagesHaveNoHazards(_ name: String) throws {
        let profile = try #require(BuiltinProfiles.profile(name))
        let trace = try Synthesized(Fixtures.url("rules/valid/channel-life-long.scenario"))
        defer { trace.remove() }
        let found = try Self.hazards(trace.capture, keys: trace.keys, profile: profile)
        #expect(found.isEmpty, "\(found.prefix(3).map { "\($0.kind) \($0.first.content.name) → \($0.second.content.name)" })")
    }

    @Test func profilesParseAndRejectNonsense() throws {
        for name in BuiltinProfiles.names { #expect(BuiltinProfiles.profile(name) != nil, "\(name)") }
        let lnd = try #require(BuiltinProfiles.profile("lnd"))
        #expect(lnd.queue(of: .shutdown) == "closer" && lnd.queue(of: .updateAddHTLC) == "link")
        #expect(lnd.known(first: .updateAddHTLC, second: .shutdown, outcome: ["sd-no-add"])?.id == "lnd-8393")
        #expect(throws: ProfileError.self) { try Profile(parsing: "profile x\nqueue a shutdown\nqueue b shutdown\n") }
        #expect(throws: ProfileError.self) { try Profile(parsing: "queue a shutdown\n") }
        #expect(throws: ProfileError.self) { try Profile(parsing: "profile x\nbogus 1\n") }
        let custom = try Profile(parsing: "# mine\nprofile mine\nqueue a update_add_htlc\nqueue b shutdown\nfails *\n")
        #expect(custom.failsOn("anything") && custom.known.isEmpty)
    }

    /// Every built-in profile names only message types the codec knows and rules of the
    /// catalog (a misspelt name would silently disable a hazard).
    @Test(arguments: BuiltinProfiles.texts.keys.sorted())
    func builtinProfilesAreValid(_ name: String) throws {
        let text = try #require(BuiltinProfiles.texts[name])
        #expect(throws: Never.self) { try Profile(parsing: text) }
    }

    /// An unknown message type or rule id is an error at its line of the file.
    @Test func misspeltNamesAreErrorsAtTheirLine() throws {
        let cases: [(text: String, line: Int, says: String)] = [
            ("profile x\nqueue a update_add_htcl\n", 2, "no message type 'update_add_htcl'"),
            ("profile x\nqueue a shutdown\nqueue b update_add_htlc\nfails sd-no-ad\n", 4, "no rule 'sd-no-ad'"),
            ("profile x\nqueue a shutdown\nknown k first=update_add_htlc second=shutdwn consequence=c\n", 3, "no message type 'shutdwn'"),
            ("profile x\nqueue a shutdown\nknown k first=shutdown second=shutdown outcome=nope consequence=c\n", 3, "no rule 'nope'"),
        ]
        for (text, line, says) in cases {
            do {
                _ = try Profile(parsing: text, file: "mine.profile")
                Issue.record("\(says): parsed")
            } catch {
                #expect(error.line == line && error.description.hasPrefix("mine.profile:\(line): \(says)"), "\(error)")
            }
        }
        #expect(throws: Never.self) { try Profile(parsing: "profile x\nqueue a shutdown\nfails * sd-no-add\n") }
    }

    /// lnd logs the failure a hazard causes: the line is connected to the hazard.
    @Test func theNodesFailureIsConnectedToItsHazard() throws {
        let trace = try Synthesized(Self.directory.appendingPathComponent("lnd-8393.scenario"), logs: ["bob=lnd"])
        defer { trace.remove() }
        // bob's link fails on the add right after the shutdown arrived (htlcswitch/link.go failf,
        // with the ChannelLink(<channel point>) prefix); the channel point prints the txid reversed.
        var lines = try String(contentsOfFile: trace.log("bob=lnd"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(
            String.init)
        let shutdown = try #require(lines.firstIndex { $0.contains("Received Shutdown") })
        let channel = try #require(lines[shutdown].split(separator: "chan_id=").last?.prefix(64))
        let point = [UInt8](hexString: String(channel))?.reversed().map { String(format: "%02x", $0) }.joined() ?? ""
        lines.insert(
            String(lines[shutdown].prefix(23)) + " [ERR] HSWC: ChannelLink(\(point):0): failing link: "
                + "received add while link is flushing with error: invalid update", at: shutdown + 1)
        let path = trace.directory.appendingPathComponent("bob-failed.log").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let result = try LNTraceBinary.run(["check", "--format", "jsonl", path])
        let records = try JSONValue.lines(result.stdout)
        let observation = try #require(records.first { $0["kind"]?.string == "observation" })
        #expect(observation["hazard"]?.string == "lnd-8393")
        #expect(observation["line"]?.int64 == Int64(shutdown + 2))
        #expect(result.stdout.contains("\"confirmed\":true"))
        let text = try LNTraceBinary.run(["check", path], environment: ["COLUMNS": "1000"])
        #expect(text.stdout.contains("observed: \(path):\(shutdown + 2): link-failure: received add while link is flushing"))
        // The log shows the failure happening: an error for the exit status (hazards alone are warnings).
        #expect(text.status == 1)
        #expect(try LNTraceBinary.run(["check", Fixtures.url("captures/hazards/lnd-8393.bob-lnd.log").path]).status == 0)
    }

    /// Core Lightning, eclair and LDK keep a channel's received messages in one queue (their
    /// dispatch code, Documentation/hazards.md): the races that fail lnd are no hazards there,
    /// in the capture or in the receiving node's own log.
    @Test(arguments: ["cln", "eclair", "ldk"])
    func otherImplementationsProcessAChannelInOrder(_ name: String) throws {
        let profile = try #require(BuiltinProfiles.profile(name))
        #expect(!profile.reordersChannels)
        #expect(profile.versions != nil, "a profile states the releases it describes")
        for file in Self.scenarios {
            let trace = try Synthesized(Self.directory.appendingPathComponent(file), logs: ["bob=\(name)"])
            defer { trace.remove() }
            #expect(try Self.hazards(trace.capture, keys: trace.keys, profile: profile).isEmpty, "\(file)")
            #expect(try Self.hazards(trace.log("bob=\(name)"), profile: profile).isEmpty, "\(file)")
        }
        for lnd in ["lnd-0.16", "lnd-0.17", "lnd-0.18", "lnd-0.19"] { #expect(BuiltinProfiles.profile(lnd)?.reordersChannels == true) }
        #expect(BuiltinProfiles.profile("strict")?.reordersChannels == false)
    }

    /// Without `--hazards`, a Core Lightning, eclair or LDK log is not analysed, and the
    /// report says why (once per implementation).
    @Test(arguments: ["cln", "eclair", "ldk"])
    func anotherImplementationsLogSaysItKeepsTheOrder(_ name: String) throws {
        let trace = try Synthesized(Self.directory.appendingPathComponent("lnd-8393.scenario"), logs: ["bob=\(name)"])
        defer { trace.remove() }
        let result = try LNTraceBinary.run(["check", "--format", "jsonl", trace.log("bob=\(name)")])
        let records = try JSONValue.lines(result.stdout)
        let hazards = records.filter { $0["kind"]?.string == "hazard" }
        #expect(hazards.count == 0)
        let notes = records.filter { $0["code"]?.string == "hazards.profile" }
        #expect(notes.count == 1)
        #expect(notes.first?["message"]?.string?.contains("the \(name) profile") == true, "\(notes.count)")
    }

    /// A Core Lightning log's start line names its release: before v24.02 the peer's first
    /// update may reach gossipd before its channel_ready reaches channeld (lightning#2094), a
    /// hazard; from v24.02 on, and without the line (the newest profile), none.
    @Test func aCoreLightningLogsReleasePicksItsProfile() throws {
        let trace = try Synthesized(Self.directory.appendingPathComponent("cln-2094.scenario"), logs: ["bob=cln-io"])
        defer { trace.remove() }
        let log = String(decoding: try Data(contentsOf: URL(fileURLWithPath: trace.log("bob=cln-io"))), as: UTF8.self)
        func check(_ release: String?) throws -> [JSONValue] {
            let start = release.map {
                "2024-04-02T09:59:59.000Z INFO    lightningd: Server started with public key 0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798, alias BOB (color #0279be) and lightningd \($0)\n"
            }
            let result = try LNTraceBinary.run(["check", "--format", "jsonl", "-"], stdin: Data(((start ?? "") + log).utf8))
            return try JSONValue.lines(result.stdout)
        }
        for old in ["v23.11.2", "v0.12.1"] {
            let records = try check(old)
            #expect(records.filter { $0["kind"]?.string == "hazard" }.compactMap { $0["hazard"]?.string } == ["cln-2094"], "\(old)")
            #expect(records.contains { $0["code"]?.string == "hazards.profile" && $0["message"]?.string?.contains("cln-0.12") == true })
        }
        for new in ["v24.02", "v25.09.1", nil] {
            let records = try check(new)
            let hazards = records.filter { $0["kind"]?.string == "hazard" }
            #expect(hazards.isEmpty, "\(new ?? "no start line")")
            #expect(records.contains { $0["code"]?.string == "hazards.profile" && $0["message"]?.string?.contains("v24.02 and later") == true })
        }
        // Before 2018 the line had no color (ElementsProject/lightning#761).
        let early = "2018-02-07T11:47:07.990Z lightningd(7498): Server started with public key 02aa, alias A and lightningd v0.5.2-2016-11-21\n"
        let old = try LNTraceBinary.run(["check", "--format", "jsonl", "-"], stdin: Data((early + log).utf8))
        let profiled = try JSONValue.lines(old.stdout).filter { $0["code"]?.string == "hazards.profile" }.compactMap { $0["message"]?.string }
        #expect(profiled.contains { $0.contains("v0.5.2-2016-11-21: reorder hazards under the cln-0.12 profile") }, "\(profiled)")
        // The ElementsProject/lightning#2094 hazard, explained.
        let explained = try LNTraceBinary.run(["explain", "cln-2094"])
        #expect(explained.stdout.contains("impl-update-before-ready") && explained.stdout.contains("cln#6904"))
        #expect(try LNTraceBinary.run(["explain", "impl-update-before-ready"]).status == 0)
    }

    /// An lnd log's first line states its version: its hazards are judged under that
    /// release's profile (lnd#7401 exists only under lnd 0.16), and the report says so.
    @Test func theLogsVersionPicksTheProfile() throws {
        let log = String(decoding: try Fixtures.data("captures/hazards/lnd-7401.bob-lnd.log"), as: UTF8.self)
        let versioned = "2024-02-05 13:59:59.000 [INF] LTND: Version: 0.16.0-beta commit=v0.16.0-beta, build=production\n" + log
        let result = try LNTraceBinary.run(["check", "--format", "jsonl", "-"], stdin: Data(versioned.utf8))
        let records = try JSONValue.lines(result.stdout)
        #expect(records.filter { $0["kind"]?.string == "hazard" }.compactMap { $0["hazard"]?.string } == ["lnd-7401"])
        #expect(records.contains { $0["code"]?.string == "hazards.profile" && $0["message"]?.string?.contains("lnd-0.16") == true })
        // Without the version line: the newest profile, under which lnd#7401 cannot happen.
        let unversioned = try LNTraceBinary.run(["check", "--format", "jsonl", "-"], stdin: Data(log.utf8))
        #expect(try JSONValue.lines(unversioned.stdout).filter { $0["kind"]?.string == "hazard" }.isEmpty)
        // Selecting rules does not turn hazards off: a profile's failures are judged anyway.
        let selected = try LNTraceBinary.run(["check", "--rules", "conn-", "--format", "jsonl", "-"], stdin: Data(versioned.utf8))
        #expect(try JSONValue.lines(selected.stdout).filter { $0["kind"]?.string == "hazard" }.count == 1)
    }
}

/// A `check` report that keeps the hazards, and the inputs that could not be read.
final class HazardCollector: CheckReport {
    private(set) var hazards: [Hazard] = []
    private(set) var failures: [Diagnostic] = []
    var errorCount: Int { failures.count }

    func write(_ hazard: Hazard) { hazards.append(hazard) }
    func inputFailed(_ diagnostic: Diagnostic) { failures.append(diagnostic) }
    func beginInput() {}
    func write(_ event: TraceEvent) {}
    func write(_ finding: Finding) {}
    func write(_ observation: Observation) {}
    func write(_ diagnostic: Diagnostic) {}
    func endInput(_ path: String, _ summary: CheckSummary) {}
    func flush() {}
    func finish(rules: Int) {}
}

/// An input `check` could not read.
struct InputFailure: Error {
    var diagnostic: Diagnostic
}
