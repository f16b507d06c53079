import Foundation
import TestSupport
import Testing

/// `tr-rotation` with both kinds of key log: with the chaining key (the ephemeral-key format)
/// the decryptor derives each epoch's key, with per-epoch keys (the MAC format) it looks
/// them up. Either way a sender that keeps its key is found at its first message of the new
/// epoch, and the direction is followed to its end.
@Suite struct KeyRotationTests {
    @Test(arguments: ["ephemeral", "mac"])
    func aSenderThatKeepsItsKeyIsFoundWithEitherKeyLog(_ format: String) throws {
        let fixture = try String(contentsOf: RuleFixtures.directory.appendingPathComponent("tr-rotation.scenario"), encoding: .utf8)
        let scenario = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-rotation-\(getpid())-\(format).scenario")
        try ("keylog \(format)\n" + fixture).write(to: scenario, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: scenario) }
        let trace = try Synthesized(scenario)
        defer { trace.remove() }
        let checked = try Checked(trace.capture, keys: trace.keys)
        #expect(checked.found == trace.expected, "\(checked.findings.map { "\($0.rule.id)@\($0.message.index ?? -1)" })")
        #expect(checked.diagnostics.isEmpty, "\(checked.diagnostics)")
        #expect(checked.summary?.messages == trace.messages.count)
    }
}
