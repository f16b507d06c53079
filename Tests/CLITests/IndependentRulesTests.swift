import Foundation
import TestSupport
import Testing

/// Captures lntrace did not make: pyln-proto peers over kernel TCP, whose channel states,
/// BOLT #3 signatures, BOLT #7 gossip signatures and injected violations come from independent
/// Python models (`Scripts/fixtures/pyln_channel_capture.py`, `pyln_gossip_capture.py`).
/// lntrace must report exactly the violations listed in `expected.jsonl`, each at its message,
/// and nothing on the valid port of each (the first).
@Suite struct IndependentRulesTests {
    struct Key: Hashable, CustomStringConvertible {
        var port: Int
        var connection: Int
        var index: Int
        var rule: String
        var description: String { "port \(port) connection \(connection) index \(index): \(rule)" }
    }

    @Test(arguments: [
        ("pyln-channels", "channels.pcapng", 35, 41000), ("pyln-channels", "channels.pcap", 35, 41000),
        ("pyln-gossip", "gossip.pcapng", 11, 42000), ("pyln-gossip", "gossip.pcap", 11, 42000),
        ("pyln-close", "close.pcapng", 11, 43000), ("pyln-close", "close.pcap", 11, 43000),
    ])
    func findingsAreExactlyTheInjectedViolations(_ directory: String, _ capture: String, _ injected: Int, _ validPort: Int) throws {
        let dir = "Fixtures/captures/\(directory)"
        let common = ["--format", "jsonl", "--keylog", "\(dir)/keys.log", "\(dir)/\(capture)"]
        // lntrace's connection number → (port, ordinal among the connections to that port).
        let dump = try LNTraceBinary.run(["dump"] + common)
        #expect(dump.status == 0, "\(dump.stderr)")
        var place: [Int64: (Int, Int)] = [:]
        var seen: [Int: Int] = [:]
        for record in try JSONValue.lines(dump.stdout) where record["kind"]?.string == "connection" {
            let port = Int(record["responder"]?.string?.split(separator: ":").last ?? "") ?? -1
            let id = try #require(record["connection"]?.int64)
            place[id] = (port, seen[port, default: 0])
            seen[port, default: 0] += 1
        }
        let check = try LNTraceBinary.run(["check"] + common)
        #expect(check.status == 1, "\(check.stderr)")
        var found = Set<Key>()
        for record in try JSONValue.lines(check.stdout) where record["kind"]?.string == "finding" {
            let (port, ordinal) = place[record["connection"]?.int64 ?? -1] ?? (-1, -1)
            found.insert(Key(port: port, connection: ordinal, index: Int(record["index"]?.int64 ?? -1), rule: record["rule"]?.string ?? ""))
        }
        var expected = Set<Key>()
        for line in try Fixtures.jsonLines("captures/\(directory)/expected.jsonl") {
            for rule in line["rules"] as? [String] ?? [] {
                expected.insert(
                    Key(
                        port: line["port"] as? Int ?? 0, connection: line["connection"] as? Int ?? 0,
                        index: line["index"] as? Int ?? 0, rule: rule))
            }
        }
        #expect(expected.count == injected)
        #expect(
            found.subtracting(expected).isEmpty,
            "reported but not injected: \(found.subtracting(expected).sorted { $0.description < $1.description })")
        #expect(
            expected.subtracting(found).isEmpty,
            "injected but not reported: \(expected.subtracting(found).sorted { $0.description < $1.description })")
        // The valid port (the long channel life, the valid gossip exchange) gives nothing.
        #expect(!found.contains { $0.port == validPort })
    }
}
