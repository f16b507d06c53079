import Foundation
import TestSupport
import Testing

/// The man pages and shell completions in Documentation/ are generated from the argument
/// parser (`Scripts/docs/generate.sh`) and must match the commands as built.
@Suite struct DocumentationTests {
    static let commands = ["check", "dump", "stats", "rules", "explain", "profiles", "synth"]

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionsAreCurrent(_ shell: String) throws {
        let generated = try LNTraceBinary.run(["--generate-completion-script", shell])
        #expect(generated.status == 0)
        for command in Self.commands { #expect(generated.stdout.contains(command), "\(shell): \(command)") }
        let committed = try String(contentsOf: Fixtures.root.appendingPathComponent("Documentation/completions/lntrace.\(shell)"), encoding: .utf8)
        #expect(committed == generated.stdout, "Documentation/completions/lntrace.\(shell) is stale: run Scripts/docs/generate.sh")
    }

    /// Every option `--help` lists is in the command's man page.
    @Test(arguments: commands)
    func manPagesDocumentEveryOption(_ command: String) throws {
        let page = try String(contentsOf: Fixtures.root.appendingPathComponent("Documentation/man/lntrace.\(command).1"), encoding: .utf8)
        let help = try LNTraceBinary.run([command, "--help"])
        let options = help.stdout.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("--") || trimmed.hasPrefix("-") else { return nil }
            return trimmed.split(separator: " ").map(String.init).first { $0.hasPrefix("--") }?.trimmingCharacters(
                in: CharacterSet(charactersIn: ","))
        }
        #expect(!options.isEmpty)
        for option in options where option != "--help" && option != "--version" {
            // mdoc writes `--fail-on` as `Fl -fail-on`.
            #expect(page.contains("Fl -" + option.dropFirst(2)), "lntrace.\(command).1 lacks \(option): run Scripts/docs/generate.sh")
        }
    }
}
