/// The profiles lntrace ships, by name (`lntrace profiles NAME` prints one). lnd's come
/// from `peer/brontide.go`'s `readHandler` dispatch and the failures reported against it;
/// Core Lightning's, eclair's and LDK's from their dispatch code, named in each profile's
/// comments (Documentation/hazards.md).
public enum BuiltinProfiles {
    static let linkUpdates =
        "update_add_htlc update_fulfill_htlc update_fail_htlc update_fail_malformed_htlc update_fee commitment_signed revoke_and_ack"
    static let updatesList = linkUpdates.split(separator: " ").joined(separator: ",")

    static let lnd8393 = """
        known lnd-8393 first=\(updatesList) second=shutdown outcome=sd-no-add observed="received add while link is flushing" issues=lnd#8393,lnd#8167 consequence="lnd's chan closer handles the shutdown first and disables incoming adds (DisableAdds) while the earlier updates still wait in the link's mailbox; the link then meets an update_add_htlc while flushing, fails ('received add while link is flushing') and disconnects the peer with a warning" explanation="lnd reads a channel's messages in order but hands shutdown to the chan closer goroutine and the updates to the link's queue. If the closer runs first it starts flushing the link, and the link treats the add that arrived before the shutdown as a protocol violation (lnd#8393, found in review of PR #8167; worst case a force close)."
        """

    static let lnd6039 = """
        known lnd-6039 first=\(updatesList) second=shutdown outcome=sd-no-add issues=lnd#8393,lnd#6039 consequence="lnd before 0.18 starts closing the channel before its link processed the earlier update_add_htlc; the add then arrives on a closing channel, the link fails, and the close ends with an error, which peers answered with a force close (lnd#6039)" explanation="Before 0.18 (PR #8167) lnd's chan closer handled shutdown on its own goroutine, ahead of updates still queued for the link. An add processed after the shutdown breaks the close; lnd#8393 names a force close as the worst case. (A shutdown with HTLCs in flight failed in lnd before 0.18 in any order, lnd#6039: that is no reorder hazard.)"
        """

    static let lnd7401 = """
        known lnd-7401 first=channel_ready second=update_add_htlc,update_fee outcome=op-after-ready issues=lnd#7401 consequence="the update reaches the link before the funding manager has made the channel active; lnd drops it and the channel ends in a close (fixed in 0.17.0, PR #7518)" explanation="channel_ready goes to the funding manager, updates to the channel's link stream. An update that overtakes channel_ready finds no active channel and is dropped (lnd#7401)."
        """

    static func lnd(
        _ name: String, _ description: String, versions: String, closer: String, extraLink: String, fails: String,
        known: [String]
    ) -> String {
        """
        # lnd dispatch: peer/brontide.go readHandler sends a channel's messages to these
        # goroutines, each with its own in-order queue (see `lntrace explain` for each known failure).
        profile \(name)
        description \(description)
        versions \(versions)
        queue link \(linkUpdates) channel_reestablish error warning\(extraLink)
        queue funding open_channel accept_channel funding_created funding_signed channel_ready
        queue closer \(closer)
        queue gossiper announcement_signatures
        # Outcomes of a reordered processing that make this lnd fail the link or the channel.
        fails \(fails)
        \(known.joined(separator: "\n"))

        """
    }

    public static let texts: [String: String] = [
        "lnd-0.16": lnd(
            "lnd-0.16", "lnd up to 0.16: an update may overtake channel_ready (lnd#7401), an add may be processed after shutdown",
            versions: "0.0.0 0.17.0",
            closer: "shutdown closing_signed", extraLink: "", fails: "sd-no-add op-after-ready",
            known: [lnd7401, lnd6039]),
        "lnd-0.17": lnd(
            "lnd-0.17", "lnd 0.17: an add may be processed after shutdown", versions: "0.17.0 0.18.0",
            closer: "shutdown closing_signed", extraLink: " stfu", fails: "sd-no-add", known: [lnd6039]),
        "lnd-0.18": lnd(
            "lnd-0.18", "lnd 0.18: the link flushes before a cooperative close (PR #8167)", versions: "0.18.0 0.19.0",
            closer: "shutdown closing_signed", extraLink: " stfu", fails: "sd-no-add", known: [lnd8393]),
        "lnd-0.19": lnd(
            "lnd-0.19",
            "lnd 0.19 and later: always a cooperative close; shutdown and the closing_complete/closing_sig flow go to the closers (msgmux)",
            versions: "0.19.0",
            closer: "shutdown closing_signed closing_complete closing_sig", extraLink: " stfu", fails: "sd-no-add",
            known: [lnd8393]),
        "cln": """
        # Core Lightning dispatch (connectd/multiplex.c, read_body_from_peer_done): connectd
        # hands each message with a channel_id to that channel's one queue, whichever daemon
        # owns the channel then (openingd, dualopend, channeld, closingd). A daemon hands the
        # same socket to the next at each handoff (per_peer_state_fdpass_send) and reads one
        # message at a time, so no message of a channel overtakes another; connectd reads no
        # further while a message waits for a daemon to attach.
        # Not reorders: channeld sets aside what comes before channel_reestablish and replays
        # it after (peer_reconnect, capture_premature_msg; for lnd#2940), which restores the
        # spec's order. channel_update goes through gossipd to lightningd, apart from the
        # channel: one that arrives before channel_ready names an alias lightningd does not
        # know yet and is dropped ("Bad gossip order", ElementsProject/lightning#2094).
        profile cln
        description Core Lightning v0.12 and later: one in-order queue per channel (connectd to the daemon that owns it); gossip via gossipd
        versions 0.12.0
        queue channel \(linkUpdates) channel_reestablish error warning stfu open_channel accept_channel funding_created funding_signed channel_ready open_channel2 accept_channel2 tx_add_input tx_add_output tx_remove_input tx_remove_output tx_complete tx_signatures tx_init_rbf tx_ack_rbf tx_abort shutdown closing_signed closing_complete closing_sig splice_init splice_ack splice_locked announcement_signatures
        queue gossipd channel_announcement node_announcement channel_update
        # channeld answers a channel message before channel_ready with a warning and disconnects.
        fails op-after-ready

        """,
        "eclair": """
        # eclair dispatch (io/PeerConnection.scala, io/Peer.scala, channel/fsm/Channel.scala):
        # PeerConnection → Peer → one Channel actor per channel, each a FIFO mailbox;
        # interactive-tx messages go on to the channel's InteractiveTxBuilder child, which
        # replays what it stashed first. Routing messages go to the Router, except
        # announcement_signatures, which is the channel's.
        # Not reorders of a compliant peer: a remote channel_ready that comes before eclair's
        # funding confirmed is deferred and sent back to the actor's tail once it does
        # (WAIT_FOR_FUNDING_CONFIRMED); announcement_signatures before the channel is NORMAL is
        # re-sent to itself until it is (ACINQ/eclair#217); a commit_sig that comes while the
        # interactive transaction is still being signed waits for it (#2584, #2614). A peer may
        # send nothing else in those states that the later processing would make invalid.
        # (Before v0.14's start_batch, a legacy commit_sig batch was held until complete, and a
        # message inside the batch overtook it, #3083: a compliant batch has none.)
        profile eclair
        description eclair v0.13 and later: one in-order actor mailbox per channel (PeerConnection, Peer, Channel); gossip to the Router
        versions 0.13.0
        queue channel \(linkUpdates) channel_reestablish error stfu open_channel accept_channel funding_created funding_signed channel_ready open_channel2 accept_channel2 tx_add_input tx_add_output tx_remove_input tx_remove_output tx_complete tx_signatures tx_init_rbf tx_ack_rbf tx_abort shutdown closing_signed closing_complete closing_sig splice_init splice_ack splice_locked announcement_signatures
        queue router channel_announcement node_announcement channel_update
        # Quiescence: an update after stfu is ForbiddenMessageWhenQuiescent (warning, disconnect).
        fails stfu-no-updates rm-quiescent fee-quiescent

        """,
        "ldk": """
        # LDK dispatch (lightning/src/ln/peer_handler.rs: read_event, do_read_event,
        # handle_message): each message is handled to its end, in arrival order, on the thread
        # that read it; calls for one peer are serial, so nothing overtakes anything.
        # Not reorders of a compliant peer: a channel_ready that comes before
        # channel_reestablish is kept and replayed after it (workaround_lnd_bug_4006, for
        # lnd#4006); a closing_signed that comes during a monitor update is kept until it ends
        # (pending_counterparty_closing_signed). The holding cell holds LDK's own updates,
        # never received ones.
        profile ldk
        description LDK 0.0.118 and later: each peer's messages handled one at a time, in order (PeerManager::read_event)
        versions 0.0.118
        queue peer \(linkUpdates) channel_reestablish error warning stfu open_channel accept_channel funding_created funding_signed channel_ready open_channel2 accept_channel2 tx_add_input tx_add_output tx_remove_input tx_remove_output tx_complete tx_signatures tx_init_rbf tx_ack_rbf tx_abort shutdown closing_signed closing_complete closing_sig splice_init splice_ack splice_locked announcement_signatures channel_announcement node_announcement channel_update
        # ChannelManager force-closes on an add after the peer's shutdown or before channel_ready.
        fails sd-no-add op-after-ready

        """,
        "strict": """
        # One in-order queue per channel: the "Channel Lifecycle" design lnd#8393 proposes.
        # No message can overtake another, so no hazard.
        profile strict
        description one in-order queue per channel (the design lnd#8393 proposes)
        queue channel \(linkUpdates) channel_reestablish error warning stfu open_channel accept_channel funding_created funding_signed channel_ready shutdown closing_signed closing_complete closing_sig announcement_signatures

        """,
    ]

    /// The implementations whose logs lntrace reads that have a profile of their log format's
    /// name (lnd's depends on its version: ``lnd(version:)``).
    public static let implementations: Set<String> = ["cln", "eclair", "ldk"]

    /// `lnd` is the newest lnd profile.
    public static let aliases = ["lnd": "lnd-0.19"]

    public static var names: [String] { (Array(texts.keys) + Array(aliases.keys)).sorted() }

    /// The lnd profile for an lnd version (`0.16.0-beta`, `v0.18.3-beta.rc1`): the profile of
    /// its minor release, the oldest for older ones, the newest for newer ones.
    public static func lnd(version: String) -> (name: String, profile: Profile)? {
        let digits = version.drop { !$0.isNumber }.split(separator: ".").prefix(2).compactMap { Int($0.prefix { $0.isNumber }) }
        guard digits.count == 2, digits[0] == 0 else { return nil }
        let profiles = texts.keys.filter { $0.hasPrefix("lnd-0.") }.compactMap { Int($0.dropFirst(6)) }.sorted()
        guard let oldest = profiles.first, let newest = profiles.last else { return nil }
        let minor = min(max(digits[1], oldest), newest)
        let name = "lnd-0.\(profiles.last { $0 <= minor } ?? oldest)"
        return profile(name).map { (name, $0) }
    }

    /// A built-in profile by name (or alias).
    public static func profile(_ name: String) -> Profile? {
        guard let text = texts[aliases[name] ?? name] else { return nil }
        return try? Profile(parsing: text)
    }
}
