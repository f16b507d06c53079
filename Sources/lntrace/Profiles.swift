import ArgumentParser
import Foundation
import Hazards
import Report

/// `lntrace profiles [NAME]`: the dispatch profiles for `check --hazards`.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the dispatch profiles for `check --hazards`, or print one (a starting point for your own).",
        discussion: """
            A profile says which queue (a subsystem with its own goroutine or task) an \
            implementation hands each received channel message to, which outcomes of a \
            reordered processing make it fail, and the known failures with their public \
            issues. Save a printed profile, edit it, and pass the file to --hazards. \
            The list names each built-in profile's evidence: the scenarios of \
            Fixtures/hazards/ in which it finds a hazard, and the controls in which it finds none.
            """)

    @Argument(help: ArgumentHelp("A profile to print.", valueName: "name"))
    var name: String?

    func validate() throws {
        if let name, BuiltinProfiles.profile(name) == nil {
            throw ValidationError("no profile '\(name)' (\(BuiltinProfiles.names.joined(separator: ", ")))")
        }
    }

    func run() {
        let out = Output.standardOutput
        if let name {
            let canonical = BuiltinProfiles.aliases[name] ?? name
            out.write(BuiltinProfiles.texts[canonical] ?? "")
        } else {
            for name in BuiltinProfiles.names {
                guard let profile = BuiltinProfiles.profile(name) else { continue }
                let alias = BuiltinProfiles.aliases[name].map { " (= \($0))" } ?? ""
                out.line(name.padding(toLength: 10, withPad: " ", startingAt: 0) + "  " + profile.description + alias)
                // The scenarios that show its hazards and its controls (not repeated for an alias).
                guard BuiltinProfiles.aliases[name] == nil, let evidence = BuiltinProfiles.evidence[name] else { continue }
                let hazards =
                    evidence.hazards.isEmpty
                    ? "none (no reordering of a channel's messages that it fails on)" : evidence.hazards.joined(separator: ", ")
                out.line("            hazard scenarios: \(hazards)")
                out.line("            controls: \(evidence.controls.joined(separator: ", "))")
            }
        }
        out.flush()
    }
}
