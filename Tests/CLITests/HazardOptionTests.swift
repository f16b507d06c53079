import Foundation
import TestSupport
import Testing

/// `--window`, `--local` and `--hazards` on the bundled lnd#8393 capture (the add is two
/// messages and about 0.1 ms before the shutdown; bob, 10.0.0.2, received them).
@Suite struct HazardOptionTests {
    static let capture = ["--keylog", "Fixtures/captures/hazards/lnd-8393.keys", "Fixtures/captures/hazards/lnd-8393.pcap"]

    static func hazards(_ options: [String]) throws -> [JSONValue] {
        let result = try LNTraceBinary.run(["check", "--format", "jsonl"] + options + capture)
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONValue.lines(result.stdout).filter { $0["kind"]?.string == "hazard" }
    }

    @Test func windowBoundsThePair() throws {
        #expect(try Self.hazards(["--hazards", "lnd", "--window", "1"]).isEmpty)
        #expect(try Self.hazards(["--hazards", "lnd", "--window", "2"]).count == 1)
        #expect(try Self.hazards(["--hazards", "lnd", "--window", "1ms"]).count == 1)
        let bad = try LNTraceBinary.run(["check", "--hazards", "lnd", "--window", "soon"] + Self.capture)
        #expect(bad.status != 0 && bad.stderr.contains("--window"))
    }

    @Test func localNamesTheProfiledNode() throws {
        let atBob = try Self.hazards(["--hazards", "lnd", "--local", "10.0.0.2"])
        #expect(atBob.count == 1)
        #expect(atBob.first?["node"]?.string == "10.0.0.2")
        #expect(try Self.hazards(["--hazards", "lnd", "--local", "10.0.0.1"]).isEmpty)
        // Captures get no hazard analysis unless asked.
        #expect(try Self.hazards([]).isEmpty)
        let unknown = try LNTraceBinary.run(["check", "--hazards", "no-such-profile"] + Self.capture)
        #expect(unknown.status != 0 && unknown.stderr.contains("no profile 'no-such-profile'"))
    }

    @Test func customProfileFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-\(getpid()).profile").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
        # every channel message but shutdown in one queue
        profile mine
        queue all update_add_htlc commitment_signed revoke_and_ack update_fulfill_htlc
        queue close shutdown
        fails *
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let found = try Self.hazards(["--hazards", path])
        #expect(found.first?["hazard"]?.string == "reorder")
        #expect(found.first?["profile"]?.string == "mine")
        // A misspelt message type would silently disable the hazard: an error at its line.
        try """
        profile mine
        queue all update_add_htlc commitment_signed
        queue close shutdwn
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try LNTraceBinary.run(["check", "--hazards", path] + Self.capture)
        #expect(bad.status == 2 && bad.stderr.contains("\(path):3: no message type 'shutdwn'"), "\(bad.stderr)")
        let explain = try LNTraceBinary.run(["explain", "reorder"])
        #expect(explain.status == 0 && explain.stdout.contains("fails"))
    }
}
