import Foundation
import TestSupport
import Testing

/// Captures made without lntrace (`Scripts/fixtures/pyln_hazard_capture.py`: pyln-proto
/// peers over kernel TCP, an independent channel model): `update_add_htlc,
/// commitment_signed, shutdown` sent back to back is the lnd#8393 hazard; the same messages
/// with the shutdown after the commitment dance, and a long life with separated messages,
/// are not. `expected.jsonl` says under which lnd profiles each pair is a hazard.
@Suite struct IndependentHazardTests {
    struct Key: Hashable, CustomStringConvertible {
        var port: Int
        var first: Int
        var second: Int
        var kind: String
        var description: String { "port \(port) \(first)→\(second) \(kind)" }
    }

    static let dir = "Fixtures/captures/pyln-hazards"

    static func found(_ profile: String) throws -> (Set<Key>, [JSONValue]) {
        let common = ["--format", "jsonl", "--keylog", "\(dir)/keys.log", "\(dir)/hazards.pcapng"]
        var port: [Int64: Int] = [:]
        for record in try JSONValue.lines(try LNTraceBinary.run(["dump"] + common).stdout) where record["kind"]?.string == "connection" {
            port[record["connection"]?.int64 ?? -1] = Int(record["responder"]?.string?.split(separator: ":").last ?? "") ?? -1
        }
        let result = try LNTraceBinary.run(["check", "--hazards", profile] + common)
        let records = try JSONValue.lines(result.stdout)
        var out = Set<Key>()
        for hazard in records where hazard["kind"]?.string == "hazard" {
            out.insert(
                Key(
                    port: port[hazard["first"]?["connection"]?.int64 ?? -1] ?? -1,
                    first: Int(hazard["first"]?["index"]?.int64 ?? -1), second: Int(hazard["second"]?["index"]?.int64 ?? -1),
                    kind: hazard["hazard"]?.string ?? ""))
        }
        return (out, records)
    }

    static func expected(_ profile: String) throws -> Set<Key> {
        var out = Set<Key>()
        for line in try Fixtures.jsonLines("captures/pyln-hazards/expected.jsonl") where (line["profiles"] as? [String] ?? []).contains(profile) {
            let first = line["first"] as? [String: Any] ?? [:], second = line["second"] as? [String: Any] ?? [:]
            out.insert(
                Key(
                    port: line["port"] as? Int ?? 0, first: first["index"] as? Int ?? 0, second: second["index"] as? Int ?? 0,
                    kind: line["kind"] as? String ?? ""))
        }
        return out
    }

    @Test func lnd8393IsFoundAndTheSeparatedShutdownIsNot() throws {
        let (found, records) = try Self.found("lnd")
        #expect(found == (try Self.expected("lnd-0.19")), "\(found.sorted { $0.description < $1.description })")
        #expect(found.contains(Key(port: 42001, first: 18, second: 20, kind: "lnd-8393")))
        #expect(!found.contains { $0.port == 42002 || $0.port == 42005 })
        // The report says what lnd would suffer, and which issue documents it.
        let hazard = try #require(records.first { $0["kind"]?.string == "hazard" })
        #expect(hazard["consequence"]?.string?.contains("received add while link is flushing") == true)
        #expect(hazard["issues"]?.array?.compactMap(\.string) == ["lnd#8393", "lnd#8167"])
        // No rule is broken anywhere: the hazards come from dispatch, not from the peers.
        #expect(!records.contains { $0["kind"]?.string == "finding" })
    }

    /// Every lnd version's profile finds exactly the pairs expected for it (lnd up to 0.16
    /// also drops an update that overtakes channel_ready, lnd#7401); one in-order queue per
    /// channel finds none.
    @Test(arguments: ["lnd-0.16", "lnd-0.17", "lnd-0.18"])
    func olderLnd(_ profile: String) throws {
        let found = try Self.found(profile).0
        #expect(found == (try Self.expected(profile)), "\(profile): \(found.sorted { $0.description < $1.description })")
    }

    @Test func strictFindsNone() throws {
        #expect(try Self.found("strict").0.isEmpty)
    }
}
