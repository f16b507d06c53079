import Foundation
import TestSupport
import Testing

/// `lntrace stats`: counts per connection and channel agree with what synth sent.
@Suite struct StatsTests {
    @Test func countsMatchTheMessagesSent() throws {
        let result = try LNTraceBinary.run([
            "stats", "--format", "json", "--keylog", "Fixtures/captures/synth/channel-life.keys",
            "Fixtures/captures/synth/channel-life.pcap",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try JSONValue.parse(result.stdout)
        #expect(document["command"]?.string == "stats")
        let connection = try #require(document["connections"]?[0])
        #expect(connection["responder"]?.string == "10.0.0.2:9735")
        // What synth sent, by type and direction.
        var sent: [String: [Int]] = [:]
        var bytes = [0, 0]
        for message in try Fixtures.jsonLines("captures/synth/channel-life.messages.jsonl") {
            let direction = message["direction"] as? String == "out" ? 0 : 1
            let type = message["type"] as? Int ?? 0
            sent["\(type)", default: [0, 0]][direction] += 1
            bytes[direction] += message["length"] as? Int ?? 0
        }
        #expect(connection["messages"]?["out"]?.int64 == Int64(sent.values.map { $0[0] }.reduce(0, +)))
        #expect(connection["messages"]?["in"]?.int64 == Int64(sent.values.map { $0[1] }.reduce(0, +)))
        #expect(connection["bytes"]?["out"]?.int64 == Int64(bytes[0]))
        #expect(connection["bytes"]?["in"]?.int64 == Int64(bytes[1]))
        // commitment_signed (132): five each way.
        #expect(sent["132"] == [5, 5])
        let channels = connection["channels"]?.array ?? []
        let commits = channels.compactMap { $0["types"]?["commitment_signed"]?["messages"] }.first
        #expect(commits?["out"]?.int64 == 5 && commits?["in"]?.int64 == 5)
        #expect(connection["connection_level"]?["types"]?["init"]?["messages"]?["out"]?.int64 == 1)
        #expect(connection["first_time"]?.string == "2024-01-18T09:30:00.000180000Z")

        let text = try LNTraceBinary.run(["stats", "Fixtures/logs/channel-life/bob-lnd.log"])
        #expect(text.stdout.contains("39 messages (19 →, 20 ←)"))
    }
}
