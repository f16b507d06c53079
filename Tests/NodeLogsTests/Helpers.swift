import Basics
import NodeLogs
import Provenance
import Wire

/// Runs `parser` over `text` line by line (then flushes) and returns its messages and
/// diagnostics.
func run<P: LogParser>(_ parser: inout P, _ text: String) -> (messages: [LogMessage], diagnostics: [Diagnostic]) {
    var messages: [LogMessage] = []
    var diagnostics: [Diagnostic] = []
    func take(_ events: [LogEvent]) {
        for event in events {
            switch event {
            case let .message(m): messages.append(m)
            case let .diagnostic(d): diagnostics.append(d)
            case .note: break
            }
        }
    }
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        take(parser.parse(LineReader.Line(number: index + 1, bytes: ArraySlice(Array(line.utf8)))))
    }
    take(parser.flush())
    return (messages, diagnostics)
}

extension LogMessage {
    func field(_ name: String) -> FieldValue? { content.fields[name] }

    func uint(_ name: String) -> UInt64? {
        if case let .unsigned(v) = field(name) { return v }
        return nil
    }

    func hex(_ name: String) -> String? {
        if case let .bytes(b) = field(name) { return Hex.encode(b) }
        return nil
    }
}
