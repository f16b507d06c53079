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
    case readFailed(path: String, reason: String)
    case unknownFormat(path: String)

    public var description: String {
        switch self {
        case let .cannotOpen(reason): reason
        case let .readFailed(path, reason): "\(path): read error: \(reason)"
        case let .unknownFormat(path):
            "\(path): cannot tell the input format from its first lines; use --input-format"
        }
    }
}

extension InputError {
    init(_ error: ReadError, path: String) {
        self = .readFailed(path: path, reason: error.description)
    }
}

/// Recognises an input's format from its first bytes: a capture's magic number, or the
/// shape of its first log lines.
public enum FormatDetector {
    /// Whether the prefix decides the format (or is long enough that more will not help).
    public static func isEnough(_ prefix: [UInt8]) -> Bool {
        if prefix.count >= 4 && isCaptureMagic(prefix) { return true }
        if GzipSource.isGzip(prefix) { return true }
        if detect(prefix) != nil { return true }
        return prefix.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } >= 200
    }

    public static func isCaptureMagic(_ prefix: [UInt8]) -> Bool {
        guard prefix.count >= 4 else { return false }
        let magic = UInt32(prefix[0]) << 24 | UInt32(prefix[1]) << 16 | UInt32(prefix[2]) << 8 | UInt32(prefix[3])
        // pcap (µs and ns, both byte orders) and the pcapng section header block.
        return [0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1, 0x0a0d_0d0a].contains(magic)
    }

    /// The format of an input that starts with `prefix`, or `nil` if unknown (yet).
    public static func detect(_ prefix: [UInt8]) -> InputFormat? {
        if isCaptureMagic(prefix) { return .pcap }
        for raw in prefix.split(separator: UInt8(ascii: "\n")) {
            var line = raw
            while let last = line.last, last == 13 || last == 32 || last == 9 { line = line.dropLast() }
            while let first = line.first, first == 32 || first == 9 { line = line.dropFirst() }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            if let format = detectLine(line) { return format }
        }
        return nil
    }

    /// One line's format, judged by the line prefixes the implementations write.
    static func detectLine(_ line: ArraySlice<UInt8>) -> InputFormat? {
        if line.count >= 4, line.count % 2 == 0, Hex.decode(utf8: line) != nil { return .hex }
        let text = String(decoding: line.prefix(200), as: UTF8.self)
        if text.contains("[lightning::") || text.contains("Enqueueing message ") { return .ldk }
        if text.contains(" - IN msg=") || text.contains(" - OUT msg=") || text.contains("f.a.e") && isDate(text, separator: ",") {
            return .eclair
        }
        if text.contains(": peer_in ") || text.contains(": peer_out ") || text.contains(": [IN] ") || text.contains(": [OUT] ")
            || isDate(text, t: true) || text.contains("lightningd") {
            return .cln
        }
        // lnd (btclog): "2024-05-01 15:54:18.364 [DBG] PEER: …", or without timestamps "[DBG] PEER: …".
        let levels = ["[TRC] ", "[DBG] ", "[INF] ", "[WRN] ", "[ERR] ", "[CRT] "]
        if levels.contains(where: { text.hasPrefix($0) || (isDate(text, separator: ".") && text.dropFirst(24).hasPrefix($0)) }) {
            return .lnd
        }
        return nil
    }

    /// `YYYY-MM-DD HH:MM:SS<separator>` (or with `T` and a trailing `Z`) at the start.
    static func isDate(_ text: String, separator: Character = ".", t: Bool = false) -> Bool {
        let chars = Array(text.prefix(24))
        guard chars.count >= 20 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digits.allSatisfy({ chars[$0].isNumber }), chars[4] == "-", chars[7] == "-", chars[13] == ":", chars[16] == ":" else {
            return false
        }
        if t { return chars[10] == "T" && text.dropFirst(19).contains("Z") }
        return chars[10] == " " && chars[19] == separator
    }
}

/// Reads one input (a file, or `-` for standard input; gzip-compressed or not) and
/// reports its events in input order.
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
    /// `drained` whenever the input pauses (a live pipe has no more bytes yet), so the
    /// caller can flush its output.
    ///
    /// `progress` is told now and then how many bytes of the file have been read, and its
    /// size when it is a regular file (for a progress meter).
    public func read(
        emit: (TraceEvent) -> Void, drained: () -> Void = {}, progress: (_ read: Int64, _ total: Int64?) -> Void = { _, _ in },
        detected: (InputFormat) -> Void = { _ in }
    ) throws(InputError) {
        let file: FileDescriptorSource
        do {
            file = try InputFile.open(path)
        } catch {
            throw .cannotOpen(error.description)
        }
        var source: ByteSource = file
        var prefix: [UInt8]
        do {
            prefix = try InputFile.peek(source, limit: 1 << 16, enough: FormatDetector.isEnough)
            if GzipSource.isGzip(prefix) {
                guard let gzip = GzipSource(PrefixedSource(prefix: prefix, rest: file)) else {
                    throw InputError.readFailed(path: path, reason: "zlib could not start")
                }
                source = gzip
                prefix = try InputFile.peek(source, limit: 1 << 16, enough: FormatDetector.isEnough)
            }
        } catch let error as ReadError {
            throw InputError(error, path: path)
        } catch {
            throw .readFailed(path: path, reason: "\(error)")
        }
        guard let format = format ?? FormatDetector.detect(prefix) else {
            if prefix.isEmpty { return }
            throw .unknownFormat(path: path)
        }
        detected(format)
        let input = PrefixedSource(prefix: prefix, rest: source)
        let total = file.regularFileSize
        func report(_ bytes: Int64) { progress(bytes, total) }
        /// A log, line by line; its progress is the bytes read from the file.
        func lines(_ parser: some LogParser) throws(InputError) {
            try readLines(input, format: format, parser: parser, emit: emit, drained: drained, progress: { report(file.position ?? 0) })
        }
        switch format {
        case .pcap:
            let capture = CaptureInput(path: path, options: captureOptions)
            // The assembler keeps `emit` only while this call runs.
            try withoutActuallyEscaping(emit) { emit throws(InputError) in
                // A plain file is reopened by libpcap; anything else continues after the peeked bytes.
                let plainFile = path != "-" && !(source is GzipSource)
                _ = try capture.read(source: plainFile ? nil : input, emit: emit, drained: drained, progress: report)
            }
        case .hex: try lines(HexDumpParser(file: path))
        case .lnd: try lines(LndLogParser(file: path))
        case .cln: try lines(ClnLogParser(file: path))
        case .eclair: try lines(EclairLogParser(file: path))
        case .ldk: try lines(LdkLogParser(file: path))
        }
    }

    /// Reads `source` line by line through `parser`.
    private func readLines<Parser: LogParser>(
        _ source: ByteSource, format: InputFormat, parser: Parser,
        emit: (TraceEvent) -> Void, drained: () -> Void, progress: () -> Void
    ) throws(InputError) {
        var parser = parser
        var reader = LineReader(source: source)
        var summary = LogSummaryBuilder(file: path, format: format.rawValue)
        func deliver(_ events: [LogEvent]) {
            for event in events {
                switch event {
                case let .message(message):
                    let event = MessageEvent(
                        connection: summary.peerID(message.peer), direction: message.direction, content: message.content,
                        location: SourceLocation(file: path, line: message.line), time: message.time,
                        timeText: message.timeText, peer: message.peer, channelLabel: message.channelLabel,
                        sender: message.direction == .out ? "local" : message.peer ?? "peer",
                        receiver: message.direction == .out ? message.peer ?? "peer" : "local")
                    summary.add(event, line: message.line)
                    emit(.message(event))
                case let .diagnostic(diagnostic):
                    emit(.diagnostic(diagnostic))
                case let .note(note):
                    emit(.note(NoteEvent(location: SourceLocation(file: path, line: note.line), time: note.time, timeText: note.timeText,
                                         channel: note.channelID?.hex, kind: note.kind, text: note.text)))
                }
            }
        }
        while true {
            let line: LineReader.Line?
            do {
                line = try reader.next {
                    // Only when a live pipe is waiting: held-back events and output go out now.
                    if !source.hasPendingInput {
                        deliver(parser.flush())
                        drained()
                    }
                }
            } catch {
                deliver(parser.flush())
                throw InputError(error, path: path)
            }
            guard let line else { break }
            if line.number & 4095 == 0 { progress() }
            summary.summary.lines = line.number
            deliver(parser.parse(line))
        }
        deliver(parser.flush())
        summary.summary.skippedLines = parser.skippedLines
        emit(.streams(summary.summary))
        drained()
    }
}
