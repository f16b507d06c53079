import Basics
import Provenance
import Wire

/// The plain hex input format: one hex-encoded message (type included) per line.
///
/// Blank lines and lines starting with `#` are skipped; surrounding whitespace and a `0x`
/// prefix are allowed. A line that is not hex, or whose bytes do not decode, yields a
/// diagnostic naming the line and the problem; the remaining lines are still decoded.
public struct HexDumpParser: LogParser, Sendable {
    public internal(set) var file: String
    public private(set) var skippedLines = 0

    public init(file: String) {
        self.file = file
    }

    public mutating func flush() -> [LogEvent] { [] }

    public mutating func parse(_ line: LineReader.Line) -> [LogEvent] {
        guard let event = parseLine(line) else {
            skippedLines += 1
            return []
        }
        return [event]
    }

    func parseLine(_ line: LineReader.Line) -> LogEvent? {
        var bytes = line.bytes
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            bytes = bytes.dropFirst()
        }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            bytes = bytes.dropLast()
        }
        if bytes.isEmpty || bytes.first == UInt8(ascii: "#") { return nil }
        let location = SourceLocation(file: file, line: line.number)
        if line.truncated {
            return .diagnostic(
                Diagnostic(
                    .error, "input.line-too-long", at: location,
                    "line longer than \(bytes.count) bytes; skipped"))
        }
        if bytes.count >= 2, bytes.first == UInt8(ascii: "0"),
            bytes[bytes.startIndex + 1] | 0x20 == UInt8(ascii: "x")
        {
            bytes = bytes.dropFirst(2)
        }
        guard let decoded = Hex.decode(utf8: bytes) else {
            let reason = bytes.count % 2 == 1 ? "odd number of hex digits" : "not hex"
            return .diagnostic(Diagnostic(.error, "hex.malformed", at: location, "\(reason): \(Self.preview(bytes))"))
        }
        let content = MessageContent.decoding(decoded)
        if case let .undecodable(_, _, error) = content {
            return .diagnostic(Diagnostic(.error, "wire.malformed", at: location, error.description))
        }
        return .message(LogMessage(line: line.number, stamp: LogText.stamp(nil, line), content: content))
    }

    /// The start of a bad line, printable, for a diagnostic.
    static func preview(_ bytes: ArraySlice<UInt8>) -> String {
        let head = bytes.prefix(40).map { $0 >= 0x20 && $0 < 0x7f ? Character(UnicodeScalar($0)) : "." }
        return String(head) + (bytes.count > 40 ? "…" : "")
    }
}
