import Foundation
import TestSupport
import Testing

/// Two logs of one connection, one from each end (issue 16): `check` joins them into one
/// connection and channel, estimates the clocks' offset, decides findings about messages that
/// may have crossed from the sender's log, and reports what only one log shows.
@Suite struct JoinTests {
    /// The lines of a log, with each lnd time (`2024-01-01 00:00:00.000`) moved by `shift`
    /// milliseconds where `at(line index)` says, and lines reordered by `order` (indexes).
    static func rewrite(_ path: String, to: String, order: [Int]? = nil, times: [Int: Int] = [:], shift: Int = 0) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        var out: [String] = []
        for index in order ?? Array(lines.indices) {
            let line = String(lines[index])
            // `2024-01-01 00:00:00.000`: the milliseconds are the line's offset from the start.
            let start = line.index(line.startIndex, offsetBy: 11)
            let end = line.index(line.startIndex, offsetBy: 23)
            let parts = line[start..<end].split(separator: ":")
            let base = (Int(parts[0]) ?? 0) * 3_600_000 + (Int(parts[1]) ?? 0) * 60_000 + Int((Double(parts[2]) ?? 0) * 1000)
            let ms = (times[index] ?? base) + shift
            let stamp = String(format: "%02d:%02d:%06.3f", ms / 3_600_000, ms / 60_000 % 60, Double(ms % 60_000) / 1000)
            out.append(String(line[..<start]) + stamp + String(line[end...]))
        }
        try (out.joined(separator: "\n") + "\n").write(toFile: to, atomically: true, encoding: .utf8)
    }

    /// The logs of `sd-no-add-received` with the last two messages crossed: alice sends her
    /// shutdown at 10 ms and receives the add at 20 ms; bob sends the add at 12 ms and receives
    /// the shutdown at 15 ms (a clock offset of 0 fits both).
    static func crossed(_ trace: Synthesized) throws -> (alice: String, bob: String) {
        let alice = trace.directory.appendingPathComponent("alice-crossed.log").path
        let bob = trace.directory.appendingPathComponent("bob-crossed.log").path
        let n = try String(contentsOfFile: trace.log("alice=lnd"), encoding: .utf8).split(separator: "\n").count
        try rewrite(trace.log("alice=lnd"), to: alice, times: [n - 2: 10, n - 1: 20])
        try rewrite(trace.log("bob=lnd"), to: bob, order: Array(0..<(n - 2)) + [n - 1, n - 2], times: [n - 1: 12, n - 2: 15])
        return (alice, bob)
    }

    static func records(_ arguments: [String]) throws -> (status: Int32, records: [JSONValue], stderr: String) {
        let result = try LNTraceBinary.run(["check", "--format", "jsonl"] + arguments)
        return (result.status, try JSONValue.lines(result.stdout), result.stderr)
    }

    static func summary(_ records: [JSONValue]) -> JSONValue? { records.first { $0["kind"]?.string == "summary" } }

    static func findings(_ records: [JSONValue]) -> [JSONValue] { records.filter { $0["kind"]?.string == "finding" } }

    static func diagnostics(_ records: [JSONValue], _ code: String) -> [JSONValue] {
        records.filter { $0["kind"]?.string == "diagnostic" && $0["code"]?.string == code }
    }

    /// Both ends of the lnd#8393 race, in each log style at bob's end: one connection, one
    /// channel, each message counted once, and one hazard.
    @Test(arguments: ["lnd", "cln", "cln-io", "eclair", "ldk"])
    func bothEndsAreOneConnection(_ style: String) throws {
        let trace = try Synthesized(Fixtures.url("hazards/lnd-8393.scenario"), logs: ["alice=lnd", "bob=\(style)"])
        defer { trace.remove() }
        let (_, records, _) = try Self.records([trace.log("alice=lnd"), trace.log("bob=\(style)")])
        let summary = try #require(Self.summary(records))
        #expect(summary["inputs"]?.uint64 == 2)
        #expect(summary["connections"]?.uint64 == 1)
        #expect(summary["channels"]?.uint64 == 1)
        #expect(summary["messages"]?.uint64 == UInt64(trace.messages.count))
        let joins = Self.diagnostics(records, "join.connection")
        #expect(joins.count == 1)
        #expect(joins.first?["message"]?.string?.contains("\(trace.messages.count) messages in both, 0 in one only") == true)
        // --no-join reads them as two traces.
        let apart = try Self.records(["--no-join", trace.log("alice=lnd"), trace.log("bob=\(style)")]).records
        #expect(Self.summary(apart)?["connections"]?.uint64 == 2)
        #expect(Self.diagnostics(apart, "join.connection").isEmpty)
        // bob, an lnd node, is the one that could reorder: one hazard, not one per input.
        let hazards = records.filter { $0["kind"]?.string == "hazard" }
        #expect(hazards.count == (style == "lnd" ? 1 : 0))
        // With alice's log, the hazard says when each message left her: exactly what was in flight.
        for hazard in hazards {
            for end in ["first", "second"] {
                let sent = try #require(hazard[end]?["sent_at"])
                #expect(sent["file"]?.string == trace.log("alice=lnd"))
                #expect(sent["line"]?.uint64 == hazard[end]?["line"]?.uint64, "both logs list the messages alike")
            }
        }
    }

    /// Alone, alice's log cannot tell whether bob's add crossed her shutdown: the finding is
    /// possible. With bob's log, which shows he received the shutdown first, it is certain, and
    /// reported once, from bob's log.
    @Test func theSendersLogDecidesAPossibleFinding() throws {
        let trace = try Synthesized(Fixtures.url("rules/sd-no-add-received.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let alone = Self.findings(try Self.records([trace.log("alice=lnd")]).records)
        #expect(alone.map { $0["certainty"]?.string } == ["possible"])
        let joined = Self.findings(try Self.records([trace.log("alice=lnd"), trace.log("bob=lnd")]).records)
        #expect(joined.map { $0["rule"]?.string } == ["sd-no-add-received"])
        #expect(joined.first?["certainty"]?.string == "certain")
        #expect(joined.first?["file"]?.string == trace.log("bob=lnd"))
        // Its receipt, in alice's log, with her time.
        let received = try #require(joined.first?["received_at"])
        #expect(received["file"]?.string == trace.log("alice=lnd"))
        #expect(received["line"]?.uint64 == joined.first?["line"]?.uint64, "both logs list the same messages")
        #expect(received["time"]?.string == "2024-01-01T00:00:00.000000000Z")
        let text = try LNTraceBinary.run(["check", trace.log("alice=lnd"), trace.log("bob=lnd")], environment: ["COLUMNS": "200"])
        #expect(text.stdout.contains("received by the other end: \(trace.log("alice=lnd")):10 at 2024-01-01T00:00:00.000000000Z"))
        #expect(text.stdout.contains("inputs: 2, connections: 1, channels: 1, messages: \(trace.messages.count)"))
    }

    /// The same two messages, crossed: bob sent his add before alice's shutdown reached him.
    /// Both logs together show it, so nothing is reported; the offset bounds come from them.
    @Test func crossedMessagesAreNoFinding() throws {
        let trace = try Synthesized(Fixtures.url("rules/sd-no-add-received.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let (alice, bob) = try Self.crossed(trace)
        let (_, records, _) = try Self.records([alice, bob])
        #expect(Self.findings(records).isEmpty, "\(Self.findings(records).map { $0["rule"]?.string ?? "" })")
        let join = try #require(Self.diagnostics(records, "join.connection").first?["message"]?.string)
        #expect(join.contains("clock is +0.000 ms ahead"), "\(join)")
        // Without bob's log the crossing cannot be seen: the finding is possible.
        let alone = Self.findings(try Self.records([alice]).records)
        #expect(alone.map { $0["certainty"]?.string } == ["possible"])
    }

    /// The crossed messages drawn from both logs: each from its sending down to its receipt,
    /// so the two arrows cross; each message once, in Mermaid too.
    @Test func theDiagramDrawsCrossedMessagesCrossing() throws {
        let trace = try Synthesized(Fixtures.url("rules/sd-no-add-received.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let (alice, bob) = try Self.crossed(trace)
        let svg = try LNTraceBinary.run(["diagram", "--format", "svg", alice, bob])
        #expect(svg.status == 0, "\(svg.stderr)")
        // The arrows, in the order drawn: (y at the sending, y at the receipt).
        let pattern = try Regex(#"<line x1='[0-9.]+' y1='([0-9.]+)' x2='[0-9.]+' y2='([0-9.]+)' class='arrow'"#)
        let arrows = svg.stdout.matches(of: pattern).map { (Double($0.output[1].substring ?? "") ?? 0, Double($0.output[2].substring ?? "") ?? 0) }
        let channelMessages = trace.messages.count - 2  // the two `init`s belong to no channel
        #expect(arrows.count == channelMessages, "each message once")
        let shutdown = try #require(arrows.dropLast().last)
        let add = try #require(arrows.last)
        #expect(shutdown.0 < add.0 && add.0 < shutdown.1 && shutdown.1 < add.1, "\(shutdown) \(add): sent before the other arrived")
        #expect(svg.stdout.contains("(alice-crossed.log)") && svg.stdout.contains("(bob-crossed.log)"))
        let mermaid = try LNTraceBinary.run(["diagram", alice, bob])
        #expect(mermaid.stdout.split(separator: "\n").filter { $0.contains("->>") }.count == channelMessages)
    }

    /// bob's clock 250 ms ahead: the estimate says so, within bounds both directions give.
    @Test func theClockOffsetIsEstimated() throws {
        let trace = try Synthesized(Fixtures.url("hazards/lnd-8393.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let bob = trace.directory.appendingPathComponent("bob-ahead.log").path
        try Self.rewrite(trace.log("bob=lnd"), to: bob, shift: 250)
        let (_, records, _) = try Self.records([trace.log("alice=lnd"), bob])
        let join = try #require(Self.diagnostics(records, "join.connection").first?["message"]?.string)
        #expect(join.contains("clock is +250.000 ms ahead"), "\(join)")
        #expect(join.contains("between +249.000 ms and +251.000 ms"), "\(join)")
    }

    /// A line bob's log lacks (a lower log level, a cut log) is reported at alice's line; the
    /// rest still joins.
    @Test func aMessageOnlyOneLogShowsIsReported() throws {
        let trace = try Synthesized(Fixtures.url("hazards/lnd-8393.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let bob = trace.directory.appendingPathComponent("bob-cut.log").path
        let n = try String(contentsOfFile: trace.log("bob=lnd"), encoding: .utf8).split(separator: "\n").count
        // bob's line 19 is the update_add_htlc he received (alice's line 19).
        try Self.rewrite(trace.log("bob=lnd"), to: bob, order: Array(0..<18) + Array(19..<n))
        let (_, records, _) = try Self.records([trace.log("alice=lnd"), bob])
        let oneSided = Self.diagnostics(records, "join.one-sided")
        #expect(oneSided.count == 1)
        #expect(oneSided.first?["line"]?.uint64 == 19)
        #expect(oneSided.first?["file"]?.string == trace.log("alice=lnd"))
        #expect(oneSided.first?["message"]?.string?.contains("`update_add_htlc` sent here is not received in") == true)
        #expect(Self.summary(records)?["connections"]?.uint64 == 1)
    }

    /// `dump` of both logs: each message once, in the first log's order, with where the
    /// other log shows it.
    @Test func dumpListsEachMessageOnceWithBothEnds() throws {
        let trace = try Synthesized(Fixtures.url("hazards/lnd-8393.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let result = try LNTraceBinary.run(["dump", "--format", "jsonl", trace.log("alice=lnd"), trace.log("bob=lnd")])
        let messages = try JSONValue.lines(result.stdout).filter { $0["kind"]?.string == "message" }
        #expect(messages.count == trace.messages.count)
        #expect(messages.allSatisfy { $0["file"]?.string == trace.log("alice=lnd") })
        for message in messages {
            let end = message[message["direction"]?.string == "out" ? "received_at" : "sent_at"]
            #expect(end?["file"]?.string == trace.log("bob=lnd"))
            #expect(end?["line"]?.uint64 == message["line"]?.uint64)
        }
    }

    /// Three nodes, three connections that carry the same messages at the same times, no
    /// channel: only the peers' node ids tell which streams are one connection. Each pair of
    /// logs is joined once, on the connection between their two nodes.
    @Test func threeNodesPairByTheirPeers() throws {
        let trace = try Synthesized(Fixtures.url("scenarios/three-connections.scenario"), logs: ["alice=lnd", "bob=lnd", "carol=lnd"])
        defer { trace.remove() }
        let logs = [trace.log("alice=lnd"), trace.log("bob=lnd"), trace.log("carol=lnd")]
        let (_, records, _) = try Self.records(logs)
        let joins = Self.diagnostics(records, "join.connection").compactMap { $0["message"]?.string }
        let pairs = joins.map { note in logs.indices.filter { note.contains(logs[$0] + " (") } }
        #expect(Set(pairs) == [[0, 1], [0, 2], [1, 2]], "\(joins)")
        #expect(Self.summary(records)?["connections"]?.uint64 == 3)
    }

    /// A capture and one node's log of the connection, either end's: one connection, each
    /// message once. A finding about a message the logging node sent is decided by its log;
    /// the capture's frames are where the message was on the wire.
    @Test(arguments: ["alice", "bob"])
    func aCaptureJoinsALog(_ node: String) throws {
        let trace = try Synthesized(Fixtures.url("rules/sd-no-add-received.scenario"), logs: ["\(node)=lnd"])
        defer { trace.remove() }
        let alone = Self.findings(try Self.records(["--keylog", trace.keys, trace.capture]).records)
        #expect(alone.map { $0["certainty"]?.string } == ["possible"])
        let (_, records, _) = try Self.records(["--keylog", trace.keys, trace.capture, trace.log("\(node)=lnd")])
        #expect(Self.diagnostics(records, "join.connection").first?["message"]?.string?.contains("show one connection") == true)
        #expect(Self.summary(records)?["connections"]?.uint64 == 1)
        #expect(Self.summary(records)?["channels"]?.uint64 == 1)
        #expect(Self.summary(records)?["messages"]?.uint64 == UInt64(trace.messages.count))
        let findings = Self.findings(records)
        #expect(findings.map { $0["rule"]?.string } == ["sd-no-add-received"])
        if node == "bob" {
            // bob sent the add: his log shows he had alice's shutdown, so it is certain.
            #expect(findings.first?["file"]?.string == trace.log("bob=lnd"))
            #expect(findings.first?["certainty"]?.string == "certain")
            let wire = try #require(findings.first?["received_at"])
            #expect(wire["file"]?.string == trace.capture)
            #expect((wire["frames"]?.array?.first?.uint64 ?? 0) > 0)
        } else {
            // alice's log cannot tell more than the capture: still possible, reported once.
            #expect(findings.first?["certainty"]?.string == "possible")
        }
    }

    /// An excerpt of one end's log (41 lines from the middle, on a clock 2.5 s ahead) and the
    /// other end's whole log: the excerpt is placed where it lines up, by its HTLC ids and
    /// the clock offset its two directions allow; each message is counted once.
    @Test func anExcerptJoinsTheOtherEndsWholeLog() throws {
        let trace = try Synthesized(Fixtures.url("joins/payments-apart.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let lines = try String(contentsOfFile: trace.log("bob=lnd"), encoding: .utf8).split(separator: "\n")
        let cut = trace.directory.appendingPathComponent("bob-cut.log").path
        try (lines[199..<240].joined(separator: "\n") + "\n").write(toFile: cut, atomically: true, encoding: .utf8)
        let excerpt = trace.directory.appendingPathComponent("bob-excerpt.log").path
        try Self.rewrite(cut, to: excerpt, shift: 2500)
        let (_, records, _) = try Self.records([trace.log("alice=lnd"), excerpt])
        #expect(Self.summary(records)?["connections"]?.uint64 == 1)
        #expect(Self.summary(records)?["messages"]?.uint64 == UInt64(lines.count))
        let note = try #require(Self.diagnostics(records, "join.connection").first?["message"]?.string)
        #expect(note.contains("41 messages in both, 0 in one only"), "\(note)")
        #expect(note.contains("is an excerpt: it matches lines 200–240 of \(trace.log("alice=lnd"))"), "\(note)")
        #expect(note.contains("clock is +2.500 s ahead"), "\(note)")
        // The same excerpt against a log of another channel's life stays separate.
        let other = try Synthesized(Fixtures.url("hazards/lnd-8393.scenario"), logs: ["alice=lnd"])
        defer { other.remove() }
        let (_, apart, _) = try Self.records([other.log("alice=lnd"), excerpt])
        #expect(Self.summary(apart)?["connections"]?.uint64 == 2)
    }

    /// A capture and both nodes' logs, in any order: the logs join each other and the
    /// capture joins one of them, so all three are one connection; each message is counted
    /// once, and the finding is reported once, from the log of the node that sent it.
    @Test(arguments: [[0, 1, 2], [2, 0, 1], [1, 2, 0]])
    func aCaptureAndBothLogsAreOneConnection(_ order: [Int]) throws {
        let trace = try Synthesized(Fixtures.url("rules/sd-no-add-received.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let inputs = [trace.capture, trace.log("alice=lnd"), trace.log("bob=lnd")]
        let (_, records, _) = try Self.records(["--keylog", trace.keys] + order.map { inputs[$0] })
        let notes = Self.diagnostics(records, "join.connection").compactMap { $0["message"]?.string }
        #expect(notes.contains { $0.contains("are the two ends of one connection") })
        #expect(notes.contains { $0.contains("show one connection") && $0.contains("are joined too: one connection") }, "\(notes)")
        #expect(Self.summary(records)?["connections"]?.uint64 == 1)
        #expect(Self.summary(records)?["channels"]?.uint64 == 1)
        #expect(Self.summary(records)?["messages"]?.uint64 == UInt64(trace.messages.count))
        let findings = Self.findings(records)
        #expect(findings.map { $0["rule"]?.string } == ["sd-no-add-received"])
        #expect(findings.first?["file"]?.string == trace.log("bob=lnd"))
        #expect(findings.first?["certainty"]?.string == "certain")
        // dump lists each message once.
        let dump = try LNTraceBinary.run(["dump", "--format", "jsonl", "--keylog", trace.keys] + order.map { inputs[$0] })
        #expect(try JSONValue.lines(dump.stdout).filter { $0["kind"]?.string == "message" }.count == trace.messages.count)
    }

    /// Both nodes' logs in one `docker compose logs` stream: its two nodes are joined as two
    /// inputs would be, and `diagram` and `dump` show each message once, between two nodes.
    @Test func aDockerComposeStreamOfBothEndsIsJoined() throws {
        let trace = try Synthesized(Fixtures.url("hazards/lnd-8393.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        // Merged by time as `docker compose logs` interleaves them (alice first at equal times).
        let alice = try String(contentsOfFile: trace.log("alice=lnd"), encoding: .utf8).split(separator: "\n")
        let bob = try String(contentsOfFile: trace.log("bob=lnd"), encoding: .utf8).split(separator: "\n")
        var merged: [String] = []
        var (i, j) = (0, 0)
        while i < alice.count || j < bob.count {
            if j == bob.count || (i < alice.count && alice[i].prefix(23) <= bob[j].prefix(23)) {
                merged.append("alice_1  | " + alice[i])
                i += 1
            } else {
                merged.append("bob_1    | " + bob[j])
                j += 1
            }
        }
        let compose = trace.directory.appendingPathComponent("compose.log").path
        try (merged.joined(separator: "\n") + "\n").write(toFile: compose, atomically: true, encoding: .utf8)
        let (_, records, _) = try Self.records([compose])
        #expect(Self.diagnostics(records, "join.connection").count == 1)
        #expect(Self.summary(records)?["connections"]?.uint64 == 1)
        #expect(Self.summary(records)?["channels"]?.uint64 == 1)
        #expect(Self.summary(records)?["messages"]?.uint64 == UInt64(trace.messages.count))
        #expect(records.filter { $0["kind"]?.string == "hazard" }.count == 1)
        let diagram = try LNTraceBinary.run(["diagram", "--around", "100", compose]).stdout
        let participants = diagram.split(separator: "\n").filter { $0.contains("participant N") }
        #expect(participants.count == 2, "\(participants)")
        #expect(diagram.split(separator: "\n").filter { $0.contains("->>") && !$0.contains("-->>") }.count == trace.messages.count - 2)
        let dump = try JSONValue.lines(try LNTraceBinary.run(["dump", "--format", "jsonl", compose]).stdout)
        #expect(dump.filter { $0["kind"]?.string == "message" }.count == trace.messages.count)
        // --no-join: both nodes' views, as before.
        let apart = try Self.records(["--no-join", compose]).records
        #expect(Self.summary(apart)?["connections"]?.uint64 == 2)
    }

    /// Standard input (like a pipe) cannot be read twice: it is not joined, and is checked whole.
    @Test func standardInputIsNotJoined() throws {
        let trace = try Synthesized(Fixtures.url("hazards/lnd-8393.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let bob = try Data(contentsOf: URL(fileURLWithPath: trace.log("bob=lnd")))
        let result = try LNTraceBinary.run(["check", "--format", "jsonl", trace.log("alice=lnd"), "-"], stdin: bob)
        let records = try JSONValue.lines(result.stdout)
        #expect(Self.diagnostics(records, "join.connection").isEmpty)
        #expect(Self.summary(records)?["messages"]?.uint64 == UInt64(2 * trace.messages.count))
    }

    /// `stats` of both logs: one connection, its messages counted once (under the first log).
    @Test func statsCountsEachMessageOnce() throws {
        let trace = try Synthesized(Fixtures.url("hazards/lnd-8393.scenario"), logs: ["alice=lnd", "bob=lnd"])
        defer { trace.remove() }
        let joined = try JSONValue.parse(try LNTraceBinary.run(["stats", "--format", "json", trace.log("alice=lnd"), trace.log("bob=lnd")]).stdout)
        let connections = joined["connections"]?.array ?? []
        #expect(connections.count == 1)
        #expect(connections.first?["file"]?.string == trace.log("alice=lnd"))
        let apart = try JSONValue.parse(
            try LNTraceBinary.run(["stats", "--no-join", "--format", "json", trace.log("alice=lnd"), trace.log("bob=lnd")]).stdout)
        #expect(apart["connections"]?.array?.count == 2)
    }

    /// Logs of two different connections stay two: nothing is joined.
    @Test func unrelatedLogsStaySeparate() throws {
        let first = try Synthesized(Fixtures.url("hazards/lnd-8393.scenario"), logs: ["alice=lnd"])
        defer { first.remove() }
        let second = try Synthesized(Fixtures.url("hazards/lnd-7401.scenario"), logs: ["bob=lnd"])
        defer { second.remove() }
        let (_, records, _) = try Self.records([first.log("alice=lnd"), second.log("bob=lnd")])
        #expect(Self.diagnostics(records, "join.connection").isEmpty)
        #expect(Self.summary(records)?["connections"]?.uint64 == 2)
        #expect(Self.summary(records)?["channels"]?.uint64 == 2)
    }
}
