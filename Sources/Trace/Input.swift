#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
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

    /// The line format of a text input.
    public var dialect: LogDialect? {
        switch self {
        case .pcap: nil
        case .hex: .hex
        case .lnd: .lnd
        case .cln: .cln
        case .eclair: .eclair
        case .ldk: .ldk
        }
    }
}

/// Why an input could not be read at all, or yielded nothing (as opposed to a
/// ``Diagnostic`` inside it).
public enum InputError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, reason: String)
    /// Not a single byte.
    case empty(path: String)
    /// No line was recognised as any format.
    case unrecognized(path: String, lines: Int, wrappers: [String])
    /// Recognised as node logs, but not one line reported a wire message.
    case noMessages(path: String, lines: Int, dialects: [LogDialect])
    /// A capture without one Lightning connection.
    case noLightning(path: String, frames: Int, tcpConnections: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): reason.hasPrefix(path + ": ") ? reason : "\(path): \(reason)"
        case let .readFailed(path, reason): "\(path): read error: \(reason)"
        case let .empty(path): "\(path): the input is empty"
        case let .unrecognized(path, lines, wrappers):
            "\(path): none of its \(lines) line\(lines == 1 ? "" : "s") is a capture, a node log (lnd, Core Lightning, eclair, LDK) or a hex dump"
                + (wrappers.isEmpty ? "" : " (inside \(wrappers.joined(separator: ", ")))")
                + "; wrappers tried: journald, syslog, docker compose, docker -t, Kubernetes, CI runners, test harnesses, line numbers, Markdown"
                + "; if it is one of these formats, name it with --input-format lnd|cln|eclair|ldk|hex"
        case let .noMessages(path, lines, dialects):
            "\(path): \(dialects.map(\.title).joined(separator: " and ")) (\(lines) line\(lines == 1 ? "" : "s")) without a single wire message: "
                + dialects.map(\.messageSetting).joined(separator: "; ")
        case let .noLightning(path, frames, tcp):
            frames == 0
                ? "\(path): the capture holds no frames"
                : "\(path): \(frames) frame\(frames == 1 ? "" : "s") and \(tcp) TCP connection\(tcp == 1 ? "" : "s"), none of them Lightning "
                    + "(no BOLT #8 handshake, no key of --keylog aligns, none on port 9735 or a --port)"
        }
    }

    /// A stable code for tools (as diagnostics have).
    public var code: String {
        switch self {
        case .cannotOpen: "input.open"
        case .readFailed: "input.read"
        case .empty: "input.empty"
        case .unrecognized: "input.unrecognized"
        case .noMessages: "input.no-messages"
        case .noLightning: "capture.no-lightning"
        }
    }

    public var path: String {
        switch self {
        case let .cannotOpen(path, _), let .readFailed(path, _), let .empty(path), let .unrecognized(path, _, _),
            let .noMessages(path, _, _), let .noLightning(path, _, _):
            path
        }
    }
}

extension InputError {
    /// The error as a diagnostic of its input, for reports.
    public var diagnostic: Diagnostic {
        let message: String
        if description.hasPrefix(path + ": ") {
            message = String(description.dropFirst(path.count + 2))
        } else {
            message = description
        }
        return Diagnostic(.error, code, at: SourceLocation(file: path), message)
    }

    init(_ error: ReadError, path: String) {
        self = .readFailed(path: path, reason: error.description)
    }
}

/// Recognises a capture by its magic number; anything else is read as text, whose format is
/// told line by line (``DialectClassifier``).
public enum FormatDetector {
    /// Whether the prefix is long enough to tell a capture or gzip from text.
    public static func isEnough(_ prefix: [UInt8]) -> Bool {
        prefix.count >= 4
    }

    public static func isCaptureMagic(_ prefix: [UInt8]) -> Bool {
        guard prefix.count >= 4 else { return false }
        let magic = UInt32(prefix[0]) << 24 | UInt32(prefix[1]) << 16 | UInt32(prefix[2]) << 8 | UInt32(prefix[3])
        // pcap (µs and ns, both byte orders) and the pcapng section header block.
        return [0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1, 0x0a0d_0d0a].contains(magic)
    }
}

/// A writer found in an input: a capture, or one node (or hex dump) of a text input.
public struct InputSource: Sendable {
    public var format: InputFormat
    /// The label of the node that wrote a log (`local`, or `local (lnd-1)` when a wrapper
    /// names it): the `sender` of the messages it sent.
    public var node: String?
}

/// A log's parsers as one input left them, for the next input of the same trace to read on
/// with (``InputReader/carriedLogParsers``).
public struct LogParsers {
    let demux: LogDemultiplexer

    /// The parsers, reading on in `file`.
    func continuing(in file: String) -> LogDemultiplexer {
        var demux = demux
        demux.continuing(in: file)
        return demux
    }
}

/// Reads one input (a file, or `-` for standard input; gzip-compressed or not) and
/// reports its events in input order.
public struct InputReader {
    public let path: String
    public let format: InputFormat?
    public let captureOptions: CaptureOptions

    /// The zone of a log's times that state none (`--tz`); `nil`: UTC.
    public var zone: LocalZone?

    /// Asked before each frame or line: `true` stops reading there (`-c N`), and the input
    /// ends as if it ended at that point.
    public var stop: () -> Bool = { false }

    /// Names for a log's peers (`--alias NODE_ID=NAME`), used as their labels.
    public var aliases = Aliases()

    /// The stream numbers an earlier input of the same trace gave a log's peers
    /// (``LogSummary/streamNumbers``): a rotated log's peers keep theirs.
    public var carriedStreams: [String: Int] = [:]

    /// The log parsers of an earlier input of the same trace (`check --sequence`), to read a
    /// rotated log on with what they hold; `keepLogParsers` is given this input's at its end.
    public var carriedLogParsers: LogParsers?
    public var keepLogParsers: ((LogParsers) -> Void)?
    /// The same for a capture: the TCP and BOLT #8 state an earlier file of the same packet
    /// stream left (a ring buffer's files), and where this file's goes.
    public var carriedCapture: CaptureContinuation?
    public var keepCapture: ((CaptureContinuation) -> Void)?

    public init(path: String, format: InputFormat? = nil, captureOptions: CaptureOptions = CaptureOptions(), zone: LocalZone? = nil) {
        self.path = path
        self.format = format
        self.captureOptions = captureOptions
        self.zone = zone
    }

    /// Reads the whole input, calling `emit` for each event as soon as it is known and
    /// `drained` whenever the input pauses (a live pipe has no more bytes yet), so the
    /// caller can flush its output. `found` is told of each writer as it appears: the
    /// capture, or each node of a log.
    ///
    /// `progress` is told now and then how many bytes of the file have been read, and its
    /// size when it is a regular file (for a progress meter).
    ///
    /// Throws when the input cannot be read, is empty, has nothing lntrace recognises, or is
    /// a node log without a single wire message: an input that yields nothing is an error.
    public func read(
        emit: (TraceEvent) -> Void, drained: () -> Void = {}, progress: (_ read: Int64, _ total: Int64?) -> Void = { _, _ in },
        found: (InputSource) -> Void = { _ in }
    ) throws(InputError) {
        let file: FileDescriptorSource
        do {
            file = try InputFile.open(path)
        } catch {
            throw .cannotOpen(path: path, reason: error.description)
        }
        try read(
            from: file, plainFile: path != "-", size: file.regularFileSize, position: { file.position },
            modified: file.modificationTime, emit: emit, drained: drained, progress: progress, found: found)
    }

    /// Reads an input from `source` (named by ``path``): bytes in memory, a pipe, or an open
    /// file. `plainFile`: libpcap may reopen ``path`` itself.
    public func read(
        from source: ByteSource, plainFile: Bool = false, size: Int64? = nil, position: () -> Int64? = { nil },
        modified: Int64? = nil, emit: (TraceEvent) -> Void, drained: () -> Void = {},
        progress: (_ read: Int64, _ total: Int64?) -> Void = { _, _ in }, found: (InputSource) -> Void = { _ in }
    ) throws(InputError) {
        let file = source
        var source: ByteSource = source
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
        } catch let error as InputError {
            throw error
        } catch {
            throw .readFailed(path: path, reason: "\(error)")
        }
        if prefix.isEmpty { throw .empty(path: path) }
        let input = PrefixedSource(prefix: prefix, rest: source)
        let total = size
        func report(_ bytes: Int64) { progress(bytes, total) }
        if format == .pcap || (format == nil && FormatDetector.isCaptureMagic(prefix)) {
            found(InputSource(format: .pcap, node: nil))
            let capture = CaptureInput(path: path, options: captureOptions)
            // The assembler keeps `emit` only while this call runs.
            try withoutActuallyEscaping(emit) { emit throws(InputError) in
                // A plain file is reopened by libpcap; anything else continues after the peeked bytes.
                let reopen = plainFile && !(source is GzipSource)
                let summary = try capture.read(
                    source: reopen ? nil : input, emit: emit, drained: drained, progress: report, stop: stop, continuing: carriedCapture,
                    keep: keepCapture)
                // Nothing to analyse is an error, not an empty success (a capture cut short
                // has said so already).
                if summary.lightningConnections == 0, summary.complete {
                    throw .noLightning(path: path, frames: summary.frames, tcpConnections: summary.otherConnections)
                }
            }
            return
        }
        let reference = modified ?? Int64(time(nil))
        try readLines(
            input,
            demux: carriedLogParsers?.continuing(in: path) ?? LogDemultiplexer(file: path, forced: format?.dialect, referenceTime: reference),
            emit: emit, drained: drained, progress: { report(position() ?? 0) }, found: found)
    }

    /// Reads a text input line by line through the demultiplexer: each line to the parser of
    /// its source, each message with its source's node label and its own stream.
    private func readLines(
        _ source: ByteSource, demux: LogDemultiplexer,
        emit: (TraceEvent) -> Void, drained: () -> Void, progress: () -> Void, found: (InputSource) -> Void
    ) throws(InputError) {
        var demux = demux
        var reader = LineReader(source: source)
        let aliases = self.aliases
        func peerLabel(_ peer: String?) -> String {
            guard let peer else { return "peer" }
            return aliases.isEmpty ? peer : aliases.name(forNode: peer) ?? peer
        }
        var summary = LogSummaryBuilder(file: path, carried: carriedStreams)
        func deliver(_ events: [SourcedEvent]) {
            for sourced in events {
                if sourced.source >= summary.summary.sources.count {
                    for index in summary.summary.sources.count..<demux.sources.count {
                        let info = demux.sources[index]
                        summary.addSource(info)
                        found(InputSource(format: InputFormat(rawValue: info.dialect.rawValue) ?? .hex, node: info.node))
                    }
                }
                let node = summary.summary.sources[sourced.source].node
                switch sourced.event {
                case var .message(message):
                    if let zone { message.time = zone.apply(message.time, text: message.timeText) }
                    var event = MessageEvent(
                        connection: summary.streamID(source: sourced.source, peer: message.peer), direction: message.direction,
                        content: message.content, location: SourceLocation(file: path, line: message.line), time: message.time,
                        timeText: message.timeText, timeSource: message.timeSource, peer: message.peer,
                        channelLabel: message.channelLabel,
                        sender: message.direction == .out ? node : peerLabel(message.peer),
                        receiver: message.direction == .out ? peerLabel(message.peer) : node)
                    event.vantage = node
                    event.peerIdentity = message.peerIdentity
                    summary.add(event, source: sourced.source, line: message.line)
                    emit(.message(event))
                case let .diagnostic(diagnostic):
                    emit(.diagnostic(diagnostic))
                case let .note(note):
                    let time = zone?.apply(note.time, text: note.timeText) ?? note.time
                    emit(
                        .note(
                            NoteEvent(
                                location: SourceLocation(file: path, line: note.line), time: time, timeText: note.timeText,
                                channel: note.channelID?.hex, kind: note.kind, text: note.text, node: node)))
                }
            }
        }
        while true {
            let line: LineReader.Line?
            do {
                line = try reader.next {
                    // Only when a live pipe is waiting: held-back events and output go out now.
                    if !source.hasPendingInput {
                        deliver(demux.flush())
                        drained()
                    }
                }
            } catch {
                deliver(demux.finish())
                summary.finish(demux)
                emit(.streams(summary.summary))
                throw InputError(error, path: path)
            }
            guard let line, !stop() else { break }
            if line.number & 4095 == 0 { progress() }
            deliver(demux.parse(line))
        }
        // A trace read on in the next input keeps its parsers' state: only what they hold
        // back is delivered (as while a pipe waits), not the end of input.
        if let keep = keepLogParsers {
            deliver(demux.flush())
            keep(LogParsers(demux: demux))
        } else {
            deliver(demux.finish())
        }
        summary.finish(demux)
        emit(.streams(summary.summary))
        drained()
        if demux.sources.isEmpty {
            throw .unrecognized(path: path, lines: demux.lines, wrappers: demux.wrappers.names)
        }
        if summary.summary.messages == 0 {
            var dialects: [LogDialect] = []
            for info in demux.sources where !dialects.contains(info.dialect) { dialects.append(info.dialect) }
            throw .noMessages(path: path, lines: demux.lines, dialects: dialects)
        }
        // A node of several that logged no wire message: its part of the result is missing.
        for info in demux.sources where info.messages == 0 && info.dialect != .hex {
            let location = SourceLocation(file: path, line: info.firstLine)
            emit(
                .diagnostic(
                    Diagnostic(
                        .warning, "input.no-messages", at: location,
                        "\(info.name.map { "\($0): " } ?? "")\(info.dialect.title) without a single wire message (\(info.lines) lines): \(info.dialect.messageSetting)"
                    )))
        }
    }
}
