import Foundation
import Provenance
import Rules
import TestSupport
import Testing
import Trace

/// Root causes first: after a violation the channel model recovers, and what still follows
/// from a fault is marked as following it. Checked on a real capture (pyln-proto peers,
/// Fixtures/captures/pyln-cascade) with nine faults after which the channel goes on, whose
/// places come from the generator's own model (expected.jsonl).
@Suite(.serialized)
struct RootCauseTests {
    static let directory = "Fixtures/captures/pyln-cascade"

    struct Injected: Hashable {
        var connection: Int
        var index: Int
    }

    /// The injected messages: (connection ordinal, message index) → rules.
    static func expected() throws -> [Injected: Set<String>] {
        var out: [Injected: Set<String>] = [:]
        for record in try JSONValue.lines(String(decoding: try Fixtures.data("captures/pyln-cascade/expected.jsonl"), as: UTF8.self)) {
            let place = Injected(connection: Int(record["connection"]?.uint64 ?? 99), index: Int(record["index"]?.uint64 ?? 0))
            out[place] = Set((record["rules"]?.array ?? []).compactMap(\.string))
        }
        return out
    }

    static func findings() throws -> [Finding] {
        let events = try SuffixTests.events(
            Fixtures.url("captures/pyln-cascade/cascade.pcap").path,
            keys: Fixtures.url("captures/pyln-cascade/keys.log").path)
        var engine = RuleEngine(rules: Catalog.rules)
        return events.flatMap { engine.process($0) }
    }

    @Test func eachInjectedFaultIsOneRootAndEveryOtherFindingFollowsIt() throws {
        let expected = try Self.expected()
        #expect(expected.count == 9)
        let findings = try Self.findings()
        // Connection numbers in the capture are 1-based in time order; the generator's ordinals 0-based.
        let roots = findings.filter(\.isRoot)
        #expect(Set(roots.map { Injected(connection: ($0.connection ?? 0) - 1, index: $0.message.index ?? -1) }) == Set(expected.keys))
        #expect(roots.count == expected.count)
        var byPlace: [Injected: Set<String>] = [:]
        for finding in findings {
            byPlace[Injected(connection: (finding.connection ?? 0) - 1, index: finding.message.index ?? -1), default: []].insert(finding.rule.id)
        }
        #expect(byPlace == expected)
        let ids = Dictionary(uniqueKeysWithValues: findings.map { ($0.id, $0) })
        #expect(ids.count == findings.count, "ids are unique")
        for finding in findings where !finding.isRoot {
            let root = try #require(finding.follows.flatMap { ids[$0] })
            #expect(root.isRoot)
            #expect(root.message.index == finding.message.index, "\(finding.rule.id) follows the root on its own message")
        }
    }

    /// Without the model's recovery (a revocation of nothing changes nothing), one repeated
    /// revoke_and_ack sets it one revocation ahead for the rest of the channel: the lineage
    /// still marks what follows. Replayed here by feeding the repeated message twice more.
    @Test func aPersistingConditionFollowsItsFirstFinding() throws {
        let events = try SuffixTests.events(
            Fixtures.url("captures/pyln-cascade/cascade.pcap").path,
            keys: Fixtures.url("captures/pyln-cascade/keys.log").path)
        var engine = RuleEngine(rules: Catalog.rules)
        var findings: [Finding] = []
        for event in events {
            let found = engine.process(event)
            findings += found
            // The repeated revoke_and_ack (raa-solicited): send it twice more in a row.
            if found.contains(where: { $0.rule.id == "raa-solicited" }) {
                findings += engine.process(event)
                findings += engine.process(event)
            }
        }
        let solicited = findings.filter { $0.rule.id == "raa-solicited" }
        #expect(solicited.count == 3)
        #expect(solicited[0].isRoot)
        let first = solicited[0].id
        #expect(solicited.dropFirst().allSatisfy { $0.follows == first })
        // The rest of the channel is judged as before: the same nine roots.
        #expect(findings.filter(\.isRoot).count == 9)
    }

    /// Checks a scenario given as text, made into a capture by `synth`.
    static func check(_ scenario: String) throws -> [Finding] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-roots-\(UUID().uuidString).scenario")
        try scenario.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let trace = try Synthesized(file)
        defer { trace.remove() }
        return try Checked(trace.capture, keys: trace.keys).findings
    }

    static let opened = """
        node alice
        node bob
        connect alice bob
        alice -> bob init
        bob -> alice init
        open alice bob

        """

    @Test func aRuleThatPassedInBetweenStartsANewRoot() throws {
        // Two skipped ids with a valid add between them: two faults, two roots.
        let findings = try Self.check(
            Self.opened + """
                alice -> bob update_add_htlc
                alice -> bob update_add_htlc id=2
                alice -> bob update_add_htlc id=3
                alice -> bob update_add_htlc id=5
                """)
        #expect(findings.map(\.rule.id) == ["add-id-increment", "add-id-increment"])
        #expect(findings.allSatisfy { $0.isRoot })
        #expect(findings.map(\.id) == [1, 2])
    }

    @Test func aConditionThatPersistsFollowsItsRoot() throws {
        // An HTLC still committed at every closing_signed: one fault, then its follow-ons.
        let findings = try Self.check(
            Self.opened + """
                alice -> bob update_add_htlc amount_msat=50000000
                alice -> bob commitment_signed
                bob -> alice revoke_and_ack
                bob -> alice commitment_signed
                alice -> bob revoke_and_ack
                alice -> bob shutdown
                bob -> alice shutdown
                alice -> bob closing_signed
                bob -> alice closing_signed
                alice -> bob closing_signed
                """)
        let close = findings.filter { $0.rule.id == "close-when-clean" }
        #expect(close.count == 3)
        #expect(close.first?.isRoot == true)
        let rootID = close.first?.id
        #expect(close.dropFirst().allSatisfy { $0.follows == rootID })
        #expect(findings.filter(\.isRoot).count == 1, "\(findings.map { "\($0.rule.id) \($0.follows.map(String.init) ?? "root")" })")
    }
}
