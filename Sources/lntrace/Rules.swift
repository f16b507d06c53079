import ArgumentParser
import Report
import Rules

/// `lntrace rules`: the catalog.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the rules lntrace checks, with severity and BOLT section.")

    @OptionGroup var output: OutputOptions

    func run() {
        let reporter = output.format.reporter(.rules, options: ReportOptions(toolVersion: lntraceVersion))
        reporter.write(Catalog.rules)
        reporter.finish(.rules)
    }
}
