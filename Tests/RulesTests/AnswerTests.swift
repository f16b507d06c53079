import Foundation
import Rules
import TestSupport
import Testing

/// Answers (Documentation/rules.md, "Answers"): a rule that waits for a reply is judged when
/// the reply comes or when the connection really ends, and never on a trace that cannot show
/// the reply (it stopped, or lost the bytes that may hold it).
@Suite struct AnswerTests {
    /// The scenario's capture checked with `commit-ack` only: its findings, whether the rule
    /// was evaluated, and the first reason it was not (on some questions, or on all).
    static func commitAck(_ body: String) throws -> (findings: [Finding], evaluated: Bool, reason: String?) {
        try check(body, rules: ["commit-ack"])
    }

    /// The scenario's capture checked with `rules` (the first is the one judged).
    static func check(_ body: String, rules ids: [String]) throws -> (findings: [Finding], evaluated: Bool, reason: String?) {
        let scenario = FileManager.default.temporaryDirectory.appendingPathComponent("answer-\(UUID().uuidString).scenario")
        try ("node alice\nnode bob\nconnect alice bob\nalice -> bob init\nbob -> alice init\nopen alice bob push_msat=100000000\n" + body)
            .write(to: scenario, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: scenario) }
        let trace = try Synthesized(scenario)
        defer { trace.remove() }
        let rules = try Catalog.select(only: ids, skip: [])
        let checked = try Checked(trace.capture, keys: trace.keys, rules: rules)
        let coverage = checked.summary?.channels.first?.coverage
        let reason = coverage?.notEvaluatedRules.first?.reason ?? coverage?.partlyEvaluatedRules.first?.reason
        return (checked.findings, checked.evaluated.contains(ids[0]), reason)
    }

    @Test func anAnswerThatComesIsEvaluated() throws {
        let result = try Self.commitAck("alice -> bob update_add_htlc\nalice -> bob commitment_signed\nbob -> alice revoke_and_ack\n")
        #expect(result.findings.isEmpty && result.evaluated)
    }

    @Test func aConnectionClosedAfterTheOwingNodeWentOnIsAFinding() throws {
        let result = try Self.commitAck(
            "alice -> bob update_add_htlc\nalice -> bob commitment_signed\nbob -> alice update_add_htlc\ndisconnect alice bob\n")
        #expect(result.findings.map(\.rule.id) == ["commit-ack"])
        #expect(result.findings.first?.reason.contains("the connection ended (fin) after 1 other message on the channel") == true)
    }

    @Test func aConnectionClosedRightAfterTheQuestionIsNotEvaluated() throws {
        let result = try Self.commitAck("alice -> bob update_add_htlc\nalice -> bob commitment_signed\ndisconnect alice bob\n")
        #expect(result.findings.isEmpty && !result.evaluated)
        #expect(result.reason?.contains("before its receiver sent anything more") == true)
    }

    @Test func anErrorExcusesTheAnswer() throws {
        let result = try Self.commitAck(
            "alice -> bob update_add_htlc\nalice -> bob commitment_signed\nbob -> alice update_add_htlc\nbob -> alice error\ndisconnect alice bob\n")
        #expect(result.findings.isEmpty && result.evaluated)
    }

    /// The revocation is in a segment the capture lost: its absence proves nothing.
    @Test func anAnswerInBytesTheCaptureLostIsNotJudged() throws {
        let result = try Self.commitAck(
            "alice -> bob update_add_htlc\nalice -> bob commitment_signed\ntcp drop bob\nbob -> alice revoke_and_ack\nbob -> alice update_add_htlc\ndisconnect alice bob\n"
        )
        #expect(result.findings.isEmpty && !result.evaluated)
        #expect(result.reason?.contains("messages from the responder are missing") == true, "\(result.reason ?? "")")
        #expect(result.reason?.contains("were not captured before frame") == true)
    }

    /// A connection keeps at most 64 questions: the oldest are given up, "not evaluated".
    @Test func aConnectionKeepsABoundedNumberOfQuestions() throws {
        let result = try Self.commitAck(
            "repeat 70 {\n  alice -> bob update_add_htlc amount_msat=1000000\n  alice -> bob commitment_signed\n}\nbob -> alice update_add_htlc\ndisconnect alice bob\n"
        )
        #expect(result.findings.count == 64)
        #expect(result.reason?.contains("more than 64 answers were awaited on the connection") == true)
    }

    /// A capture that stops with the connection open does not end it.
    @Test func aTraceThatStopsLeavesTheAnswerNotEvaluated() throws {
        let result = try Self.commitAck(
            "alice -> bob update_add_htlc\nalice -> bob commitment_signed\nbob -> alice update_add_htlc\ncapture off\ndisconnect alice bob\n")
        #expect(result.findings.isEmpty && !result.evaluated)
        #expect(result.reason?.contains("the trace ends before its receiver sent `revoke_and_ack`") == true)
    }

    // MARK: Messages to ignore ("Ignored messages")

    static let hash = String(repeating: "ab", count: 32)
    static let twoAdds = "alice -> bob update_add_htlc payment_hash=\(hash)\nalice -> bob update_add_htlc payment_hash=\(hash)\n"

    @Test func aReceiverThatGoesOnIgnoredTheMessage() throws {
        let result = try Self.check(Self.twoAdds + "alice -> bob commitment_signed\nbob -> alice revoke_and_ack\n", rules: ["add-dup-hash"])
        #expect(result.findings.isEmpty && result.evaluated)
    }

    @Test func anErrorAtOnceIsTheFinding() throws {
        let result = try Self.check(Self.twoAdds + "bob -> alice error\n", rules: ["add-dup-hash"])
        #expect(result.findings.map(\.rule.id) == ["add-dup-hash"])
        #expect(result.findings.first?.reason.contains("with an `error` at once") == true)
        #expect(result.findings.first?.message.index == 9)  // the second add
    }

    /// The sender went on first: the error may be about its later message.
    @Test func anErrorAfterMoreFromTheSenderIsNotJudged() throws {
        let result = try Self.check(Self.twoAdds + "alice -> bob update_add_htlc\nbob -> alice warning\n", rules: ["add-dup-hash"])
        #expect(result.findings.isEmpty)
        #expect(result.reason?.contains("the `warning` may answer one of the 1 messages sent after") == true)
    }

    /// The message also broke another selected rule, which the error may answer.
    @Test func aMessageThatBrokeAnotherRuleIsNotJudged() throws {
        let body =
            "alice -> bob update_add_htlc payment_hash=\(Self.hash)\nalice -> bob update_add_htlc amount_msat=0 payment_hash=\(Self.hash)\nbob -> alice error\n"
        let result = try Self.check(body, rules: ["add-dup-hash", "add-amount-nonzero"])
        #expect(result.findings.map(\.rule.id) == ["add-amount-nonzero"])
        #expect(result.reason?.contains("the message broke add-amount-nonzero") == true)
    }

    @Test func aConnectionThatEndsBeforeTheReactionIsNotJudged() throws {
        let result = try Self.check(Self.twoAdds + "disconnect alice bob\n", rules: ["add-dup-hash"])
        #expect(result.findings.isEmpty)
        #expect(result.reason?.contains("the connection ended (fin) before its receiver sent anything more") == true)
    }
}
