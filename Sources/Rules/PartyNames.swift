import Foundation
import Trace

/// Names the two nodes in a finding's reason by role or alias, never "the sender" and
/// "the peer": a rule writes its reason from the sender's point of view, and the finding
/// says whose message it was (`the initiator's \`closing_signed\``, `bob's`, `the recording
/// node's`).
struct PartyNames {
    /// How the sender and the receiver are called.
    var sender: String
    var receiver: String

    /// Names for a message's two nodes. A node log's own node is "the recording node" and a
    /// peer "node 03864ef0…"; in a capture a node is named by its alias (`--alias`), else
    /// by its role on the connection, and the node given with `--local` is "the recording
    /// node".
    init(event: MessageEvent, senderLabel: String, receiverLabel: String, isLocal: (String) -> Bool) {
        let fromInitiator = event.direction != .in
        let log = event.location.line != nil
        sender = Self.name(senderLabel, initiator: fromInitiator, log: log, isLocal: isLocal)
        receiver = Self.name(receiverLabel, initiator: !fromInitiator, log: log, isLocal: isLocal)
        if sender == receiver {
            // Two nodes that the labels do not tell apart: their roles do.
            sender = fromInitiator ? "the initiator" : "the responder"
            receiver = fromInitiator ? "the responder" : "the initiator"
        }
    }

    static func name(_ label: String, initiator: Bool, log: Bool, isLocal: (String) -> Bool) -> String {
        if label == "local" { return "the recording node" }
        if label.hasPrefix("local ("), label.hasSuffix(")") { return String(label.dropFirst(7).dropLast()) }
        if isLocal(label) { return "the recording node" }
        if label.count == 66, label.allSatisfy(\.isHexDigit) { return "node \(label.prefix(8))…" }
        if label == "peer" { return "the peer node" }
        if log { return label }
        // An address or endpoint is what the connection's title already shows: the role is
        // shorter and says which side. An alias is the user's name for the node.
        let address = label.first.map { $0.isNumber || $0 == "[" } ?? true || label.contains(":")
        if address || label == "initiator" || label == "responder" { return initiator ? "the initiator" : "the responder" }
        return label
    }

    private static let patterns: [(NSRegularExpression, Bool, Bool)] = [
        // (pattern, the sender?, possessive?)
        (try! NSRegularExpression(pattern: #"\b[Tt]he sender's\b"#), true, true),
        (try! NSRegularExpression(pattern: #"\b[Tt]he sender\b"#), true, false),
        (try! NSRegularExpression(pattern: #"\b[Tt]he peer's\b"#), false, true),
        (try! NSRegularExpression(pattern: #"\b[Tt]he peer\b(?! node)"#), false, false),
        (try! NSRegularExpression(pattern: #"^sender's\b"#), true, true),
        (try! NSRegularExpression(pattern: #"^peer's\b"#), false, true),
    ]

    /// `reason` with the sender and the peer named.
    func apply(_ reason: String) -> String {
        guard reason.contains("sender") || reason.contains("peer") else { return reason }
        var text = reason
        for (pattern, isSender, possessive) in Self.patterns {
            let name = isSender ? sender : receiver
            let replacement = NSRegularExpression.escapedTemplate(for: possessive ? name + "'s" : name)
            text = pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: replacement)
        }
        return text
    }
}
