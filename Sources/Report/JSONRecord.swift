import Basics
import Provenance
import Trace

/// One record of a report: a finding, a message, a diagnostic, an input's summary, …
///
/// A record is written as one JSON object, the same in a JSON document (an element of one of
/// its arrays) and in JSON Lines (a line of its own, `kind` first): its members are written in
/// one place, ``writeMembers(into:)``, and the object around them by ``writeJSON(into:kind:)``.
public protocol JSONRecord {
    /// What the record is in JSON Lines: `finding`, `message`, `diagnostic`, …
    static var kind: String { get }
    /// Writes the record's members in order; the object around them is the caller's.
    func writeMembers(into json: inout JSONWriter)
}

extension JSONRecord {
    /// Writes the record as one JSON object; `kind`: with its JSON Lines `kind` first.
    public func writeJSON(into json: inout JSONWriter, kind: Bool = false) {
        json.beginObject()
        if kind { json.field("kind", Self.kind) }
        writeMembers(into: &json)
        json.endObject()
    }
}

extension JSONWriter {
    /// Where something is in an input: `file`, and `line` or `frames` when known.
    mutating func fields(of location: SourceLocation) {
        field("file", location.file)
        if let line = location.line { field("line", line) }
        if !location.frames.isEmpty {
            key("frames")
            beginArray()
            for frame in location.frames { number(frame) }
            endArray()
        }
    }

    /// A message's type and where it is: connection, direction, index, node labels, file,
    /// line or frames, time (the members findings and hazards name a message by).
    mutating func place(of message: MessageEvent) {
        field("type", message.content.name)
        if let connection = message.connection { field("connection", connection) }
        if let direction = message.direction { field("direction", direction.rawValue) }
        if let index = message.index { field("index", index) }
        if let sender = message.sender { field("sender", sender) }
        if let receiver = message.receiver { field("receiver", receiver) }
        fields(of: message.location)
        if let time = message.time { field("time", time.description) }
        if let text = message.timeText { field("time_text", text) }
        if let source = message.timeSource { field("time_source", source.rawValue) }
        message.otherEnd?.write(into: &self)
    }

    /// `key`: an array of messages, each as its type and place.
    mutating func places(_ key: String, _ messages: [MessageEvent]) {
        self.key(key)
        beginArray()
        for message in messages {
            beginObject()
            place(of: message)
            endObject()
        }
        endArray()
    }
}
