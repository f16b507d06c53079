import Provenance

/// The parsers of a text input, one array per dialect, so that each is changed in place (an
/// enum of parsers would copy a parser, and its buffers, per line).
struct DialectParsers {
    private var lnd: [LndLogParser] = []
    private var cln: [ClnLogParser] = []
    private var eclair: [EclairLogParser] = []
    private var ldk: [LdkLogParser] = []
    private var hex: [HexDumpParser] = []
    /// Per parser: its dialect and its index in that dialect's array.
    private var slots: [(LogDialect, Int)] = []

    var count: Int { slots.count }

    /// A new parser; its number.
    mutating func add(_ dialect: LogDialect, file: String) -> Int {
        let index: Int
        switch dialect {
        case .lnd: index = lnd.count; lnd.append(LndLogParser(file: file))
        case .cln: index = cln.count; cln.append(ClnLogParser(file: file))
        case .eclair: index = eclair.count; eclair.append(EclairLogParser(file: file))
        case .ldk: index = ldk.count; ldk.append(LdkLogParser(file: file))
        case .hex: index = hex.count; hex.append(HexDumpParser(file: file))
        }
        slots.append((dialect, index))
        return slots.count - 1
    }

    mutating func parse(_ number: Int, _ line: LineReader.Line) -> [LogEvent] {
        let (dialect, i) = slots[number]
        switch dialect {
        case .lnd: return lnd[i].parse(line)
        case .cln: return cln[i].parse(line)
        case .eclair: return eclair[i].parse(line)
        case .ldk: return ldk[i].parse(line)
        case .hex: return hex[i].parse(line)
        }
    }

    mutating func flush(_ number: Int) -> [LogEvent] {
        let (dialect, i) = slots[number]
        switch dialect {
        case .lnd: return lnd[i].flush()
        case .cln: return cln[i].flush()
        case .eclair: return eclair[i].flush()
        case .ldk: return ldk[i].flush()
        case .hex: return hex[i].flush()
        }
    }

    /// The file the parsers read from now on (the next input of a trace read as one).
    mutating func retarget(_ file: String) {
        for i in lnd.indices { lnd[i].file = file }
        for i in cln.indices { cln[i].file = file }
        for i in eclair.indices { eclair[i].file = file }
        for i in ldk.indices { ldk[i].file = file }
        for i in hex.indices { hex[i].file = file }
    }

    func skippedLines(_ number: Int) -> Int {
        let (dialect, i) = slots[number]
        switch dialect {
        case .lnd: return lnd[i].skippedLines
        case .cln: return cln[i].skippedLines
        case .eclair: return eclair[i].skippedLines
        case .ldk: return ldk[i].skippedLines
        case .hex: return hex[i].skippedLines
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
    public private(set) var file: String
    /// A format forced by the user (`--input-format`): every line goes to it.
    public let forced: LogDialect?
    public private(set) var sources: [LogSourceInfo] = []
    /// Lines read, and lines no format recognised before any of their source's was.
    public private(set) var lines = 0
    public private(set) var unrecognizedLines = 0
    /// Every wrapper seen in the input.
    public private(set) var wrappers: LogWrappers = []
    private var parsers = DialectParsers()
    private var unwrapper: Unwrapper
    /// Per wrapper name: its sources by dialect, and the dialect of its last recognised line.
    private var names: [NameState] = []
    private var nameIndex: [[UInt8]: Int] = [:]
    private var lastName: (bytes: [UInt8], index: Int)?

    struct NameState {
        var name: String?
        var current: LogDialect?
        /// Its source of each dialect (by `LogDialect.ordinal`).
        var sources: [Int?] = Array(repeating: nil, count: LogDialect.allCases.count)
    }

    public init(file: String, forced: LogDialect? = nil, referenceTime: Int64) {
        self.file = file
        self.forced = forced
        self.unwrapper = Unwrapper(referenceTime: referenceTime)
        names.append(NameState())
    }

    /// Goes on reading `file` as the continuation of the input so far (a rotated log: `check
    /// --sequence`): its parsers keep what they hold (an eclair message's second line, a
    /// multi-line dump), its line numbers and diagnostics are the new file's.
    public mutating func continuing(in file: String) {
        self.file = file
        parsers.retarget(file)
        // What the new file holds is counted afresh (its diagnostics are about it).
        lines = 0
        unrecognizedLines = 0
        for index in sources.indices {
            sources[index].lines = 0
            sources[index].messages = 0
            sources[index].firstLine = 1
        }
    }

    public mutating func parse(_ line: LineReader.Line) -> [SourcedEvent] {
        lines += 1
        guard let (number, envelope) = unwrapper.unwrap(line) else { return [] }
        return route(number: number, envelope, truncated: line.truncated)
    }

    /// Events held back by the parsers (at the end of input, or while a pipe waits).
    public mutating func flush() -> [SourcedEvent] {
        var out: [SourcedEvent] = []
        for index in 0..<parsers.count {
            for event in parsers.flush(index) { out.append(count(SourcedEvent(source: index, event: event))) }
        }
        return out
    }

    /// The end of input: a held partial line, then everything held back.
    public mutating func finish() -> [SourcedEvent] {
        var out: [SourcedEvent] = []
        if let (number, envelope) = unwrapper.finish() { out = route(number: number, envelope, truncated: false) }
        out += flush()
        for index in sources.indices { sources[index].skippedLines = parsers.skippedLines(index) }
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
            if let match = DialectClassifier.classify(body, hex: forced == .hex, inside: true), match.dialect == forced, match.start > body.startIndex
            {
                body = body[match.start...]
                wrapperKinds.insert(.unknownPrefix)
            }
            dialect = forced
        } else if let match = classify(&body, &wrapperKinds, hex: current == nil || current == .hex) {
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
        let inner = LineReader.Line(
            number: number, bytes: body, truncated: truncated,
            wrapperTime: envelope.time, wrapperTimeText: envelope.timeText)
        return parsers.parse(index, inner).map { count(SourcedEvent(source: index, event: $0)) }
    }

    /// The line's format: by its start, or after unpacking key=value fields (`raw_log="…"`,
    /// an application's record around LDK's text), or inside the line.
    private mutating func classify(_ body: inout ArraySlice<UInt8>, _ kinds: inout LogWrappers, hex: Bool) -> DialectMatch? {
        if let match = DialectClassifier.classify(body, hex: hex, inside: false) { return match }
        if let (text, _, _) = Structured.fields(body) {
            fields = text
            body = fields[...]
            kinds.insert(.structured)
            wrappers.insert(.structured)
        }
        return DialectClassifier.classify(body, hex: false, inside: true)
    }

    private var fields: [UInt8] = []

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
        if let index = names[name].sources[dialect.ordinal] { return index }
        let index = sources.count
        sources.append(LogSourceInfo(name: names[name].name, dialect: dialect, wrappers: [], firstLine: line))
        _ = parsers.add(dialect, file: file)
        names[name].sources[dialect.ordinal] = index
        return index
    }
}
