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

    static let clnQueues = """
        queue channel \(linkUpdates) channel_reestablish error warning stfu open_channel accept_channel funding_created funding_signed channel_ready open_channel2 accept_channel2 tx_add_input tx_add_output tx_remove_input tx_remove_output tx_complete tx_signatures tx_init_rbf tx_ack_rbf tx_abort shutdown closing_signed closing_complete closing_sig splice_init splice_ack splice_locked announcement_signatures
        queue gossipd channel_announcement node_announcement channel_update
        """

    static let cln2094 = """
        known cln-2094 first=channel_ready second=channel_update outcome=impl-update-before-ready observed="Bad gossip order" issues=cln#2094,cln#6904 consequence="gossipd drops the peer's first channel_update of the new channel (logged at debug level as 'Bad gossip order: WIRE_CHANNEL_UPDATE before announcement'): the node does not learn the peer's fees and CLTV delta for the channel, for route hints in its invoices, until the peer sends another update (at the next reconnection, or a policy change)" explanation="Core Lightning hands channel_ready to channeld and channel_update to gossipd. gossipd learns of the channel only after channeld has processed the peer's channel_ready and told lightningd, which tells gossipd: three hops against one for the update. When this node sent its channel_ready first, the peer's channel_ready and the update that follows it (as BOLT #7 requires, after receiving channel_ready) arrive back to back, and gossipd may handle the update first (lightning#2094; fixed in v24.02 by lightning#6904)."
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
        "cln-0.12": """
        # Core Lightning v0.12 to v23.11: a channel's messages reach the daemon that owns it in
        # order, as in cln-24.02 (connectd/multiplex.c). Its gossip goes to gossipd, which
        # learns of a channel that is not announced only from lightningd, once channeld has
        # processed both channel_ready (channeld make_channel_local_active, lightningd
        # tell_gossipd_local_private_channel). The peer's channel_update that follows its
        # channel_ready reaches gossipd in one hop; handled first, it names a channel gossipd
        # does not know, and is dropped ("Bad gossip order", gossipd/routing.c
        # handle_channel_update; ElementsProject/lightning#2094). It happens when this node
        # sent its channel_ready first. Core Lightning delayed its own first update by 5 s for
        # this race (make_channel_local_active); eclair, LDK and lnd send theirs at once.
        profile cln-0.12
        description Core Lightning v0.12 to v23.11: a channel's messages in order, but the peer's first channel_update may reach gossipd before channeld has processed its channel_ready (lightning#2094)
        versions 0.12.0 24.02.0
        \(clnQueues)
        fails op-after-ready impl-update-before-ready
        \(cln2094)

        """,
        "cln-24.02": """
        # Core Lightning dispatch (connectd/multiplex.c, read_body_from_peer_done): connectd
        # hands each message with a channel_id to that channel's one queue, whichever daemon
        # owns the channel then (openingd, dualopend, channeld, closingd). A daemon hands the
        # same socket to the next at each handoff (per_peer_state_fdpass_send) and reads one
        # message at a time, so no message of a channel overtakes another; connectd reads no
        # further while a message waits for a daemon to attach.
        # Not reorders: channeld sets aside what comes before channel_reestablish and replays
        # it after (peer_reconnect, capture_premature_msg; for lnd#2940), which restores the
        # spec's order. channel_update goes through gossipd, apart from the channel; since
        # v24.02 (lightning#6904) gossipd hands an update of a channel it does not know to
        # lightningd, which knows the channel's aliases from its creation, so the race of
        # cln-0.12 (lightning#2094) loses nothing.
        profile cln-24.02
        description Core Lightning v24.02 and later: one in-order queue per channel (connectd to the daemon that owns it); gossip via gossipd, none lost
        versions 24.02.0
        \(clnQueues)
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

    /// Each built-in profile's evidence among the scenarios of `Fixtures/hazards/` (each
    /// synthesized as a capture with the receiving node's log): those in which it finds a
    /// hazard, and the controls in which it finds none. Every scenario is one or the other
    /// for every profile; the tests replay them all (Documentation/hazards.md).
    public static let evidence: [String: (hazards: [String], controls: [String])] = {
        let all = [
            "cln-2094", "cln-2094-control", "fulfill-then-shutdown", "fulfill-then-shutdown-0.17", "lnd-7401", "lnd-8393",
            "lnd-8393-0.17", "shutdown-after-dance",
        ]
        func split(_ hazards: [String]) -> (hazards: [String], controls: [String]) { (hazards, all.filter { !hazards.contains($0) }) }
        let lnd = split(["lnd-8393", "lnd-8393-0.17"])
        return [
            "lnd-0.16": split(["lnd-7401", "lnd-8393", "lnd-8393-0.17"]),
            "lnd-0.17": lnd, "lnd-0.18": lnd, "lnd-0.19": lnd,
            "cln-0.12": split(["cln-2094"]), "cln-24.02": split([]), "eclair": split([]), "ldk": split([]), "strict": split([]),
        ]
    }()

    /// The implementations whose logs lntrace reads that have a profile of their log format's
    /// name (lnd's depends on its version: ``lnd(version:)``).
    public static let implementations: Set<String> = ["cln", "eclair", "ldk"]

    /// `lnd` is the newest lnd profile.
    public static let aliases = ["lnd": "lnd-0.19", "cln": "cln-24.02"]

    public static var names: [String] { (Array(texts.keys) + Array(aliases.keys)).sorted() }

    /// The implementations whose profile depends on their release (several built-in
    /// profiles named `IMPLEMENTATION-RELEASE`): lnd, Core Lightning.
    public static var versioned: Set<String> {
        Set(
            texts.keys.compactMap { name in name.split(separator: "-").first.map(String.init) }.filter { prefix in
                texts.keys.filter { $0.hasPrefix(prefix + "-") }.count > 1
            })
    }

    /// The profile of an implementation's release (`0.16.0-beta`, `v0.18.3-beta.rc1`,
    /// `v23.11.2`): the one whose `versions` range holds it, the oldest for older releases,
    /// the newest for newer ones; `nil` when the version has no number.
    public static func profile(implementation: String, version: String) -> (name: String, profile: Profile)? {
        guard let release = Release(version) else { return nil }
        let ranged = texts.keys.filter { $0.hasPrefix(implementation + "-") }.compactMap { name -> (String, Profile, Release)? in
            guard let profile = profile(name), let from = profile.versions.flatMap({ Release($0.from) }) else { return nil }
            return (name, profile, from)
        }.sorted { $0.2 < $1.2 }
        guard let oldest = ranged.first else { return nil }
        let chosen = ranged.last { $0.2 <= release } ?? oldest
        return (chosen.0, chosen.1)
    }

    /// A release number, compared part by part (`v24.02.1-modded`: 24, 2, 1).
    struct Release: Comparable {
        var parts: [Int]

        init?(_ text: String) {
            let numbers = text.drop { !$0.isNumber }.split(separator: ".").prefix(3).map { Int($0.prefix { $0.isNumber }) }
            guard let first = numbers.first, first != nil else { return nil }
            parts = numbers.prefix { $0 != nil }.compactMap { $0 }
            while parts.count < 3 { parts.append(0) }
        }

        static func < (a: Release, b: Release) -> Bool { a.parts.lexicographicallyPrecedes(b.parts) }
    }

    /// A built-in profile by name (or alias).
    public static func profile(_ name: String) -> Profile? {
        guard let text = texts[aliases[name] ?? name] else { return nil }
        return try? Profile(parsing: text)
    }
}
