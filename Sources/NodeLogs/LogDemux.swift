import Provenance

/// The parser of one dialect, as a value (no existential on the per-line path).
enum DialectParser {
    case lnd(LndLogParser)
    case cln(ClnLogParser)
    case eclair(EclairLogParser)
    case ldk(LdkLogParser)
    case hex(HexDumpParser)

    init(_ dialect: LogDialect, file: String) {
        switch dialect {
        case .lnd: self = .lnd(LndLogParser(file: file))
        case .cln: self = .cln(ClnLogParser(file: file))
        case .eclair: self = .eclair(EclairLogParser(file: file))
        case .ldk: self = .ldk(LdkLogParser(file: file))
        case .hex: self = .hex(HexDumpParser(file: file))
        }
    }

    mutating func parse(_ line: LineReader.Line) -> [LogEvent] {
        switch self {
        case var .lnd(p): defer { self = .lnd(p) }; return p.parse(line)
        case var .cln(p): defer { self = .cln(p) }; return p.parse(line)
        case var .eclair(p): defer { self = .eclair(p) }; return p.parse(line)
        case var .ldk(p): defer { self = .ldk(p) }; return p.parse(line)
        case var .hex(p): defer { self = .hex(p) }; return p.parse(line)
        }
    }

    mutating func flush() -> [LogEvent] {
        switch self {
        case var .lnd(p): defer { self = .lnd(p) }; return p.flush()
        case var .cln(p): defer { self = .cln(p) }; return p.flush()
        case var .eclair(p): defer { self = .eclair(p) }; return p.flush()
        case var .ldk(p): defer { self = .ldk(p) }; return p.flush()
        case var .hex(p): defer { self = .hex(p) }; return p.flush()
        }
    }

    var skippedLines: Int {
        switch self {
        case let .lnd(p): p.skippedLines
        case let .cln(p): p.skippedLines
        case let .eclair(p): p.skippedLines
        case let .ldk(p): p.skippedLines
        case let .hex(p): p.skippedLines
        }
    }
}

/// One writer of a text input: a node (or hex dump) in one format, named by the wrapper
/// around its lines when the input interleaves several (`docker compose logs` of two
/// containers, `journalctl` of two units).
public struct LogSourceInfo: Sendable {
    /// The wrapper's name for it (`lnd-1`, `lightningd`), or `nil`.
    public var name: String?
    public var dialect: LogDialect
    /// The wrappers seen around its lines.
    public var wrappers: LogWrappers
    /// Its lines (recognised, or continuing a recognised one) and the wire messages they gave.
    public var lines = 0
    public var messages = 0
    public var firstLine: Int
    /// Lines that were not wire messages.
    public var skippedLines = 0

    /// The node's label as the senders and receivers of its messages give it: `local`, or
    /// `local (lnd-1)` when a wrapper names it.
    public var node: String { name.map { "local (\($0))" } ?? "local" }
}

/// An event of a text input, with the source it came from (an index into
/// ``LogDemultiplexer/sources``).
public struct SourcedEvent: Sendable {
    public var source: Int
    public var event: LogEvent
}

/// Reads a text input's lines: removes their wrappers, tells each line's format, and hands it
/// to the parser of its source (one per wrapper name and format).
///
/// A line whose start no format recognises (a trace dump's continuation, a stack trace, a
/// line of another program) goes to the parser of the last format recognised under the same
/// wrapper name, which skips it or takes it as a continuation; before any line was
/// recognised it is counted as unrecognised. Nothing is buffered: detection is per line, so a
/// live pipe is analysed as it arrives.
public struct LogDemultiplexer {
    public let file: String
    /// A format forced by the user (`--input-format`): every line goes to it.
    public let forced: LogDialect?
    public private(set) var sources: [LogSourceInfo] = []
    /// Lines read, and lines no format recognised before any of their source's was.
    public private(set) var lines = 0
    public private(set) var unrecognizedLines = 0
    /// Every wrapper seen in the input.
    public private(set) var wrappers: LogWrappers = []
    private var parsers: [DialectParser] = []
    private var unwrapper: Unwrapper
    /// Per wrapper name: its sources by dialect, and the dialect of its last recognised line.
    private var names: [NameState] = []
    private var nameIndex: [[UInt8]: Int] = [:]
    private var lastName: (bytes: [UInt8], index: Int)?

    struct NameState {
        var name: String?
        var current: LogDialect?
        var sources: [LogDialect: Int] = [:]
    }

    public init(file: String, forced: LogDialect? = nil, referenceTime: Int64) {
        self.file = file
        self.forced = forced
        self.unwrapper = Unwrapper(referenceTime: referenceTime)
        names.append(NameState())
    }

    public mutating func parse(_ line: LineReader.Line) -> [SourcedEvent] {
        lines += 1
        guard let (number, envelope) = unwrapper.unwrap(line) else { return [] }
        return route(number: number, envelope, truncated: line.truncated)
    }

    /// Events held back by the parsers (at the end of input, or while a pipe waits).
    public mutating func flush() -> [SourcedEvent] {
        var out: [SourcedEvent] = []
        for index in parsers.indices {
            for event in parsers[index].flush() { out.append(count(SourcedEvent(source: index, event: event))) }
        }
        return out
    }

    /// The end of input: a held partial line, then everything held back.
    public mutating func finish() -> [SourcedEvent] {
        var out: [SourcedEvent] = []
        if let (number, envelope) = unwrapper.finish() { out = route(number: number, envelope, truncated: false) }
        out += flush()
        for index in sources.indices { sources[index].skippedLines = parsers[index].skippedLines }
        return out
    }

    private mutating func route(number: Int, _ envelope: Envelope, truncated: Bool) -> [SourcedEvent] {
        wrappers.formUnion(envelope.wrappers)
        let name = nameSlot(envelope.source)
        var body = envelope.body
        var wrapperKinds = envelope.wrappers
        let dialect: LogDialect
        let current = names[name].current
        if let forced {
            if let match = DialectClassifier.classify(body, hex: forced == .hex, inside: true), match.dialect == forced, match.start > body.startIndex {
                body = body[match.start...]
                wrapperKinds.insert(.unknownPrefix)
            }
            dialect = forced
        } else if let match = DialectClassifier.classify(body, hex: current == nil || current == .hex, inside: true) {
            if match.start > body.startIndex {
                body = body[match.start...]
                wrapperKinds.insert(.unknownPrefix)
                wrappers.insert(.unknownPrefix)
            }
            dialect = match.dialect
            names[name].current = dialect
        } else if let current {
            dialect = current
        } else {
            if !body.isEmpty { unrecognizedLines += 1 }
            return []
        }
        let index = source(name, dialect, line: number)
        sources[index].lines += 1
        sources[index].wrappers.formUnion(wrapperKinds)
        let inner = LineReader.Line(number: number, bytes: body, truncated: truncated,
                                    wrapperTime: envelope.time, wrapperTimeText: envelope.timeText)
        return parsers[index].parse(inner).map { count(SourcedEvent(source: index, event: $0)) }
    }

    private mutating func count(_ event: SourcedEvent) -> SourcedEvent {
        if case .message = event.event { sources[event.source].messages += 1 }
        return event
    }

    /// The slot of a wrapper name (`nil`: the unnamed slot 0).
    private mutating func nameSlot(_ name: ArraySlice<UInt8>?) -> Int {
        guard let name, !name.isEmpty else { return 0 }
        if let last = lastName, name.elementsEqual(last.bytes) { return last.index }
        let bytes = Array(name)
        let index: Int
        if let known = nameIndex[bytes] {
            index = known
        } else {
            index = names.count
            names.append(NameState(name: LogText.string(name[...])))
            nameIndex[bytes] = index
        }
        lastName = (bytes, index)
        return index
    }

    private mutating func source(_ name: Int, _ dialect: LogDialect, line: Int) -> Int {
        if let index = names[name].sources[dialect] { return index }
        let index = sources.count
        sources.append(LogSourceInfo(name: names[name].name, dialect: dialect, wrappers: [], firstLine: line))
        parsers.append(DialectParser(dialect, file: file))
        names[name].sources[dialect] = index
        return index
    }
}
