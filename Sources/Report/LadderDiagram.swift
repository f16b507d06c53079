import Hazards
import Provenance
import Rules
import Trace
import Wire

/// One channel's messages as a ladder (sequence) diagram: the two nodes as participants,
/// time running down, each message an arrow from its sender, findings and hazards marked at
/// their messages (issue 16, "Ladder diagrams").
public struct LadderDiagram: Sendable {
    /// A message drawn, or a gap of messages left out between two windows.
    public enum Row: Sendable {
        case message(MessageEvent)
        case gap(Int)
        /// A mark whose message was not kept (an answer judged when the connection ended).
        case note(Mark)
    }

    /// What is marked at a message: a finding or a hazard, as one line.
    public struct Mark: Sendable {
        public var text: String
        public init(text: String) { self.text = text }
    }

    public var channel: String?
    public var rows: [Row] = []
    /// Marks by the message they belong to (its location and index).
    public var marks: [MessageKey: [Mark]] = [:]

    public init(channel: String?) { self.channel = channel }

    /// A message's identity in the trace: its place in its input and on its connection.
    public struct MessageKey: Hashable, Sendable {
        var location: SourceLocation
        var index: Int?
        public init(_ event: MessageEvent) {
            location = event.location
            index = event.index
        }
    }

    public static func mark(_ finding: Finding) -> Mark {
        Mark(text: "\(finding.rule.id) (\(finding.severity.rawValue)): \(finding.reason)")
    }

    public static func mark(_ hazard: Hazard) -> Mark {
        Mark(
            text:
                "hazard \(hazard.kind): \(hazard.first.content.name) (\(hazard.firstQueue)) and \(hazard.second.content.name) (\(hazard.secondQueue)) may be processed out of order"
        )
    }

    // MARK: Mermaid

    /// Mermaid `sequenceDiagram` text, which GitHub renders in issues and Markdown. Labels
    /// keep to what its grammar takes: `;`, `#` and `%` become entity codes.
    public func mermaid() -> String {
        var out = ["sequenceDiagram"]
        var ids: [String: String] = [:]
        func id(_ label: String) -> String {
            if let known = ids[label] { return known }
            let new = "N\(ids.count + 1)"
            ids[label] = new
            out.append("    participant \(new) as \(Self.escape(label))")
            return new
        }
        // Participants in the order the nodes first send or receive.
        for case let .message(event) in rows {
            _ = id(event.sender ?? "initiator")
            _ = id(event.receiver ?? "responder")
        }
        let everyone = ids.values.sorted()
        for row in rows {
            switch row {
            case let .gap(count):
                out.append("    Note over \(everyone.prefix(2).joined(separator: ",")): \(count) message\(count == 1 ? "" : "s") left out")
            case let .note(mark):
                out.append("    Note over \(everyone.prefix(2).joined(separator: ",")): \(Self.escape(mark.text))")
            case let .message(event):
                let from = id(event.sender ?? "initiator")
                let to = id(event.receiver ?? "responder")
                out.append("    \(from)->>\(to): \(Self.escape(Self.label(event)))")
                for mark in marks[MessageKey(event)] ?? [] {
                    out.append("    Note over \(from): \(Self.escape(mark.text))")
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A message's arrow label: its type, the HTLC or commitment it names, and where it is.
    static func label(_ event: MessageEvent) -> String {
        var text = event.content.name
        let view = MessageView(event.content)
        if let id = view.uint(\.id) { text += " id=\(id)" }
        if let place = event.location.frames.first.map({ "frame \($0)" }) ?? event.location.line.map({ "line \($0)" }) {
            text += " (\(place))"
        }
        return text
    }

    /// Text safe inside a Mermaid label: one line, with the characters its grammar gives a
    /// meaning (`;` ends a statement, `#` starts an entity code, `%%` a comment) as entity codes.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case ";": out += "#59;"
            case "#": out += "#35;"
            case "%": out += "#37;"
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
