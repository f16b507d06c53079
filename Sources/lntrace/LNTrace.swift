import ArgumentParser
import Report

/// `lntrace`: checks recorded Lightning Network message traces against the BOLTs.
@main
struct LNTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lntrace",
        abstract: "Analyze Lightning Network message traces (captures and node logs) against the BOLT specification.",
        discussion: """
            lntrace rebuilds each connection's BOLT message stream from packet captures \
            (BOLT #8 decryption with key logs), node logs or hex dumps, and prints it.

            Exit status: 0 success; 2 usage error, or an input that could not be read \
            completely (an unreadable file, a malformed line or frame).
            """,
        version: lntraceVersion,
        subcommands: [
            CheckCommand.self, Dump.self, StatsCommand.self, RulesCommand.self, ExplainCommand.self, ProfilesCommand.self, DiagramCommand.self,
            SynthCommand.self,
        ]
    )

    /// Runs the command; a usage error exits with status 2, as the README promises (the
    /// argument parser's own code is 64, EX_USAGE).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error).rawValue == 64 {
                // Line by line: `line` shows a control character, a newline too, as an escape.
                for line in fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false) {
                    Output.standardError.line(String(line))
                }
                Output.standardError.flush()
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
