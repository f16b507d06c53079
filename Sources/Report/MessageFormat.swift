import Basics
import Provenance
import Trace
import Wire

/// A message event as a record of `dump` (and of `check --messages`).
///
/// Its JSON object is `{"type": "update_add_htlc", "type_number": 128, "fields": {…},
/// "tlvs": {…}}` with spec field names, byte strings as lowercase hex and integers as
/// numbers (``MessageFormat/writeFields(_:to:)``), followed by where it came from
/// (`connection`, `direction`, `frames` or `line`, `time`).
public struct MessageRecord: JSONRecord {
    public var event: MessageEvent
    /// Also write the message's bytes (type included) as `"raw"`.
    public var raw: Bool

    public init(_ event: MessageEvent, raw: Bool = false) {
        self.event = event
        self.raw = raw
    }

    public static var kind: String { "message" }

    public func writeMembers(into json: inout JSONWriter) {
        json.field("type", event.content.name)
        if let type = event.content.type {
            json.field("type_number", Int(type))
        } else {
            json.key("type_number")
            json.null()
        }
        switch event.content {
        case let .decoded(message):
            if case let .unknown(unknown) = message {
                json.field("known", false)
                json.field("odd", unknown.isOdd)
            }
            // Decoding then encoding gives back the same bytes.
            if raw, let bytes = try? message.encoded() {
                json.key("raw")
                json.hex(bytes)
            }
        case .partial:
            json.field("partial", true)
        case let .undecodable(_, bytes, error):
            json.key("raw")
            json.hex(bytes)
            json.field("error", error.description)
        }
        json.key("fields")
        MessageFormat.writeFields(event.content.fields, to: &json)
        json.key("tlvs")
        MessageFormat.writeFields(event.content.tlvFields, to: &json)
        if let connection = event.connection { json.field("connection", connection) }
        if let direction = event.direction { json.field("direction", direction.rawValue) }
        if let index = event.index { json.field("index", index) }
        if let peer = event.peer { json.field("peer", peer) }
        if let identity = event.peerIdentity, identity != .nodeID { json.field("peer_identity", identity.rawValue) }
        if let channel = event.channel { json.field("channel", channel) }
        json.fields(of: event.location)
        if let time = event.time {
            json.field("time", time.description)
        }
        if let text = event.timeText { json.field("time_text", text) }
        if let source = event.timeSource { json.field("time_source", source.rawValue) }
        event.otherEnd?.write(into: &json)
    }
}

/// Renders messages' fields as JSON values and text lines.
public enum MessageFormat {
    public static func writeFields(_ fields: [WireField], to json: inout JSONWriter) {
        json.beginObject()
        for field in fields {
            json.key(field.name)
            writeValue(field.value, to: &json)
        }
        json.endObject()
    }

    public static func writeValue(_ value: FieldValue, to json: inout JSONWriter) {
        switch value {
        case let .unsigned(n): json.number(n)
        case let .signed(n): json.number(n)
        case let .bytes(b): json.hex(b)
        case let .shortChannelID(scid): json.string(scid.description)
        case let .array(values):
            json.beginArray()
            for v in values { writeValue(v, to: &json) }
            json.endArray()
        case let .record(fields): writeFields(fields, to: &json)
        }
    }

    // MARK: Text

    /// In one-line summaries, byte strings up to `fullBytes` long are shown whole, up to
    /// `abbreviatedBytes` as `first4…last4`, and longer ones by their length.
    static let fullBytes = 16
    static let abbreviatedBytes = 65

    /// One readable line: `update_add_htlc id=0 amount_msat=1000 …` (long byte strings by
    /// length, 32-byte ids abbreviated).
    public static func summary(_ content: MessageContent, omitting omitted: Set<String> = []) -> String {
        var parts = [content.name]
        switch content {
        case let .decoded(.unknown(unknown)):
            parts.append("(unknown \(unknown.isOdd ? "odd" : "even") type \(unknown.type), \(unknown.payload.count) bytes)")
        case let .undecodable(_, bytes, error):
            parts.append("(undecodable, \(bytes.count) bytes: \(error))")
        default:
            for field in content.fields where !omitted.contains(field.name) {
                parts.append("\(field.name)=\(text(field.value, abbreviate: true))")
            }
            for field in content.tlvFields {
                parts.append("\(field.name)=\(text(field.value, abbreviate: true))")
            }
        }
        return parts.joined(separator: " ")
    }

    /// Every field on its own line, values in full (`-v`), indented by `indent`.
    public static func verbose(_ content: MessageContent, indent: String = "    ") -> [String] {
        var lines: [String] = []
        func emit(_ fields: [WireField], _ prefix: String) {
            for field in fields {
                switch field.value {
                case let .record(inner):
                    lines.append("\(prefix)\(field.name):")
                    emit(inner, prefix + "  ")
                default:
                    lines.append("\(prefix)\(field.name): \(text(field.value, abbreviate: false))")
                }
            }
        }
        if case let .decoded(.unknown(unknown)) = content {
            lines.append("\(indent)payload: \(Hex.encode(unknown.payload))")
        } else if case let .undecodable(_, bytes, _) = content {
            lines.append("\(indent)raw: \(Hex.encode(bytes))")
        }
        emit(content.fields, indent)
        if !content.tlvFields.isEmpty {
            lines.append("\(indent)tlvs:")
            emit(content.tlvFields, indent + "  ")
        }
        return lines
    }

    public static func text(_ value: FieldValue, abbreviate: Bool) -> String {
        switch value {
        case let .unsigned(n): return String(n)
        case let .signed(n): return String(n)
        case let .shortChannelID(scid): return scid.description
        case let .bytes(b):
            if abbreviate, b.count > abbreviatedBytes { return "<\(b.count) bytes>" }
            if abbreviate, b.count > fullBytes { return Hex.encode(b.prefix(4)) + "…" + Hex.encode(b.suffix(4)) }
            return b.isEmpty ? "\"\"" : Hex.encode(b)
        case let .array(values):
            if abbreviate, values.count > 4 { return "[\(values.count) items]" }
            return "[" + values.map { text($0, abbreviate: abbreviate) }.joined(separator: ", ") + "]"
        case let .record(fields):
            return "{" + fields.map { "\($0.name)=\(text($0.value, abbreviate: abbreviate))" }.joined(separator: " ") + "}"
        }
    }
}
