/// States in which a named implementation fails although the specification allows them.
/// They are not rules of a trace: `check` never runs them. A hazard profile lists one under
/// `fails` when that implementation, processing a channel's messages in another order than
/// they arrived, reaches such a state (Documentation/hazards.md, "Implementation outcomes").
public enum ImplementationOutcomes {
    public static let all: [Rule] = [updateBeforeReady]

    public static func outcome(_ id: String) -> Rule? { all.first { $0.info.id == id } }

    /// Core Lightning before 24.02 (ElementsProject/lightning#2094, fixed by #6904): gossipd
    /// learns of a channel that is not announced once channeld has processed both
    /// `channel_ready`s; an update of it that gossipd handles earlier names a channel it does
    /// not know, and is dropped.
    static let updateBeforeReady = Rule(
        RuleInfo(
            "impl-update-before-ready", "the peer's channel_update handled before its channel_ready",
            section: "BOLT #7 §\"The channel_update Message\" Requirements (the receiver)",
            severity: .warning,
            spec:
                "The receiving node: if the `short_channel_id` does NOT match a previous `channel_announcement`: MUST ignore `channel_update`s that do NOT correspond to one of its own channels.",
            explanation:
                "The peer's update for the channel the two share, handled while the peer's `channel_ready` is not: an implementation that registers the channel only once both `channel_ready`s are processed does not yet count it among its own channels, ignores the update, and does not learn the peer's fees and CLTV delta for it until the next update. The order on the wire is valid (BOLT #7: the update follows the `channel_ready` it received).",
            example: "← channel_ready, ← channel_update (the update handled first)"),
        on: [.channelUpdate]
    ) { c in
        guard let (channel, sender) = c.updatedChannel else { return }
        if !channel.readySent[sender] {
            c.violation(
                "the sender's update of the channel is handled before the sender's `channel_ready`: the channel is not yet one of the receiver's own, and the update is dropped"
            )
        }
    }
}
