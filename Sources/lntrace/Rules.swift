import ArgumentParser
import Report
import Rules

/// `lntrace rules`: the catalog.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the rules lntrace checks, with severity and BOLT section.")

    @OptionGroup var output: OutputOptions

    @Flag(
        help:
            "Also list the catalog's requirements that are not rules: those a trace cannot show (with the reason), those judged by another rule, and those not implemented yet."
    )
    var all = false

    func run() {
        let reporter = output.format.reporter(.rules, options: ReportOptions(toolVersion: lntraceVersion))
        reporter.write(Catalog.rules)
        if all { reporter.write(CatalogEntry.all) }
        reporter.finish(.rules)
    }
}
