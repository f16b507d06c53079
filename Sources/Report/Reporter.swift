import Basics
import Hazards
import Provenance
import Rules
import Trace

/// How one output format writes what `check`, `dump`, `stats` and `rules` find.
///
/// The commands' writers (``CheckWriter``, ``DumpWriter``; `stats` and `rules` call a reporter
/// directly) keep what every format shares: counts, the current input's connections,
/// diagnostics on standard error. A reporter decides what its format shows, when and how:
/// text groups a check's findings per input, connection and channel; a JSON document streams
/// its main array and writes the rest at its end; JSON Lines writes every record as it comes.
/// Adding a format is one more reporter and one more case of ``OutputFormat``, which names
/// it (``OutputFormat/reporter(_:options:out:)``).
public protocol Reporter: AnyObject {
    /// Whether a progress meter may share standard error's terminal with this output.
    var allowsProgress: Bool { get }

    /// A message of the input. `dump` lists every one; `check` lists them only when
    /// ``ReportOptions/messages`` asks (JSON Lines), and text sees them for its time column.
    func write(_ message: MessageEvent)
    /// An input diagnostic (the command's writer has put it on standard error).
    func write(_ diagnostic: Diagnostic)
    /// `dump`: a capture connection, as soon as it ends.
    func write(_ connection: ConnectionSummary)
    /// `dump`: a log input's streams per peer and channel, as soon as the log ends.
    func write(_ streams: LogSummary)

    /// `check`: a rule violation.
    func write(_ finding: Finding)
    /// `check`: a reorder hazard of the dispatch profile.
    func write(_ hazard: Hazard)
    /// `check`: a log line a reported hazard explains.
    func write(_ observation: Observation)
    /// `check`: the end of one input, with what was checked on it.
    func endInput(_ input: InputReport)

    /// `stats`: one input's counts.
    func write(_ stats: StatsCollector, input path: String)
    /// `rules`: the catalog.
    func write(_ rules: [Rule])
    /// `rules --all`: the catalog's requirements that are not rules (not checkable from a
    /// trace, judged by another rule, or not implemented yet).
    func write(_ entries: [CatalogEntry])

    /// Ends the output with what the command counted over every input.
    func finish(_ end: ReportEnd)
    /// Writes what is buffered (called whenever input pauses).
    func flush()
}

/// The commands that write reports through a ``Reporter``.
public enum ReportCommand: String, Sendable {
    case check, dump, stats, rules

    /// The member of a JSON document that lists the command's main records as they come.
    var listMember: String {
        switch self {
        case .check: "findings"
        case .dump: "messages"
        case .stats: "connections"
        case .rules: "rules"
        }
    }

    /// Whether a JSON document names its command (`rules` lists the catalog, not a run's results).
    var namedInDocument: Bool { self != .rules }
}

/// What a report shows, for every format (each uses what applies to it).
public struct ReportOptions: Sendable {
    /// lntrace's version, written into JSON documents.
    public var toolVersion: String
    /// Text: colour, width, grouping, verbosity, times.
    public var style: TextStyle
    /// `check --messages`: every message too (JSON Lines `message` records).
    public var messages = false
    /// `dump --raw`: each message's bytes.
    public var raw = false
    /// `check`: the text report's findings per rule and channel (`nil`: every one, `--all`);
    /// the rest are counted in one line. JSON keeps every finding.
    public var maxPerRule: Int? = 3
    /// Names of nodes (`--alias`), shown with their endpoints.
    public var aliases = Aliases()
    /// `--jobs N`: threads that format messages while the input is read (JSON Lines).
    public var pool: WorkerPool?
    /// `check`'s text report: the input options `lntrace diagram` needs to read the inputs
    /// again (`--keylog` files; never a key itself), to say under each finding with a channel
    /// the command that draws it. `nil`: no such line.
    public var diagramArguments: [String]?

    public init(toolVersion: String, style: TextStyle = TextStyle()) {
        self.toolVersion = toolVersion
        self.style = style
    }
}

/// What a command counted over every input, for the end of its report.
public enum ReportEnd: Sendable {
    case check(CheckTotals)
    case dump(DumpTotals)
    case stats
    case rules
}
