import ArgumentParser
import Report
import Session
import Trace

/// `lntrace stats`: message counts per connection and channel.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count the inputs' messages per connection and channel, by type and direction, with times, bytes and rates.",
        discussion: """
            Directions: → is from a capture connection's initiator, or sent by the node that \
            wrote the log. Bytes count messages whose bytes the input carries (lnd and CLN \
            summaries do not). --format json writes one document, --format jsonl one object \
            per connection as each input ends.

            Exit status: 0 every input read completely; 2 usage error or an input not read completely.
            """)

    @OptionGroup var input: InputOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup(title: "Filters") var filters: FilterOptions
    @OptionGroup var jobs: JobsOptions

    func run() throws {
        let reporter = output.format.reporter(.stats, options: ReportOptions(toolVersion: lntraceVersion))
        let (captureOptions, keyLogProblems) = input.captureOptions()
        var incomplete = !keyLogProblems.isEmpty
        for problem in keyLogProblems { Output.standardError.line("lntrace: \(problem)") }
        let selection = filters.selection
        // The logs of a connection's two ends: each message counted once, where it was read
        // first (Documentation/joining.md).
        let joined = input.joinedInputs(captureOptions: captureOptions)
        for diagnostic in joined?.diagnostics() ?? [] { Output.standardError.line("lntrace: \(diagnostic)") }
        for (number, path) in input.inputs.enumerated() where !selection.done {
            var stats = StatsCollector()
            do {
                var reader = input.reader(path, captureOptions: captureOptions)
                reader.stop = { selection.done }
                let emit: (TraceEvent) -> Void = { event in
                    if case let .message(message) = event {
                        if let joined, joined.placement(of: message, input: number).readBefore { return }
                        guard selection.admits(message) else { return }
                    } else if !selection.admitsOther(event) {
                        return
                    }
                    if case let .diagnostic(diagnostic) = event {
                        Output.standardError.line("lntrace: \(diagnostic)")
                        if diagnostic.severity == .error { incomplete = true }
                    }
                    stats.add(event)
                }
                // With more than one job, the input is read on a thread of its own (not under
                // `-c N`, where the reader stops at the message counted).
                try reader.read(ahead: jobs.count > 1 && filters.count == nil, emit: emit)
            } catch {
                reporter.flush()
                Output.standardError.line("lntrace: \(error.diagnostic)")
                incomplete = true
            }
            if !selection.filter.isEmpty { stats.dropEmpty() }
            reporter.write(stats, input: path)
            if stats.connectionsOmitted > 0 {
                Output.standardError.line(
                    "lntrace: \(path): \(stats.connectionsOmitted) connections without messages past the first \(StatsCollector.keptConnections) not listed"
                )
            }
            if stats.otherConnectionMessages > 0 {
                Output.standardError.line(
                    "lntrace: \(path): \(stats.otherConnectionMessages) messages of connections past the first \(StatsCollector.keptConnections) counted, not listed"
                )
            }
            reporter.flush()
        }
        reporter.finish(.stats)
        if let nothing = selection.nothingSelected { Output.standardError.line(nothing); Output.standardError.flush() }
        Output.standardError.flush()
        if incomplete { throw ExitCode(2) }
    }
}
