import Foundation
import TestSupport
import Testing

/// `lntrace synth` makes the captures in `Fixtures/captures/synth/` from the scenarios in
/// `Fixtures/scenarios/`; `lntrace dump` must decode each to exactly the messages it was made
/// from (those the capture holds whole).
@Suite(.serialized)
struct SynthTests {
    static let scenarios: [String] = {
        let dir = Fixtures.url("scenarios")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".scenario") }.map { String($0.dropLast(".scenario".count)) }.sorted()
    }()

    struct Key: Hashable {
        var port: Int
        var direction: String
    }

    /// The captured messages of a scenario, per responder port and direction, by SHA-256.
    static func expected(_ name: String) throws -> [Key: [String]] {
        let text = String(decoding: try Fixtures.data("captures/synth/\(name).messages.jsonl"), as: UTF8.self)
        var out: [Key: [String]] = [:]
        for line in try JSONValue.lines(text) where line["captured"] == .bool(true) {
            out[Key(port: Int(line["port"]?.uint64 ?? 0), direction: line["direction"]?.string ?? ""), default: []]
                .append(line["sha256"]?.string ?? "")
        }
        return out
    }

    static func decoded(_ capture: String, keys: String) throws -> (messages: [Key: [String]], status: Int32, lines: [JSONValue]) {
        let result = try LNTraceBinary.run(["dump", "--raw", "--format", "jsonl", "--keylog", keys, capture])
        let lines = try JSONValue.lines(result.stdout)
        var port: [UInt64: Int] = [:]
        for connection in lines where connection["kind"]?.string == "connection" {
            port[connection["connection"]?.uint64 ?? 0] = Int(connection["responder"]?.string?.split(separator: ":").last ?? "") ?? 0
        }
        var out: [Key: [String]] = [:]
        for message in lines where message["kind"]?.string == "message" {
            let key = Key(port: port[message["connection"]?.uint64 ?? 0] ?? -1, direction: message["direction"]?.string ?? "")
            out[key, default: []].append(sha256Hex([UInt8](hexString: message["raw"]?.string ?? "") ?? []))
        }
        return (out, result.status, lines)
    }

    @Test func everyScenarioHasACapture() {
        #expect(Self.scenarios.count >= 9)
        for name in Self.scenarios {
            #expect(FileManager.default.fileExists(atPath: Fixtures.url("captures/synth/\(name).pcap").path), "\(name)")
        }
    }

    @Test(arguments: scenarios)
    func decodesToTheMessagesItWasMadeFrom(_ name: String) throws {
        let expected = try Self.expected(name)
        let (messages, status, lines) = try Self.decoded("Fixtures/captures/synth/\(name).pcap", keys: "Fixtures/captures/synth/\(name).keys")
        #expect(messages == expected, "\(name)")
        let diagnostics = lines.filter { $0["kind"]?.string == "diagnostic" }
        if name == "tcp-anomalies" {
            // One segment was lost: reported at its place, and the rest still decodes.
            #expect(status == 2)
            #expect(diagnostics.map { $0["code"]?.string } == ["tcp.gap"])
        } else {
            #expect(status == 0, "\(diagnostics)")
            #expect(diagnostics.isEmpty)
        }
    }

    @Test(arguments: scenarios)
    func regeneratingGivesTheSameBytes(_ name: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-synth-\(getpid())-\(name)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try LNTraceBinary.run([
            "synth", "Fixtures/scenarios/\(name).scenario", "-o", dir.appendingPathComponent("c.pcap").path,
            "--keylog", dir.appendingPathComponent("c.keys").path, "--messages", dir.appendingPathComponent("m.jsonl").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("c.pcap")) == Fixtures.data("captures/synth/\(name).pcap"))
        #expect(try Data(contentsOf: dir.appendingPathComponent("c.keys")) == Fixtures.data("captures/synth/\(name).keys"))
        #expect(try Data(contentsOf: dir.appendingPathComponent("m.jsonl")) == Fixtures.data("captures/synth/\(name).messages.jsonl"))
    }

    @Test func lossIsReportedWithItsSizeAndFrame() throws {
        let (_, _, lines) = try Self.decoded("Fixtures/captures/synth/tcp-anomalies.pcap", keys: "Fixtures/captures/synth/tcp-anomalies.keys")
        let gap = try #require(lines.first { $0["code"]?.string == "tcp.gap" })
        #expect(gap["message"]?.string?.contains("240 bytes") == true, "the lost ping: 18 + 206 + 16 bytes")
        #expect((gap["frames"]?[0]?.uint64 ?? 0) > 0)
        let connection = try #require(lines.first { $0["kind"]?.string == "connection" })
        #expect(connection["decryption"]?.string == "partial")
    }

    /// The lost segment held a `ping`: the `pong` after it answers that ping, so judging it
    /// against the earlier ones would be a false finding. Rules are not evaluated past the loss.
    @Test func rulesStopJudgingAfterLostBytes() throws {
        let result = try LNTraceBinary.run([
            "check", "--format", "json", "--keylog", "Fixtures/captures/synth/tcp-anomalies.keys", "Fixtures/captures/synth/tcp-anomalies.pcap",
        ])
        let report = try JSONValue.parse(result.stdout)
        let rules = (report["findings"]?.array ?? []).compactMap { $0["rule"]?.string }
        #expect(rules.contains("op-after-ready"), "findings before the loss stay")
        #expect(!rules.contains("conn-ping-pong"), "\(rules)")
        let connection = try #require(report["inputs"]?[0]?["connection_rules"]?[0])
        let partly = connection["rules_partly_evaluated"]?.array ?? []
        let pong = try #require(partly.first { $0["rule"]?.string == "conn-ping-pong" })
        #expect(pong["reason"]?.string?.contains("240 bytes from the initiator were not captured before frame 65") == true)
    }

    @Test func scenarioErrorsNameTheLine() throws {
        let dir = FileManager.default.temporaryDirectory
        let result = try LNTraceBinary.run(
            [
                "synth", "-", "-o", dir.appendingPathComponent("x-\(getpid()).pcap").path, "--keylog",
                dir.appendingPathComponent("x-\(getpid()).keys").path,
            ],
            stdin: Data("node alice\nnode bob\nconnect alice bob\nalice -> bob no_such_message\n".utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 4"))
        #expect(result.stderr.contains("no_such_message"))
    }

    @Test func violationsCanBeInjected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-inject-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = """
            node alice
            node bob
            connect alice bob
            alice -> bob init
            bob -> alice init
            alice -> bob open_channel
            bob -> alice accept_channel
            alice -> bob funding_created
            bob -> alice funding_signed
            alice -> bob channel_ready
            bob -> alice channel_ready
            alice -> bob update_add_htlc
            alice -> bob update_add_htlc id=7 amount_msat=5 65537=abcd
            """
        let capture = dir.appendingPathComponent("c.pcap").path, keys = dir.appendingPathComponent("c.keys").path
        let made = try LNTraceBinary.run(["synth", "-", "-o", capture, "--keylog", keys], stdin: Data(scenario.utf8))
        #expect(made.status == 0, "\(made.stderr)")
        let (_, _, lines) = try Self.decoded(capture, keys: keys)
        let adds = lines.filter { $0["type"]?.string == "update_add_htlc" }
        #expect(adds.map { $0["fields"]?["id"]?.uint64 } == [0, 7])
        #expect(adds.last?["fields"]?["amount_msat"]?.uint64 == 5)
        #expect(adds.last?["tlvs"]?["65537"]?.string == "abcd")
        let open = try #require(lines.first { $0["type"]?.string == "open_channel" })
        let created = try #require(lines.first { $0["type"]?.string == "funding_created" })
        let signed = try #require(lines.first { $0["type"]?.string == "funding_signed" })
        // channel_id = funding txid XOR output index (0 here), temporary ids carried through.
        #expect(signed["fields"]?["channel_id"] == created["fields"]?["funding_txid"])
        #expect(created["fields"]?["temporary_channel_id"] == open["fields"]?["temporary_channel_id"])
    }
}
