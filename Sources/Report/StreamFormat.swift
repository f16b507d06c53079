import Basics
import Provenance
import Trace

extension LogSummary: JSONRecord {
    public static var kind: String { "streams" }

    /// The log's format, lines, sources (one per writer of an interleaved log) and streams
    /// per peer and channel.
    public func writeMembers(into json: inout JSONWriter) {
        let summary = self
        json.field("file", summary.file)
        json.field("format", summary.format)
        json.field("lines", summary.lines)
        json.field("messages", summary.messages)
        json.field("skipped_lines", summary.skippedLines)
        json.field("unrecognized_lines", summary.unrecognizedLines)
        json.key("wrappers")
        json.beginArray()
        for wrapper in summary.wrappers { json.string(wrapper) }
        json.endArray()
        json.key("sources")
        json.beginArray()
        for source in summary.sources {
            json.beginObject()
            if let name = source.name { json.field("name", name) }
            json.field("format", source.dialect.rawValue)
            json.field("node", source.node)
            json.key("wrappers")
            json.beginArray()
            for wrapper in source.wrappers { json.string(wrapper) }
            json.endArray()
            json.field("lines", source.lines)
            json.field("messages", source.messages)
            json.field("first_line", source.firstLine)
            json.endObject()
        }
        json.endArray()
        json.key("streams")
        json.beginArray()
        for stream in summary.streams {
            json.beginObject()
            json.field("connection", stream.id)
            if summary.sources.count > 1, stream.source < summary.sources.count, let name = summary.sources[stream.source].name {
                json.field("source", name)
            }
            if let peer = stream.peer { json.field("peer", peer) }
            if let channel = stream.channel { json.field("channel", channel) }
            json.key("messages")
            json.beginObject()
            json.field("out", stream.messagesOut)
            json.field("in", stream.messagesIn)
            json.endObject()
            json.field("first_line", stream.firstLine)
            json.field("last_line", stream.lastLine)
            if let time = stream.firstTime { json.field("first_time", time.description) }
            if let time = stream.lastTime { json.field("last_time", time.description) }
            json.endObject()
        }
        json.endArray()
        if summary.omittedMessages > 0 { json.field("omitted_stream_messages", summary.omittedMessages) }
    }
}

/// Renders a log input's streams per peer and channel as text.
public enum StreamFormat {
    public static func text(_ summary: LogSummary) -> [String] {
        var lines = [
            "\(summary.file) (\(summary.description)): \(summary.lines) lines, \(summary.messages) messages, \(summary.skippedLines) other lines"
        ]
        for stream in summary.streams {
            let peer = stream.peer.map { TextFit.short($0) } ?? "(no peer)"
            let channel = stream.channel.map { $0.count > 20 ? TextFit.short($0) : $0 } ?? "(connection)"
            let source = summary.sources.count > 1 ? summary.sources[stream.source].name.map { "\($0): " } ?? "" : ""
            lines.append(
                "  #\(stream.id) \(source)\(peer) channel \(channel): out \(stream.messagesOut), in \(stream.messagesIn); lines \(stream.firstLine)-\(stream.lastLine)"
            )
        }
        if summary.omittedMessages > 0 {
            lines.append("  \(summary.omittedMessages) more messages in further streams (the first \(summary.streams.count) are listed)")
        }
        return lines
    }
}
