import Foundation
import TestSupport
import Testing

/// `--type`, `--channel`, `--peer`, `--connection`, `--since`, `--until` and `-c` on `dump`,
/// `check` and `stats`: each selects exactly what the unfiltered output holds that matches,
/// and the rules still see every message.
@Suite(.serialized)
struct FilterTests {
    static let capture = ["--keylog", "Fixtures/captures/pyln-channels/keys.log", "Fixtures/captures/pyln-channels/channels.pcap"]
    static let log = "Fixtures/captures/hazards/lnd-8393.bob-lnd.log"

    static func records(_ arguments: [String], kind: String) throws -> [JSONValue] {
        let result = try LNTraceBinary.run(arguments)
        #expect(result.status != 2, "\(result.stderr)")
        return try JSONValue.lines(result.stdout).filter { $0["kind"]?.string == kind }
    }

    static func key(_ record: JSONValue) -> String {
        "\(record["connection"]?.uint64 ?? 0) \(record["index"]?.uint64 ?? 0) \(record["type"]?.string ?? "") \(record["rule"]?.string ?? "")"
    }

    @Test func dumpByTypeIsTheUnfilteredDumpsMessagesOfThoseTypes() throws {
        let all = try Self.records(["dump", "--format", "jsonl"] + Self.capture, kind: "message")
        let types: Set = ["update_add_htlc", "revoke_and_ack"]
        let filtered = try Self.records(["dump", "--format", "jsonl", "--type", "update_add_htlc,revoke_and_ack"] + Self.capture, kind: "message")
        #expect(!filtered.isEmpty)
        #expect(filtered.map(Self.key) == all.filter { types.contains($0["type"]?.string ?? "") }.map(Self.key))
    }

    @Test func countStopsAfterThatManySelectedMessages() throws {
        let all = try Self.records(["dump", "--format", "jsonl", "--type", "commitment_signed"] + Self.capture, kind: "message")
        let first = try Self.records(["dump", "--format", "jsonl", "--type", "commitment_signed", "-c", "7"] + Self.capture, kind: "message")
        #expect(first.map(Self.key) == all.prefix(7).map(Self.key))
        // Nothing the cut end of the input would say is reported as a problem of the input.
        let result = try LNTraceBinary.run(["dump", "-c", "3"] + Self.capture)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
    }

    @Test func connectionAndTimeWindowSelectTheirMessages() throws {
        let all = try Self.records(["dump", "--format", "jsonl"] + Self.capture, kind: "message")
        let third = try Self.records(["dump", "--format", "jsonl", "--connection", "3"] + Self.capture, kind: "message")
        #expect(!third.isEmpty)
        #expect(third.map(Self.key) == all.filter { $0["connection"]?.uint64 == 3 }.map(Self.key))
        // A window of the capture's own times, to the millisecond: --since in ISO 8601 form,
        // --until with a space, as a user copies it from another tool.
        let times = all.compactMap { $0["time"]?.string }
        try #require(times.count > 20)
        let since = String(times[times.count / 2].prefix(23)), last = String(times[times.count / 2 + 10].prefix(23))
        let until = last.replacingOccurrences(of: "T", with: " ")
        let window = try Self.records(["dump", "--format", "jsonl", "--since", since, "--until", until] + Self.capture, kind: "message")
        let inWindow = all.filter { ($0["time"]?.string ?? "") >= since && ($0["time"]?.string ?? "") <= last + "000000Z" }
        #expect(!window.isEmpty)
        #expect(window.map(Self.key) == inWindow.map(Self.key))
    }

    @Test func checkReportsTheFindingsOfTheSelectedMessagesWithTheWholeHistory() throws {
        let all = try Self.records(["check", "--format", "jsonl"] + Self.capture, kind: "finding")
        let sixth = try Self.records(["check", "--format", "jsonl", "--connection", "6"] + Self.capture, kind: "finding")
        #expect(!sixth.isEmpty)
        #expect(sixth.map(Self.key) == all.filter { $0["connection"]?.uint64 == 6 }.map(Self.key))
        // A finding on a pong needs the ping before it: the rules saw it though it is not shown.
        let pongs = try Self.records(["check", "--format", "jsonl", "--type", "pong"] + Self.capture, kind: "finding")
        #expect(pongs.contains { $0["rule"]?.string == "conn-ping-pong" })
        #expect(pongs.map(Self.key) == all.filter { $0["type"]?.string == "pong" }.map(Self.key))
    }

    @Test func channelPrefixAndPeerSelectALogsMessages() throws {
        let messages = try Self.records(["dump", "--format", "jsonl", Self.log], kind: "message")
        let channels: [String] = messages.compactMap { record in record["channel"]?.string }
        let channel = try #require(channels.last)
        let byChannel = try Self.records(
            ["dump", "--format", "jsonl", "--channel", String(channel.prefix(8)).uppercased(), Self.log], kind: "message")
        #expect(!byChannel.isEmpty)
        #expect(byChannel.map(Self.key) == messages.filter { $0["channel"]?.string == channel }.map(Self.key))
        let peers: [String] = messages.compactMap { record in record["peer"]?.string }
        let peer = try #require(peers.first)
        let byPeer = try Self.records(["dump", "--format", "jsonl", "--peer", String(peer.prefix(10)), Self.log], kind: "message")
        #expect(!byPeer.isEmpty)
        #expect(byPeer.count == messages.filter { $0["peer"]?.string == peer }.count)
    }

    @Test func statsCountsOnlyTheSelectedMessages() throws {
        let result = try LNTraceBinary.run(["stats", "--format", "jsonl", "--type", "update_add_htlc", "--connection", "2"] + Self.capture)
        #expect(result.status == 0, "\(result.stderr)")
        let connections = try JSONValue.lines(result.stdout)
        #expect(connections.count == 1)
        let adds = try Self.records(["dump", "--format", "jsonl", "--type", "update_add_htlc", "--connection", "2"] + Self.capture, kind: "message")
        #expect(result.stdout.contains("\"update_add_htlc\""))
        #expect(!result.stdout.contains("\"commitment_signed\""))
        let counted = (connections.first?["messages"]?["out"]?.uint64 ?? 0) + (connections.first?["messages"]?["in"]?.uint64 ?? 0)
        #expect(adds.count > 0)
        #expect(counted == UInt64(adds.count))
    }

    @Test func aFilterThatSelectsNothingSaysSoAndABadFilterIsAUsageError() throws {
        let none = try LNTraceBinary.run(["dump", "--peer", "192.0.2.99"] + Self.capture)
        #expect(none.status == 0)
        #expect(none.stdout.isEmpty)
        #expect(none.stderr.contains("no message matches the filters"))
        for bad in [["--type", "update_add_htcl"], ["--since", "yesterday"], ["-c", "0"]] {
            let result = try LNTraceBinary.run(["check"] + bad + Self.capture)
            #expect(result.status == 2, "\(bad)")
            #expect(result.stderr.contains(bad[0] == "-c" ? "-c" : bad[0]), "\(result.stderr)")
        }
    }
}

/// Findings for tools: a rule that compares numbers gives the value and the bound it broke,
/// on captures whose faults an independent model placed (Fixtures/captures/pyln-channels).
@Suite(.serialized)
struct ComparisonTests {
    @Test func boundsAndExactValuesAreMachineReadable() throws {
        let result = try LNTraceBinary.run(["check", "--format", "jsonl"] + FilterTests.capture)
        let findings = try JSONValue.lines(result.stdout).filter { $0["kind"]?.string == "finding" }
        // Port 41009: B accepts at most 3 HTLCs; the fourth add makes 4.
        let accepted = try #require(findings.first { $0["rule"]?.string == "add-max-accepted" })
        #expect(accepted["compared"]?.string == "offered_htlcs")
        #expect(accepted["actual"]?.uint64 == 4 && accepted["expected_max"]?.uint64 == 3 && accepted["expected"] == nil)
        // Port 41002: the ping asked for 4 bytes, the pong carries 8.
        let pong = try #require(findings.first { $0["rule"]?.string == "conn-ping-pong" })
        #expect(pong["compared"]?.string == "byteslen")
        #expect(pong["actual"]?.uint64 == 8 && pong["expected"]?.uint64 == 4)
        #expect(pong["actual"]?.uint64 == pong["fields"]?["byteslen"]?.uint64)
    }
}
