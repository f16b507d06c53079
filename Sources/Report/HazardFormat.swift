import Hazards

/// `lntrace explain` for a hazard kind.
public enum HazardFormat {
    public static func explain(_ known: Profile.Known, profiles: [String]) -> [String] {
        var lines = [
            "\(known.id): \(known.second.map(\.name).sorted().joined(separator: "/")) processed before an earlier \(known.first.count > 3 ? "update" : known.first.map(\.name).sorted().joined(separator: "/"))",
            "",
            "Profiles: \(profiles.joined(separator: ", "))",
            "Issues:   \(known.issues.joined(separator: ", "))",
        ]
        if !known.outcome.isEmpty {
            lines.append(
                "Outcome:  \(known.outcome.sorted().joined(separator: ", ")) (the rules that fire when the channel is replayed in that order)")
        }
        lines += ["", "What happens:"]
        lines += RuleFormat.wrap(known.explanation, indent: "  ")
        lines += ["", "Consequence:"]
        lines += RuleFormat.wrap(known.consequence, indent: "  ")
        lines += [
            "", "Earlier messages: \(known.first.map(\.name).sorted().joined(separator: ", "))",
            "Later message:    \(known.second.map(\.name).sorted().joined(separator: ", "))",
        ]
        return lines
    }

    /// `lntrace explain reorder`: a hazard the profile names no known failure for.
    public static let reorder = [
        "reorder: a later message could be processed before an earlier one",
        "",
        "The profile hands the two received messages of one channel to different queues, nothing",
        "the node sent in between shows it had processed the earlier one, and replaying the",
        "channel with the later message's queue first makes a rule the profile lists under",
        "`fails` fire. The profile names no public issue for the pair: the outcome lines say what",
        "would break. `lntrace profiles NAME` shows the queues and failures of a profile.",
    ]
}
