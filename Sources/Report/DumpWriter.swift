import Provenance
import Trace

/// `lntrace dump`'s report: every message in input order, and the input diagnostics.
///
/// What every format needs is kept here (the counts for the exit status, the first capture
/// connections and the log streams listed at the end); diagnostics go to standard error; the
/// format's ``Reporter`` writes the rest:
/// - text: one line per message (`-v`: every field below it), then the connections and streams.
/// - jsonl: one `message`, `diagnostic`, `connection` or `streams` object per line.
/// - json: `{"schema_version": 1, "tool": …, "command": "dump", "messages": […],
///   "diagnostics": […], "connections": […], "logs": […], …}`.
public final class DumpWriter {
    let reporter: any Reporter
    let err: Output
    public private(set) var diagnosticCount = 0
    public private(set) var errorCount = 0
    public private(set) var messageCount = 0
    /// Capture connections listed at the end (a capture of many connections keeps the first;
    /// JSON Lines streams them all), and log inputs' streams per peer and channel.
    private var connections: [ConnectionSummary] = []
    private var connectionsOmitted = 0
    private var logs: [LogSummary] = []

    public init(reporter: any Reporter, err: Output = .standardError) {
        self.reporter = reporter
        self.err = err
    }

    /// The report in `format`, to `out`.
    public convenience init(format: OutputFormat, options: ReportOptions, out: Output = .standardOutput, err: Output = .standardError) {
        self.init(reporter: format.reporter(.dump, options: options, out: out), err: err)
    }

    public func write(_ event: TraceEvent) {
        switch event {
        case let .message(message):
            messageCount += 1
            reporter.write(message)
        case let .diagnostic(diagnostic):
            write(diagnostic)
        case let .connection(summary):
            reporter.write(summary)
            if connections.count < CheckWriter.keptConnections { connections.append(summary) } else { connectionsOmitted += 1 }
        case let .streams(summary):
            reporter.write(summary)
            logs.append(summary)
        case .note, .lost:
            break  // not a wire message; a lost direction is in the diagnostics
        }
    }

    public func write(_ diagnostic: Diagnostic) {
        diagnosticCount += 1
        if diagnostic.severity == .error { errorCount += 1 }
        err.line("lntrace: \(diagnostic)")
        reporter.write(diagnostic)
    }

    /// Flushes what is buffered (called whenever input pauses).
    public func flush() {
        err.flush()
        reporter.flush()
    }

    /// Ends the report (lists connections and streams, closes a JSON document).
    public func finish() {
        reporter.finish(
            .dump(
                DumpTotals(
                    messages: messageCount, diagnostics: diagnosticCount, connections: connections, connectionsOmitted: connectionsOmitted, logs: logs
                )))
        flush()
    }
}

/// What `dump` read over every input, for the end of its report.
public struct DumpTotals: Sendable {
    public var messages: Int
    public var diagnostics: Int
    /// The first capture connections (``CheckWriter/keptConnections``), and how many more.
    public var connections: [ConnectionSummary]
    public var connectionsOmitted: Int
    public var logs: [LogSummary]
}
