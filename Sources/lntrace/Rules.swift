import ArgumentParser
import Basics
import Report
import Rules

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
            out.record(&json) { RuleFormat.writeJSON(Catalog.rules, toolVersion: lntraceVersion, to: &$0) }
        case .jsonl:
            var json = JSONWriter()
            for rule in Catalog.rules { out.record(&json) { RuleFormat.writeJSON(rule, to: &$0, kind: true) } }
        }
        out.flush()
    }
}
