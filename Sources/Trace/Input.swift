import NodeLogs
import Provenance
import Wire

/// The formats lntrace reads.
public enum InputFormat: String, CaseIterable, Sendable {
    /// One hex-encoded message (type included) per line.
    case hex
    /// pcap or pcapng capture.
    case pcap
    /// Node logs.
    case lnd, cln, eclair, ldk
}

/// Why an input could not be read at all (as opposed to a ``Diagnostic`` inside it).
public enum InputError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(String)
    case readFailed(path: String, errno: Int32)
    case unknownFormat(path: String)
    case unsupported(path: String, format: InputFormat)

    public var description: String {
        switch self {
        case let .cannotOpen(reason): reason
        case let .readFailed(path, code): "\(path): read error (errno \(code))"
        case let .unknownFormat(path):
            "\(path): cannot tell the input format from its first bytes; use --input-format"
        case let .unsupported(path, format): "\(path): the \(format.rawValue) input format is not supported yet"
        }
    }
}

extension InputError {
    init(_ error: LineReader.ReadError, path: String) {
        switch error {
        case let .io(code): self = .readFailed(path: path, errno: code)
        }
    }
}

/// Recognises an input's format from its first bytes.
public enum FormatDetector {
    /// Enough bytes to decide: a capture's magic number, or one complete text line.
    public static func isEnough(_ prefix: [UInt8]) -> Bool {
        prefix.count >= 4 && (isCaptureMagic(prefix) || prefix.contains(UInt8(ascii: "\n")))
    }

    public static func isCaptureMagic(_ prefix: [UInt8]) -> Bool {
        guard prefix.count >= 4 else { return false }
        let magic = UInt32(prefix[0]) << 24 | UInt32(prefix[1]) << 16 | UInt32(prefix[2]) << 8 | UInt32(prefix[3])
        // pcap (µs and ns, both byte orders) and the pcapng section header block.
        return [0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1, 0x0a0d_0d0a].contains(magic)
    }

    /// The format of an input that starts with `prefix`, or `nil` if unknown.
    public static func detect(_ prefix: [UInt8]) -> InputFormat? {
        if isCaptureMagic(prefix) { return .pcap }
        // Text: look at the first line that is not blank or a comment.
        for line in prefix.split(separator: UInt8(ascii: "\n")) {
            var text = line
            while let last = text.last, last == 13 || last == 32 || last == 9 { text = text.dropLast() }
            while let first = text.first, first == 32 || first == 9 { text = text.dropFirst() }
            if text.isEmpty || text.first == UInt8(ascii: "#") { continue }
            if text.count >= 4, text.count % 2 == 0, Hex.decode(utf8: text) != nil { return .hex }
            return nil
        }
        return nil
    }
}

/// Reads one input (a file, or `-` for standard input) and reports its events in input order.
public struct InputReader {
    public let path: String
    public let format: InputFormat?
    public let captureOptions: CaptureOptions

    public init(path: String, format: InputFormat? = nil, captureOptions: CaptureOptions = CaptureOptions()) {
        self.path = path
        self.format = format
        self.captureOptions = captureOptions
    }

    /// Reads the whole input, calling `emit` for each event as soon as it is known and
    /// `drained` before each read that may wait for more input (a live pipe), so the caller
    /// can flush its output.
    public func read(emit: (TraceEvent) -> Void, drained: () -> Void = {}) throws(InputError) {
        let file: FileDescriptorSource
        do {
            file = try InputFile.open(path)
        } catch {
            throw .cannotOpen(error.description)
        }
        let prefix: [UInt8]
        do {
            prefix = try InputFile.peek(file, limit: 1 << 16, enough: FormatDetector.isEnough)
        } catch {
            throw InputError(error, path: path)
        }
        guard let format = format ?? FormatDetector.detect(prefix) else {
            if prefix.isEmpty { return }
            throw .unknownFormat(path: path)
        }
        let source = PrefixedSource(prefix: prefix, rest: file)
        switch format {
        case .pcap:
            let capture = CaptureInput(path: path, options: captureOptions)
            // A file is reopened by libpcap; standard input continues after the peeked bytes.
            // The assembler keeps `emit` only while this call runs.
            try withoutActuallyEscaping(emit) { emit throws(InputError) in
                _ = try capture.read(source: path == "-" ? source : nil, emit: emit, drained: drained)
            }
        case .hex:
            try readLines(source, emit: emit, drained: drained) { parser, line in
                parser.parse(line)
            }
        default:
            throw .unsupported(path: path, format: format)
        }
    }

    private func readLines(
        _ source: ByteSource, emit: (TraceEvent) -> Void, drained: () -> Void,
        parse: (HexDumpParser, LineReader.Line) -> LogEvent?
    ) throws(InputError) {
        var reader = LineReader(source: source)
        let parser = HexDumpParser(file: path)
        while true {
            let line: LineReader.Line?
            do {
                line = try reader.next(beforeReading: drained)
            } catch {
                throw InputError(error, path: path)
            }
            guard let line else { break }
            switch parse(parser, line) {
            case let .message(message)?:
                emit(.message(MessageEvent(
                    direction: message.direction, content: message.content,
                    location: SourceLocation(file: path, line: message.line),
                    time: message.time, timeText: message.timeText, peer: message.peer)))
            case let .diagnostic(diagnostic)?:
                emit(.diagnostic(diagnostic))
            case nil:
                break
            }
        }
    }
}
