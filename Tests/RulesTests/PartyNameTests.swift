import Foundation
import Rules
import TestSupport
import Testing

/// Reasons name the nodes by role or alias, never "the sender" or "the peer".
@Suite(.serialized)
struct PartyNameTests {
    @Test func aCaptureNamesNodesByRoleAndALogItsOwnNodeAsTheRecordingNode() throws {
        let trace = try Synthesized(RuleFixtures.directory.appendingPathComponent("sd-no-add.scenario"), logs: ["alice=lnd", "bob=cln"])
        defer { trace.remove() }
        let capture = try Checked(trace.capture, keys: trace.keys).findings
        let add = try #require(capture.first { $0.rule.id == "sd-no-add" })
        #expect(add.reason == "`update_add_htlc` after the initiator's own `shutdown`")
        // alice wrote the add: in her log she is the recording node.
        let alice = try Checked(trace.log("alice=lnd")).findings
        #expect(alice.first { $0.rule.id == "sd-no-add" }?.reason == "`update_add_htlc` after the recording node's own `shutdown`")
        // bob received it: alice is a node id there.
        let bob = try Checked(trace.log("bob=cln")).findings
        let reason = try #require(bob.first { $0.rule.id == "sd-no-add" }?.reason)
        #expect(reason.hasPrefix("`update_add_htlc` after node ") && reason.hasSuffix("…'s own `shutdown`"), "\(reason)")
    }

    @Test func noReasonSaysTheSenderOrThePeer() throws {
        for name in RuleFixtures.violations {
            let trace = try Synthesized(RuleFixtures.directory.appendingPathComponent(name))
            defer { trace.remove() }
            for finding in try Checked(trace.capture, keys: trace.keys).findings {
                #expect(!finding.reason.contains("the sender") && !finding.reason.contains("the peer"), "\(name): \(finding.reason)")
            }
        }
    }
}
