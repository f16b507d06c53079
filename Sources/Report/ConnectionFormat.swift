import Basics
import Provenance
import Trace

extension ConnectionSummary: JSONRecord {
    public static var kind: String { "connection" }

    /// Endpoints, frames, times, bytes and messages each way, and how far it was decrypted.
    public func writeMembers(into json: inout JSONWriter) {
        let c = self
        json.field("connection", c.id)
        json.field("initiator", c.initiator.description)
        json.field("responder", c.responder.description)
        json.field("initiator_known", c.initiatorKnown)
        json.field("handshake", c.handshakeSeen)
        json.field("first_frame", c.firstFrame)
        json.field("last_frame", c.lastFrame)
        json.field("first_time", c.firstTime.description)
        json.field("last_time", c.lastTime.description)
        json.key("bytes")
        json.beginObject()
        json.field("out", Int(c.bytesOut))
        json.field("in", Int(c.bytesIn))
        json.endObject()
        json.key("messages")
        json.beginObject()
        json.field("out", c.messagesOut)
        json.field("in", c.messagesIn)
        json.endObject()
        json.field("decryption", c.decryption.rawValue)
        json.field("problems", c.problems)
        if c.problemsOmitted > 0 { json.field("problems_omitted", c.problemsOmitted) }
        if let reason = c.closeReason { json.field("end", reason) }
    }
}

/// Renders capture connection summaries as text.
public enum ConnectionFormat {
    /// Two lines per connection: endpoints, frames, times; then counts and status.
    public static func text(_ c: ConnectionSummary) -> [String] {
        let role = c.initiatorKnown ? "" : " (initiator unknown)"
        var lines = [
            "#\(c.id)  \(c.initiator) → \(c.responder)\(role)  frames \(c.firstFrame)-\(c.lastFrame)  \(c.firstTime) … \(c.lastTime)",
            "    out: \(c.messagesOut) messages, \(c.bytesOut) bytes; in: \(c.messagesIn) messages, \(c.bytesIn) bytes; \(c.decryption.rawValue)"
                + (c.handshakeSeen ? "" : "; handshake not captured") + (c.closeReason.map { "; ended: \($0)" } ?? ""),
        ]
        for problem in c.problems { lines.append("    problem: \(problem)") }
        if c.problemsOmitted > 0 { lines.append("    … \(c.problemsOmitted) more problems not kept") }
        return lines
    }
}
