import ArgumentParser
import Hazards
import Report
import Rules

/// `lntrace explain RULE`: one rule in full.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a rule (what it checks, the spec text it enforces, an example) or a hazard kind.")

    @Argument(help: ArgumentHelp("A rule id, as `lntrace rules` lists them, or a hazard kind (lnd-8393, …).", valueName: "rule"))
    var rule: String

    func validate() throws {
        if Catalog.rule(rule) == nil && ImplementationOutcomes.outcome(rule) == nil && ExplainCommand.hazard(rule) == nil && rule != "reorder" {
            let near = Catalog.rules.map(\.info.id).filter { $0.hasPrefix(rule.split(separator: "-").first.map(String.init) ?? rule) }
            throw ValidationError(
                "unknown rule '\(rule)'\(near.isEmpty ? "" : "; did you mean \(near.prefix(5).joined(separator: ", "))?") (see `lntrace rules`)")
        }
    }

    func run() {
        let out = Output.standardOutput
        if let found = Catalog.rule(rule) ?? ImplementationOutcomes.outcome(rule) {
            for line in RuleFormat.explain(found) { out.line(line) }
        } else if rule == "reorder" {
            for line in HazardFormat.reorder { out.line(line) }
        } else if let (known, profiles) = Self.hazard(rule) {
            for line in HazardFormat.explain(known, profiles: profiles) { out.line(line) }
        }
        out.flush()
    }

    /// A hazard kind of the built-in profiles, and the profiles that know it.
    static func hazard(_ id: String) -> (Profile.Known, [String])? {
        var found: Profile.Known?
        var profiles: [String] = []
        for name in BuiltinProfiles.texts.keys.sorted() {
            guard let profile = BuiltinProfiles.profile(name), let known = profile.known.first(where: { $0.id == id }) else { continue }
            found = found ?? known
            profiles.append(name)
        }
        return found.map { ($0, profiles) }
    }
}
