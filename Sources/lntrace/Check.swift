import ArgumentParser
import Report
import Rules
import Trace

/// `lntrace check`: every message of every input against the rule catalog.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the inputs' messages against the BOLT #1/#2 rules.",
        discussion: """
            Each finding names its rule, severity, connection, channel, and the message that \
            broke the rule with its location (file and frame or line, time, index in the \
            stream), with a one-sentence reason. After each input, a summary tells per \
            channel how many rules could be evaluated, and why the others could not (a log \
            summary without the fields a rule needs, a channel opened before the trace).

            A finding about two messages that may have crossed on the wire is "possible" \
            unless the trace was recorded at the sender: node logs know their side; for a \
            capture, give --local with the recording node's address.

            Exit status: 0 no findings at or above --fail-on; 1 findings; 2 usage error, or \
            an input that could not be read completely.

            Examples:
              lntrace check --keylog keys.log capture.pcapng
              lntrace check --rules commit-,raa- --format jsonl lnd.log
              lntrace check --skip conn-pong-unsolicited --fail-on error node.log
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp(
        "Only these rules: ids or prefixes ending in '-' or '*', comma-separated (repeatable).", valueName: "ids"))
    var rules: [String] = []

    @Option(help: ArgumentHelp("Skip these rules (ids or prefixes, comma-separated, repeatable).", valueName: "ids"))
    var skip: [String] = []

    @Option(name: .customLong("fail-on"), help: ArgumentHelp(
        "Exit with status 1 when there is a finding of this severity or above (error|warning).", valueName: "severity"))
    var failOn: Severity = .warning

    @Option(help: ArgumentHelp(
        "The node that recorded a capture, as lntrace labels it: its address (10.0.0.1), or an endpoint (127.0.0.1:9735).",
        valueName: "node"))
    var local: String?

    func validate() throws {
        do {
            _ = try Catalog.select(only: Self.split(rules), skip: Self.split(skip))
        } catch {
            throw ValidationError(error.description)
        }
    }

    static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    func run() throws {
        let selected = try Catalog.select(only: Self.split(rules), skip: Self.split(skip))
        let writer = CheckWriter(format: output.format)
        let (captureOptions, keyLogProblems) = input.captureOptions()
        for problem in keyLogProblems { writer.write(problem) }
        var incomplete = false
        var failing = false
        for path in input.inputs {
            var engine = RuleEngine(rules: selected, local: local)
            do {
                try InputReader(path: path, format: input.inputFormat, captureOptions: captureOptions).read(
                    emit: { event in
                        if case let .diagnostic(diagnostic) = event { writer.write(diagnostic) }
                        for finding in engine.process(event) {
                            writer.write(finding)
                            if finding.severity >= failOn { failing = true }
                        }
                    },
                    drained: { writer.flush() })
            } catch {
                Output.standardError.line("lntrace: error: \(error)")
                incomplete = true
            }
            writer.write(input: path, engine.summary)
        }
        writer.finish()
        if incomplete || writer.errorCount > 0 { throw ExitCode(2) }
        if failing { throw ExitCode(1) }
    }
}

extension Severity: ExpressibleByArgument {}

/// `lntrace rules`: the catalog.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the rules lntrace checks, with severity and BOLT section.")

    @OptionGroup var output: OutputOptions

    func run() {
        let out = Output.standardOutput
        switch output.format {
        case .text:
            for line in RuleFormat.text(Catalog.rules) { out.line(line) }
        case .json:
            var json = JSONWriter()
            RuleFormat.writeJSON(Catalog.rules, to: &json)
            out.write(bytes: json.bytes)
            out.write("\n")
        case .jsonl:
            for rule in Catalog.rules {
                var json = JSONWriter()
                RuleFormat.writeJSON(rule, to: &json, kind: true)
                out.write(bytes: json.bytes)
                out.write("\n")
            }
        }
        out.flush()
    }
}

/// `lntrace explain RULE`: one rule in full.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a rule: what it checks, the spec text it enforces, an example.")

    @Argument(help: ArgumentHelp("A rule id, as `lntrace rules` lists them.", valueName: "rule"))
    var rule: String

    func validate() throws {
        if Catalog.rule(rule) == nil {
            let near = Catalog.rules.map(\.info.id).filter { $0.hasPrefix(rule.split(separator: "-").first.map(String.init) ?? rule) }
            throw ValidationError("unknown rule '\(rule)'\(near.isEmpty ? "" : "; did you mean \(near.prefix(5).joined(separator: ", "))?") (see `lntrace rules`)")
        }
    }

    func run() {
        guard let found = Catalog.rule(rule) else { return }
        let out = Output.standardOutput
        for line in RuleFormat.explain(found) { out.line(line) }
        out.flush()
    }
}
