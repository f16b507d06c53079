import ArgumentParser
import Basics
import Report
import Session
import Trace

/// `lntrace dump`: every message of every input, decoded, in input order.
struct Dump: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode and print every message of the inputs.",
        discussion: """
            With --input-format hex, each line holds one hex-encoded message, type included \
            (blank lines and lines starting with '#' are skipped). A line that does not \
            decode is reported on standard error with its line number; the other lines are \
            still decoded and the exit status is 2.

            Examples:
              echo 0012000a0004deadbeef | lntrace dump --input-format hex -
              lntrace dump --format jsonl messages.hex | jq .type
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup(title: "Filters") var filters: FilterOptions

    @Flag(name: .shortAndLong, help: "Show every field of every message (text output).")
    var verbose = false

    @Flag(help: "Also show each message's bytes, type included, as hex (JSON: \"raw\").")
    var raw = false

    @Option(
        help: ArgumentHelp(
            "Times in text output: absolute (UTC, as the source gives them), relative (seconds since the first message) or delta (since the message before).",
            valueName: "mode"))
    var time: TimeMode = .absolute

    @OptionGroup var jobs: JobsOptions

    func run() throws {
        var style = TextStyle(verbose: verbose)
        style.time = time
        var options = ReportOptions(toolVersion: lntraceVersion, style: style)
        options.raw = raw
        let pool = WorkerPool.forJobs(jobs.count)
        defer { pool?.stop() }
        options.pool = pool
        let writer = DumpWriter(format: output.format, options: options)
        let (captureOptions, keyLogProblems) = input.captureOptions()
        for problem in keyLogProblems { writer.write(problem) }
        var incomplete = false
        let selection = filters.selection
        // The logs of a connection's two ends: each message once, with where the other log
        // shows it (Documentation/joining.md).
        let joined = input.joinedInputs(captureOptions: captureOptions)
        for diagnostic in joined?.diagnostics() ?? [] { writer.write(diagnostic) }
        for (number, path) in input.inputs.enumerated() where !selection.done {
            do {
                var reader = input.reader(path, captureOptions: captureOptions)
                reader.stop = { selection.done }
                let emit: (TraceEvent) -> Void = { event in
                    if case var .message(message) = event {
                        if let joined {
                            // Shown already: from an earlier log, or earlier in this input.
                            let (end, readBefore) = joined.placement(of: message, input: number)
                            if readBefore { return }
                            message.otherEnd = end
                        }
                        if selection.admits(message) { writer.write(.message(message)) }
                    } else if selection.admitsOther(event) {
                        writer.write(event)
                    }
                }
                // With more than one job, the input is read on a thread of its own (not under
                // `-c N`, where the reader stops at the message counted).
                try reader.read(ahead: jobs.count > 1 && filters.count == nil, emit: emit, drained: { writer.flush() })
            } catch {
                writer.write(error.diagnostic)
                incomplete = true
            }
        }
        writer.finish()
        if let nothing = selection.nothingSelected { Output.standardError.line(nothing); Output.standardError.flush() }
        if incomplete || writer.errorCount > 0 {
            throw ExitCode(2)
        }
    }
}
