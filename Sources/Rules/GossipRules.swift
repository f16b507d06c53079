import Basics
import Provenance
import Secp256k1
import Wire

/// BOLT #7 on one connection: the gossip messages' own fields and signatures, timestamps per
/// origin, and the query family's turn-taking.
enum GossipRules {
    static let all: [Rule] = [
        announcementSignaturesOnlyIfAnnounced, announcementSignaturesAfterReady, updateFlags, updateHTLCMaximum, announcementNodeOrder,
        announcementFeatures, shortIDEncoding,
        shortIDQueryOutstanding, rangeQueryOutstanding, updateSignature, updateDirection, updateTimestamp, updateSameTimestamp, aliasUTF8,
        announcementSignatures,
        nodeAnnouncementRules, rangeReply, updateChain, announcementSignaturesShortID, announcementBeforeUpdate,
        updateHTLCMinimum, updateAfterReady, updatePrivate, announcementSignaturesValid, filterFirst, noUnrequestedRelay, filterRange,
    ]

    /// Whether the trace shows every reply to a query: a capture does; a node log may not
    /// (eclair logs only those it receives).
    static func repliesComplete(_ c: inout Check) -> Bool {
        if !c.connection.transport { c.notEvaluated("a node log may not show every reply (eclair logs only those it receives)") }
        return c.connection.transport
    }

    static let updateSection = "BOLT #7 §\"The channel_update Message\" Requirements"
    static let announcementSection = "BOLT #7 §\"The channel_announcement Message\" Requirements"
    static let querySection = "BOLT #7 §\"Query Messages\" Requirements"

    static let announcementSignaturesOnlyIfAnnounced = Rule(
        RuleInfo(
            "as-only-if-announce", "announcement_signatures only for an announced channel",
            section: "BOLT #7 §\"The announcement_signatures Message\" Requirements",
            severity: .error,
            spec:
                "A node: if the `open_channel` message has the `announce_channel` bit set AND a `shutdown` message has not been sent: MUST send the `announcement_signatures` message … Otherwise: MUST NOT send the `announcement_signatures` message.",
            explanation:
                "Only a channel opened with `announce_channel` is announced, and a node that has asked to close its channel no longer announces it.",
            example: "→ open_channel channel_flags=0, …, → announcement_signatures"),
        on: [.announcementSignatures]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        guard let announce = ch.announce else { return c.notEvaluated("the opening does not give `channel_flags`") }
        if !announce { return c.violation("`announcement_signatures` for a channel opened without `announce_channel`") }
        if ch.shutdownSent[c.sender] { c.violation("`announcement_signatures` after the sender's own `shutdown`") }
    }

    static let announcementSignaturesAfterReady = Rule(
        RuleInfo(
            "as-after-ready", "announcement_signatures after channel_ready both ways",
            section: "BOLT #7 §\"The announcement_signatures Message\" Requirements",
            severity: .warning,
            spec:
                "A node: if the `open_channel` message has the `announce_channel` bit set AND a `shutdown` message has not been sent: After `channel_ready` has been sent and received AND the funding transaction has enough confirmations to ensure that it won't be reorganized: MUST send `announcement_signatures` for the funding transaction. A recipient node: if it has not sent `channel_ready`: SHOULD defer handling the `announcement_signatures` until after it has sent `channel_ready`.",
            explanation:
                "A channel is announced once both nodes hold it locked: `channel_ready` sent and received. An `announcement_signatures` before that comes before its time (the recipient's SHOULD defer exists for such early ones, so it is a warning). Whether the funding had enough confirmations needs chain data and is not judged.",
            example: "→ channel_ready, → announcement_signatures (before ← channel_ready)"),
        on: [.announcementSignatures]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        if !ch.readySent[c.sender] {
            c.violation("`announcement_signatures` before the sender's own `channel_ready`")
        } else if !ch.readySent[c.peer] {
            c.violation("`announcement_signatures` before the peer's `channel_ready` arrived")
        }
    }

    static let updateFlags = Rule(
        RuleInfo(
            "cu-flags", "channel_update flags as defined", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MUST set `must_be_one` in `message_flags` to 1. MUST set bits in `channel_flags` and `message_flags` that are not assigned a meaning to 0.",
            explanation:
                "`message_flags` has `must_be_one` (bit 0) and `dont_forward` (bit 1); `channel_flags` has `direction` (bit 0) and `disable` (bit 1). Every other bit is 0. Until `htlc_maximum_msat` became mandatory, bit 0 of `message_flags` said whether that field was present: an update without the field (older nodes, log summaries that omit it) is not judged on `must_be_one`.",
            example: "→ channel_update message_flags=0"), on: [.channelUpdate]
    ) { c in
        guard let messageFlags = c.need(\.messageFlags), let channelFlags = c.need(\.channelFlags) else { return }
        var problems: [String] = []
        // Before `htlc_maximum_msat` became mandatory (2022), bit 0 said whether it was present:
        // a message without the field (an older log's summary, an older node) is not judged on it.
        if messageFlags & 1 == 0 && c.typed.htlcMaximumMsat != nil { problems.append("`must_be_one` is 0") }
        if messageFlags & ~0b11 != 0 { problems.append("message_flags sets unassigned bits (\(String(messageFlags, radix: 2)))") }
        if channelFlags & ~0b11 != 0 { problems.append("channel_flags sets unassigned bits (\(String(channelFlags, radix: 2)))") }
        if !problems.isEmpty { c.violation(problems.joined(separator: "; ")) }
    }

    static let updateHTLCMaximum = Rule(
        RuleInfo(
            "cu-htlc-max", "htlc_maximum_msat not below htlc_minimum_msat", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MUST set `htlc_maximum_msat` to the maximum value it will send through this channel for a single HTLC. MUST set this to less than or equal to the channel capacity. MUST set this to less than or equal to `max_htlc_value_in_flight_msat` it received from the peer. MUST set this to greater than or equal to `htlc_minimum_msat`.",
            explanation:
                "An update whose maximum is below its own minimum admits no HTLC. (The bounds by the channel's capacity and the peer's `max_htlc_value_in_flight_msat` need the funding behind the `short_channel_id`, which the model does not link; they are not judged.)",
            example: "→ channel_update htlc_minimum_msat=1000 htlc_maximum_msat=999"), on: [.channelUpdate]
    ) { c in
        guard let maximum = c.need(\.htlcMaximumMsat), let minimum = c.need(\.htlcMinimumMsat) else { return }
        if maximum < minimum {
            c.violation(
                "htlc_maximum_msat \(maximum) is below htlc_minimum_msat \(minimum)", field: \TypedMessage.htlcMaximumMsat, actual: maximum,
                minimum: minimum)
        }
    }

    static let announcementNodeOrder = Rule(
        RuleInfo(
            "ca-node-order", "node_id_1 is the lesser node id", section: announcementSection,
            severity: .error,
            spec:
                "MUST set `node_id_1` and `node_id_2` to the public keys of the two nodes operating the channel, such that `node_id_1` is the lexicographically-lesser of the two compressed keys sorted in ascending lexicographic order.",
            explanation:
                "The order decides which node is direction 0 in `channel_update` and which signature is whose; two equal ids cannot operate a channel. (That the bitcoin keys are the nodes' funding keys needs the opening, and is not judged here.)",
            example: "→ channel_announcement node_id_1=03… node_id_2=02…"), on: [.channelAnnouncement]
    ) { c in
        guard let one = c.needBytes(\.nodeID1), let two = c.needBytes(\.nodeID2) else { return }
        if !one.lexicographicallyPrecedes(two) {
            c.violation("node_id_1 \(short(Hex.encode(one))) is not less than node_id_2 \(short(Hex.encode(two)))")
        }
    }

    static let announcementFeatures = Rule(
        RuleInfo(
            "ca-features", "channel_announcement features in their shortest form", section: announcementSection,
            severity: .error,
            spec: "MUST set `len` to the minimum length required to hold the `features` bits it sets.",
            explanation: "A feature bitmap is big-endian: a leading zero byte adds nothing, and the announcement is signed as sent.",
            example: "→ channel_announcement len=1 features=00"), on: [.channelAnnouncement]
    ) { c in
        guard let features = c.needBytes(\.features) else { return }
        if features.first == 0 { c.violation("`features` (\(features.count) byte\(features.count == 1 ? "" : "s")) starts with a zero byte") }
    }

    static let shortIDEncoding = Rule(
        RuleInfo(
            "q-scid-encoding", "encoded_short_ids: sorted, uncompressed, whole", section: querySection,
            severity: .error,
            spec:
                "The sender: MUST set the first byte of `encoded_short_ids` to the encoding type. MUST encode a whole number of `short_channel_id`s to `encoded_short_ids`. (Encoding types: `0`: uncompressed array of `short_channel_id` types, in ascending order; `1`: previously used for zlib compression, this encoding MUST NOT be used.)",
            explanation: "Only encoding 0 remains: after its type byte, 8-byte short channel ids in ascending order.",
            example: "→ query_short_channel_ids encoded_short_ids=01…"), on: [.queryShortChannelIds]
    ) { c in
        guard let encoded = c.needBytes(\.encodedShortIds) else { return }
        guard let type = encoded.first else { return c.violation("`encoded_short_ids` is empty: it has no encoding type") }
        if type == 1 { return c.violation("encoding type 1 (zlib), which must not be used") }
        if type != 0 { return c.violation("encoding type \(type), which BOLT #7 does not define") }
        let ids = encoded.dropFirst()
        if ids.count % 8 != 0 { return c.violation("\(ids.count) bytes after the encoding type: not a whole number of short_channel_ids") }
        var previous: UInt64?
        for start in stride(from: ids.startIndex, to: ids.endIndex, by: 8) {
            let id = ids[start..<(start + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if let previous, id <= previous {
                return c.violation(
                    "short_channel_id \(ShortChannelID(rawValue: id)) follows \(ShortChannelID(rawValue: previous)): not in ascending order")
            }
            previous = id
        }
    }

    static let shortIDQueryOutstanding = Rule(
        RuleInfo(
            "q-scid-outstanding", "one query_short_channel_ids at a time", section: querySection,
            severity: .error,
            spec:
                "The sender: MUST NOT send `query_short_channel_ids` if it has sent a previous `query_short_channel_ids` to this peer and not received `reply_short_channel_ids_end`.",
            explanation: "A node waits for the end of the replies to its query before it queries again.",
            example: "→ query_short_channel_ids, → query_short_channel_ids (before ← reply_short_channel_ids_end)"),
        on: [.queryShortChannelIds]
    ) { c in
        // Only queries seen in the trace count: one sent before it began cannot be judged.
        guard repliesComplete(&c) else { return }
        if c.connection.shortIDQueryOutstanding[c.direction] {
            c.violation("a second `query_short_channel_ids` before `reply_short_channel_ids_end` answered the first")
        }
    }

    static let rangeQueryOutstanding = Rule(
        RuleInfo(
            "q-range-outstanding", "one query_channel_range at a time", section: querySection,
            severity: .error,
            spec:
                "The sender of `query_channel_range`: MUST NOT send this if it has sent a previous `query_channel_range` to this peer and not received all `reply_channel_range` replies.",
            explanation:
                "The replies to a range query cover its blocks in order; the query is answered when a reply reaches the end of the range (`first_blocknum` + `number_of_blocks`). Judged on captures: a node log may not show every reply.",
            example: "→ query_channel_range, → query_channel_range (before the replies reach the end of the first)"),
        on: [.queryChannelRange]
    ) { c in
        guard repliesComplete(&c) else { return }
        if let query = c.connection.rangeQuery[c.direction] {
            c.violation("a second `query_channel_range` before the replies to the first reached block \(query.end)")
        }
    }

    // MARK: Signatures and timestamps

    /// The double SHA-256 of the message from byte `offset` on (past its type and
    /// signatures), which BOLT #7 signs, when the trace has the bytes: the decoded message
    /// encoded again, and only if that gives back as many bytes as arrived (a decoder that
    /// dropped trailing bytes would make a valid signature look invalid).
    static func signedDigest(_ c: inout Check, after offset: Int) -> [UInt8]? {
        guard case let .decoded(message) = c.event.content else {
            c.notEvaluated("the log line does not carry the signed bytes")
            return nil
        }
        guard let bytes = try? message.encoded(), bytes.count > offset else {
            c.notEvaluated("the message does not encode again")
            return nil
        }
        if let length = c.event.length, length != bytes.count {
            c.notEvaluated("the message has \(length - bytes.count) bytes the decoder does not keep, so its signed bytes are unknown")
            return nil
        }
        return sha256(sha256(bytes[offset...]))
    }

    /// `node_id_1` and `node_id_2` of the channel a `channel_update` is for, from its
    /// `channel_announcement` earlier on the connection.
    static func announcedNodes(_ c: inout Check) -> [Point]? {
        guard let channel = c.typed.shortChannelID else {
            c.notGiven(\TypedMessage.shortChannelID)
            return nil
        }
        guard let nodes = c.connection.gossip.nodes[channel] else {
            c.notEvaluated("no `channel_announcement` of \(channel) earlier on the connection names its two nodes")
            return nil
        }
        return nodes
    }

    /// Which of `nodes` signed `digest` (0 or 1), if either did.
    static func signer(_ signature: [UInt8], _ digest: [UInt8], _ nodes: [Point]) -> Int? {
        nodes.firstIndex { Secp256k1.verify(signature: signature, digest: digest, point: $0.bytes) }
    }

    static let updateSignature = Rule(
        RuleInfo(
            "cu-sig", "channel_update signed by one of the channel's nodes", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MUST set `signature` to the signature of the double-SHA256 of the entire remaining packet after `signature`, using its own `node_id`. A receiving node: if the `signature` is not a valid signature, using `node_id` of the double-SHA256 of the entire message following the `signature` field (including unknown fields following `fee_proportional_millionths`): SHOULD send a `warning` and close the connection. MUST NOT process the message further.",
            explanation:
                "The origin is one of the two nodes that `channel_announcement` names. The signature must verify with one of them over the bytes after it (which of them the `direction` bit says is `cu-direction`). Judged when the connection carried the channel's announcement, and on the message's bytes (a log summary does not have them).",
            example:
                "→ channel_announcement short_channel_id=800000x1x0 …, → channel_update short_channel_id=800000x1x0 signature=<another message's>"),
        on: [.channelUpdate], offloads: true
    ) { c in
        guard let signature = c.needBytes(\.signature), let nodes = announcedNodes(&c), let digest = signedDigest(&c, after: 66) else { return }
        let channel = c.typed.shortChannelID.map(\.description) ?? "?"
        c.offload {
            signer(signature, digest, nodes) != nil
                ? .passed
                : Verdict(
                    outcome: .violation("the signature verifies with neither node_id_1 nor node_id_2 of \(channel)", crossing: false), evidence: nil)
        }
    }

    static let updateDirection = Rule(
        RuleInfo(
            "cu-direction", "channel_update's direction bit names its origin", section: updateSection,
            severity: .error,
            spec:
                "The origin node: if the origin node is `node_id_1` in the message: MUST set the `direction` bit of `channel_flags` to 0. otherwise: MUST set the `direction` bit of `channel_flags` to 1.",
            explanation:
                "The direction bit tells which end's policy the update sets: the origin is the node whose key the signature verifies with. An update signed by `node_id_1` with direction 1 would set the other node's fees.",
            example: "→ channel_update channel_flags=1 (signed by node_id_1)"),
        on: [.channelUpdate], offloads: true
    ) { c in
        guard let signature = c.needBytes(\.signature), let flags = c.need(\.channelFlags), let nodes = announcedNodes(&c),
            let digest = signedDigest(&c, after: 66)
        else { return }
        c.offload {
            guard let origin = signer(signature, digest, nodes) else {
                return Verdict(outcome: .notEvaluated("the signature verifies with neither node (cu-sig)"), evidence: nil)
            }
            return UInt64(origin) == flags & 1
                ? .passed
                : Verdict(
                    outcome: .violation("signed by node_id_\(origin + 1), but the direction bit is \(flags & 1)", crossing: false), evidence: nil)
        }
    }

    static let updateTimestamp = Rule(
        RuleInfo(
            "cu-timestamp", "channel_update timestamps increase", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MUST set `timestamp` to greater than 0, AND to greater than any previously-sent `channel_update` for this `short_channel_id`.",
            explanation:
                "Per short channel id and direction, each update a node sends on the connection is newer than the one before. Sending the same update again (an answer to a query) is not a new update; a different one with an older timestamp is (with the same timestamp, `cu-same-ts`).",
            example: "→ channel_update timestamp=1700000600, → channel_update timestamp=1700000000"),
        on: [.channelUpdate]
    ) { c in
        guard let (channel, timestamp, flags, last) = updateBefore(&c) else { return }
        if timestamp == 0 { return c.violation("`timestamp` is 0") }
        guard let last else { return }
        if timestamp < last.timestamp {
            c.violation(
                "timestamp \(timestamp) is older than the \(last.timestamp) of the update this node sent before for \(channel) direction \(flags & 1)"
            )
        }
        // The same timestamp with other fields: cu-same-ts.
    }

    /// A `channel_update`'s short channel id, timestamp and flags, and the update the sender
    /// sent before for the same channel and direction on this connection (if any).
    static func updateBefore(_ c: inout Check) -> (ShortChannelID, UInt64, UInt64, ConnectionModel.Update?)? {
        guard let channel = c.typed.shortChannelID else {
            c.notGiven(\TypedMessage.shortChannelID)
            return nil
        }
        guard let timestamp = c.need(\.timestamp), let flags = c.need(\.channelFlags) else { return nil }
        let key = ConnectionModel.UpdateKey(channel: channel, direction: UInt8(flags & 1))
        return (channel, timestamp, flags, c.connection.gossip.updates[c.direction][key])
    }

    static let updateSameTimestamp = Rule(
        RuleInfo(
            "cu-same-ts", "a different channel_update has a new timestamp", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MUST set `timestamp` to greater than 0, AND to greater than any previously-sent `channel_update` for this `short_channel_id`. The receiving node: if the `timestamp` is equal to the last-received `channel_update` for this `short_channel_id` AND `node_id`: if the fields below `timestamp` differ: MAY blacklist this `node_id`. MAY forget all channels associated with it. if the fields below `timestamp` are equal: SHOULD ignore this message.",
            explanation:
                "Per short channel id and direction, an update with the timestamp of the one the node sent before must be that update again (an answer to a query, ignored by the receiver); one with other fields is a conflicting update, for which the receiver may blacklist the node. An older timestamp is `cu-timestamp`'s.",
            example: "→ channel_update timestamp=1700000000 fee_base_msat=1000, → channel_update timestamp=1700000000 fee_base_msat=2000"),
        on: [.channelUpdate]
    ) { c in
        guard let (channel, timestamp, flags, before) = updateBefore(&c), let last = before, timestamp == last.timestamp else { return }
        if ConnectionModel.updateFields(c.view) != last.fields {
            c.violation("timestamp \(timestamp) repeats that of a different update this node sent before for \(channel) direction \(flags & 1)")
        }
    }

    static let announcementSignatures = Rule(
        RuleInfo(
            "ca-sigs", "channel_announcement's four signatures", section: announcementSection,
            severity: .error,
            spec:
                "The origin node: MUST compute the double-SHA256 hash `h` of the message, beginning at offset 256, up to the end of the message. MUST set `node_signature_1` and `node_signature_2` to valid signatures of the hash `h` (using `node_id_1` and `node_id_2`'s respective secrets). MUST set `bitcoin_signature_1` and `bitcoin_signature_2` to valid signatures of the hash `h` (using `bitcoin_key_1` and `bitcoin_key_2`'s respective secrets). The receiving node: if `bitcoin_signature_1`, `bitcoin_signature_2`, `node_signature_1` OR `node_signature_2` are invalid OR NOT correct: SHOULD send a `warning`. MAY close the connection. MUST ignore the message.",
            explanation:
                "Both nodes and both funding keys sign the announcement: the node signatures bind the channel to the nodes, the bitcoin signatures prove the nodes control the funding output. Offset 256 is past the type and the four signatures.",
            example: "→ channel_announcement bitcoin_signature_2=<another message's>"),
        on: [.channelAnnouncement], offloads: true
    ) { c in
        guard let n1 = c.needBytes(\.nodeSignature1), let n2 = c.needBytes(\.nodeSignature2), let b1 = c.needBytes(\.bitcoinSignature1),
            let b2 = c.needBytes(\.bitcoinSignature2), let id1 = c.needBytes(\.nodeID1), let id2 = c.needBytes(\.nodeID2),
            let key1 = c.needBytes(\.bitcoinKey1), let key2 = c.needBytes(\.bitcoinKey2), let digest = signedDigest(&c, after: 258)
        else { return }
        c.offload {
            let checks = [
                ("node_signature_1", n1, id1), ("node_signature_2", n2, id2), ("bitcoin_signature_1", b1, key1), ("bitcoin_signature_2", b2, key2),
            ]
            let failed = checks.filter { !Secp256k1.verify(signature: $0.1, digest: digest, point: $0.2) }.map(\.0)
            return failed.isEmpty
                ? .passed
                : Verdict(outcome: .violation("\(failed.joined(separator: ", ")) not valid for the message", crossing: false), evidence: nil)
        }
    }

    static let nodeAnnouncementRules = Rule(
        RuleInfo(
            "na-rules", "node_announcement signed, newer, alias and addresses well-formed",
            section: "BOLT #7 §\"The node_announcement Message\" Requirements",
            severity: .error,
            spec:
                "The origin node: MUST set `timestamp` to be greater than that of any previous `node_announcement` it has previously created. MUST set `signature` to the signature of the double-SHA256 of the entire remaining packet after `signature` (using the key given by `node_id`). MUST set `alias` to a valid UTF-8 string, with any `alias` trailing-bytes equal to 0. MUST set `addrlen` to the number of bytes in `addresses`. MUST place address descriptors in ascending order. MUST NOT create a `type 1`, `type 2` or `type 5` address descriptor with `port` equal to 0. MUST NOT announce more than one `type 5` DNS hostname.",
            explanation:
                "The signature is by the announced node itself. Each node a connection announces has newer announcements later (the same one again, as an answer to a query, is fine). `alias` is padded with zeros (its UTF-8 is `fmt-utf8`'s). Addresses are descriptors: a type, then 4 (IPv4), 16 (IPv6), 10 or 35 (Tor) bytes or a length-prefixed hostname (5), then a 2-byte port; types do not descend, IP and hostname ports are not 0, and there is one hostname at most. Signatures are judged on the message's bytes (a log summary does not have them).",
            example: "→ node_announcement addresses=<an IPv6 then an IPv4 descriptor>"),
        on: [.nodeAnnouncement], offloads: true
    ) { c in
        if let node = c.typed.nodeID, let timestamp = c.uint(\.timestamp), let last = c.connection.gossip.nodeAnnouncements[c.direction][node] {
            if timestamp < last.timestamp {
                return c.violation("timestamp \(timestamp) is older than the \(last.timestamp) of this node's announcement sent before")
            }
            if timestamp == last.timestamp && ConnectionModel.announcementDigest(c.view) != last.digest {
                return c.violation("timestamp \(timestamp) repeats that of a different announcement of this node sent before")
            }
        }
        if let addresses = c.bytes(\.addresses), let problem = addressProblem(addresses) { return c.violation(problem) }
        if let alias = c.bytes(\.alias), let problem = aliasProblem(alias) { return c.violation(problem) }
        guard let signature = c.needBytes(\.signature), let node = c.needBytes(\.nodeID), let digest = signedDigest(&c, after: 66) else { return }
        c.offload {
            Secp256k1.verify(signature: signature, digest: digest, point: node)
                ? .passed : Verdict(outcome: .violation("the signature does not verify with `node_id`", crossing: false), evidence: nil)
        }
    }

    /// What is wrong with `node_announcement`'s address descriptors (``AddressDescriptor``),
    /// if anything. Reading stops at a type BOLT #7 does not define, whose length is unknown
    /// (a receiver ignores the rest).
    static func addressProblem(_ addresses: [UInt8]) -> String? {
        var rest = addresses[...]
        var previous: UInt8 = 0
        while let type = rest.first {
            guard let length = AddressDescriptor.length(rest) else {
                return type == 5 ? "the DNS hostname descriptor is cut off" : nil
            }
            if type < previous { return "address descriptor type \(type) after type \(previous): not in ascending order" }
            if type == 5 && previous == 5 { return "more than one DNS hostname (type 5)" }
            guard length <= rest.count else { return "address descriptor type \(type) is cut off by `addrlen`" }
            if AddressDescriptor.port(rest, length: length) == 0, [1, 2, 5].contains(type) { return "address descriptor type \(type) has port 0" }
            previous = type
            rest = rest.dropFirst(length)
        }
        return nil
    }

    /// What is wrong with `alias`, if anything: it is UTF-8 up to its first zero byte, and
    /// zero from there on.
    static func aliasProblem(_ alias: [UInt8]) -> String? {
        let end = alias.firstIndex(of: 0) ?? alias.endIndex
        if alias[end...].contains(where: { $0 != 0 }) { return "`alias` has non-zero bytes after its first zero byte" }
        return nil  // its UTF-8: fmt-utf8
    }

    static let aliasUTF8 = Rule(
        RuleInfo(
            "fmt-utf8", "utf8 fields are valid UTF-8",
            section: "BOLT #1 §\"Fundamental Types\"; BOLT #7 §\"The node_announcement Message\" Requirements",
            severity: .error,
            spec:
                "A writer: MUST ensure an array of `utf8` is a valid UTF-8 string. (BOLT #7: the origin node MUST set `alias` to a valid UTF-8 string, with any `alias` trailing-bytes equal to 0.)",
            explanation:
                "`node_announcement`'s `alias` is the only `utf8` field of BOLT #1, #2 and #7: its bytes up to the first zero form a valid UTF-8 string (a truncated multi-byte character, a lone continuation byte or 0xff are not).",
            example: "→ node_announcement alias=ff00…00"),
        on: [.nodeAnnouncement]
    ) { c in
        guard let alias = c.bytes(\.alias) else { return c.notGiven(\TypedMessage.alias) }
        let end = alias.firstIndex(of: 0) ?? alias.endIndex
        if String(validating: alias[..<end], as: UTF8.self) == nil {
            c.violation("`alias` \(Hex.encode(Array(alias[..<end]))) is not valid UTF-8")
        }
    }

    static let rangeReply = Rule(
        RuleInfo(
            "q-range-reply", "reply_channel_range covers the query, in order", section: querySection,
            severity: .error,
            spec:
                "The receiver of `query_channel_range`: MUST respond with one or more `reply_channel_range`: MUST set with `chain_hash` equal to that of `query_channel_range` … the first `reply_channel_range` message: MUST set `first_blocknum` less than or equal to the `first_blocknum` in `query_channel_range`; MUST set `first_blocknum` plus `number_of_blocks` greater than `first_blocknum` in `query_channel_range`. successive `reply_channel_range` message: MUST have `first_blocknum` equal or greater than the previous `first_blocknum`.",
            explanation:
                "Replies answer an outstanding query, on its chain: the first overlaps the start of the range, the next ones do not go back. (`sync_complete` is not judged: the text's indentation leaves open whether every reply sets it, and implementations differ.) A reply to no query is judged on captures that hold the connection's start: a node log may not show the query.",
            example: "← query_channel_range first_blocknum=700000, → reply_channel_range first_blocknum=700100"),
        on: [.replyChannelRange]
    ) { c in
        guard let query = c.connection.rangeQuery[c.direction.reversed] else {
            guard c.connection.transport, c.connection.startSeen else {
                return c.notEvaluated("the query it answers may be before the trace or missing from the log")
            }
            return c.violation("`reply_channel_range` answers no outstanding `query_channel_range`")
        }
        guard let first = c.need(\.firstBlocknum), let count = c.need(\.numberOfBlocks) else { return }
        if let asked = query.chain, let chain = c.typed.chainHash, chain != asked {
            return c.violation("chain_hash \(short(chain.hex)) is not the query's \(short(asked.hex))")
        }
        if query.replies == 0 {
            if first > query.first { return c.violation("the first reply starts at block \(first), after the query's \(query.first)") }
            if first + count <= query.first {
                return c.violation("the first reply ends before block \(query.first), where the query starts")
            }
        } else if let previous = query.previousFirst, first < previous {
            c.violation("first_blocknum \(first) goes back from the previous reply's \(previous)")
        }
    }

    static let updateChain = Rule(
        RuleInfo(
            "cu-chain", "channel_update on its channel's chain", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MUST set `chain_hash` AND `short_channel_id` to match the 32-byte hash AND 8-byte channel ID that uniquely identifies the channel specified in the `channel_announcement` message.",
            explanation:
                "An update names its channel by chain and short channel id; the chain is the one the channel's `channel_announcement` gave. Judged when the connection carried that announcement.",
            example: "→ channel_announcement chain_hash=<regtest> …, → channel_update chain_hash=<mainnet> …"),
        on: [.channelUpdate]
    ) { c in
        guard let channel = c.typed.shortChannelID else { return c.notGiven(\TypedMessage.shortChannelID) }
        guard let announced = c.connection.gossip.chains[channel] else {
            return c.notEvaluated("no `channel_announcement` of \(channel) earlier on the connection gives its chain")
        }
        guard let chain = c.typed.chainHash else { return c.notGiven(\TypedMessage.chainHash) }
        if chain != announced { c.violation("chain_hash \(short(chain.hex)) is not the \(short(announced.hex)) of the channel's announcement") }
    }

    static let announcementSignaturesShortID = Rule(
        RuleInfo(
            "as-scid", "announcement_signatures names the funding output",
            section: "BOLT #7 §\"The announcement_signatures Message\" Requirements",
            severity: .warning,
            spec:
                "A recipient node: if the `short_channel_id` is NOT correct: SHOULD send a `warning`, close the connection, and fail the channel.",
            explanation:
                "A short channel id is block, transaction and output of the funding output: its output part is the funding output's index (`funding_created`), and both nodes name the same channel. The block and transaction need the chain. After a splice the funding output is not modelled, and the check starts again with the splice's announcement.",
            example: "→ funding_created funding_output_index=0, …, → announcement_signatures short_channel_id=800000x1x1"),
        on: [.announcementSignatures]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        guard let id = c.typed.shortChannelID else { return c.notGiven(\TypedMessage.shortChannelID) }
        if let peers = ch.announcementShortID[c.peer], peers != id {
            return c.violation("short_channel_id \(id) is not the \(peers) the peer's `announcement_signatures` named")
        }
        guard !ch.spliced else { return }
        guard let index = ch.fundingOutputIndex else { return c.notEvaluated("the funding output's index is not in the trace") }
        if id.output != index {
            c.violation("short_channel_id \(id) names output \(id.output), but the funding output is \(index)")
        }
    }

    static let announcementBeforeUpdate = Rule(
        RuleInfo(
            "g-ann-before-update", "channel_announcement before the channel's updates",
            section: "BOLT #7 §\"The gossip_timestamp_filter Message\" Requirements", severity: .error,
            spec:
                "If a `channel_announcement` is sent: MUST send the `channel_announcement` prior to any corresponding `channel_update`s and `node_announcement`s.",
            explanation:
                "A node that relays a channel's `channel_announcement` sends it before the channel's `channel_update`s, so that the receiver can check them against it. Counted on the connection since the peer's latest `gossip_timestamp_filter` or `query_short_channel_ids` (an answer starts afresh). The two nodes' own channel (named by `announcement_signatures` on the connection) is updated to the peer before it is announced, which is not judged.",
            example: "→ channel_update short_channel_id=800000x1x0, → channel_announcement short_channel_id=800000x1x0"),
        on: [.channelAnnouncement]
    ) { c in
        guard let channel = c.typed.shortChannelID else { return c.notGiven(\TypedMessage.shortChannelID) }
        guard c.connection.gossip.updatedFirst[c.direction][channel] != nil, c.connection.gossip.own[channel] == nil else { return }
        c.violation("the channel_announcement of \(channel) comes after a channel_update for it on this connection")
    }

    // MARK: channel_update of the connection's own channel

    /// The channel a `channel_update` is about, when it is one of this connection's (its
    /// short channel id named by `channel_ready` or `announcement_signatures`) and opened in
    /// the trace; else `nil`, "not evaluated" when `reason` says why that matters.
    static func ownChannel(_ c: inout Check) -> (model: ChannelModel, sender: ChannelModel.Side)? {
        guard let updated = c.updatedChannel else { return nil }
        guard updated.model.origin == .opened else {
            c.notEvaluated("the channel was not opened in the trace")
            return nil
        }
        return updated
    }

    static let updateHTLCMinimum = Rule(
        RuleInfo(
            "cu-htlc-min", "htlc_minimum_msat at least what the channel peer accepts", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MUST set `htlc_minimum_msat` to the minimum HTLC value (in millisatoshi) that the channel peer will accept. MUST set `htlc_minimum_msat` to less than or equal to `htlc_maximum_msat`.",
            explanation:
                "A node's update for its channel with the peer it sends it to (the short channel id named on the connection by `channel_ready` or `announcement_signatures`) advertises no HTLC the peer would refuse: its minimum is at least the `htlc_minimum_msat` the peer set in `open_channel` or `accept_channel`. (Against its own maximum: `cu-htlc-max`.)",
            example: "← accept_channel htlc_minimum_msat=1000, … → channel_update htlc_minimum_msat=1"),
        on: [.channelUpdate]
    ) { c in
        guard let (channel, sender) = ownChannel(&c) else { return }
        guard let peerMinimum = channel.params[sender.other].htlcMinimum else {
            return c.notEvaluated("the peer's htlc_minimum_msat is not in the trace")
        }
        guard let minimum = c.need(\.htlcMinimumMsat) else { return }
        if minimum < peerMinimum {
            c.violation(
                "htlc_minimum_msat \(minimum) is below the \(peerMinimum) msat the channel peer accepts", field: \TypedMessage.htlcMinimumMsat,
                actual: minimum, minimum: peerMinimum)
        }
    }

    static let updateAfterReady = Rule(
        RuleInfo(
            "cu-after-ready", "no channel_update before the peer's channel_ready", section: updateSection,
            severity: .error,
            spec: "The origin node: MUST NOT send a created `channel_update` before `channel_ready` has been received.",
            explanation:
                "A node sends the peer its update for their channel (named by a short channel id from `channel_ready` or `announcement_signatures` on the connection) only once the peer's `channel_ready` has arrived. A `channel_ready` that may have crossed the update makes the finding possible.",
            example: "→ channel_ready short_channel_id=<alias>, → channel_update short_channel_id=<alias> (no ← channel_ready yet)"),
        on: [.channelUpdate]
    ) { c in
        guard let (channel, sender) = ownChannel(&c) else { return }
        if !channel.readySent[sender.other] {
            c.crossingViolation("a channel_update for the channel with the peer before the peer's channel_ready")
        }
    }

    static let updatePrivate = Rule(
        RuleInfo(
            "cu-private", "an unannounced channel's update: the peer's alias or the real id, dont_forward set", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MAY create a `channel_update` to communicate the channel parameters to the channel peer, even though the channel has not yet been announced (i.e. the `announce_channel` bit was not set or the `channel_update` is sent before the peers exchanged announcement signatures). MUST set the `short_channel_id` to either an `alias` it has received from the peer, or the real channel `short_channel_id`. MUST set `dont_forward` to 1 in `message_flags`.",
            explanation:
                "While the channel is not announced (its opening did not set `announce_channel`, or the two `announcement_signatures` have not both been sent), a node's update for it to the peer names it by an alias the peer gave it in `channel_ready` (or the real id), not the alias the node gave the peer, and sets `dont_forward` (bit 1 of `message_flags`), so that it is not relayed.",
            example:
                "→ channel_ready short_channel_id=<alias A>, ← channel_ready short_channel_id=<alias B>, → channel_update short_channel_id=<alias A>"),
        on: [.channelUpdate]
    ) { c in
        guard let (channel, sender) = ownChannel(&c) else { return }
        guard let announce = channel.announce else { return c.notEvaluated("whether the channel is announced is not in the trace") }
        let exchanged = channel.announcementShortID.allSatisfy { $0 != nil }
        if announce && exchanged { return }
        guard let id = c.typed.shortChannelID, let flags = c.need(\.messageFlags) else { return }
        var problems: [String] = []
        if channel.aliases[sender].contains(id.rawValue), !channel.aliases[sender.other].contains(id.rawValue) {
            problems.append("short_channel_id \(id) is the alias the sender gave the peer, not one the peer gave it")
        }
        if flags & 2 == 0 { problems.append("dont_forward (bit 1 of message_flags) is not set") }
        if !problems.isEmpty {
            c.violation("\(problems.joined(separator: "; ")), in an update for a channel not yet announced")
        }
    }

    static let announcementSignaturesValid = Rule(
        RuleInfo(
            "as-sigs", "announcement_signatures sign the channel's announcement",
            section: "BOLT #7 §\"The announcement_signatures Message\" Requirements; §\"The channel_announcement Message\"",
            severity: .error,
            spec:
                "The `announcement_signatures` message is created by constructing a `channel_announcement` message, corresponding to the newly confirmed channel funding transaction, and signing it with the secrets matching an endpoint's `node_id` and `bitcoin_key`. The recipient node: if the `node_signature` OR the `bitcoin_signature` is NOT correct: MAY send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "Each node's `announcement_signatures` sign the `channel_announcement` the two build. When that announcement (of the short channel id they named) comes on the same connection, lntrace verifies both signatures each node sent over its digest: the node signature with the announcement's node id, the bitcoin signature with its `bitcoin_key`, of the position where the announcement holds the sender's `funding_pubkey`. Reported at the `channel_announcement`; where the trace lacks the opening (the sender's funding key) or the announcement, not judged.",
            example: "→ announcement_signatures bitcoin_signature=<over another message>, …, ← channel_announcement"),
        on: [.channelAnnouncement], offloads: true
    ) { c in
        guard let channel = c.typed.shortChannelID else { return }
        let sent = Direction.allCases.compactMap { d in c.connection.gossip.announcementSignatures[d][channel].map { (d, $0) } }
        guard !sent.isEmpty else { return }
        guard let id1 = c.needBytes(\.nodeID1), let id2 = c.needBytes(\.nodeID2), let key1 = c.needBytes(\.bitcoinKey1),
            let key2 = c.needBytes(\.bitcoinKey2), let digest = signedDigest(&c, after: 258)
        else { return }
        var checks: [(who: String, node: [UInt8], bitcoin: [UInt8], nodeID: [UInt8], key: [UInt8])] = []
        for (direction, signatures) in sent {
            guard let key = signatures.fundingKey, key == key1 || key == key2 else {
                return c.notEvaluated("the funding_pubkey of a node's announcement_signatures is not in the announcement or the trace")
            }
            let who = direction == c.direction ? "the sender" : "the peer"
            checks.append((who, signatures.node, signatures.bitcoin, key == key1 ? id1 : id2, key))
        }
        let verifications = checks
        c.offload {
            var failed: [String] = []
            for check in verifications {
                if !Secp256k1.verify(signature: check.node, digest: digest, point: check.nodeID) {
                    failed.append("the node_signature \(check.who) sent")
                }
                if !Secp256k1.verify(signature: check.bitcoin, digest: digest, point: check.key) {
                    failed.append("the bitcoin_signature \(check.who) sent")
                }
            }
            return failed.isEmpty
                ? .passed
                : Verdict(
                    outcome: .violation(
                        "\(failed.joined(separator: " and ")) in announcement_signatures \(failed.count == 1 ? "does" : "do") not sign this channel_announcement",
                        crossing: false),
                    evidence: nil)
        }
    }

    // MARK: Gossip flow (whose gossip a node may send, and when)

    static let filterSection = "BOLT #7 §\"The gossip_timestamp_filter Message\" Requirements"

    /// Whether the message may answer the peer's `query_short_channel_ids` (requested gossip).
    static func answersQuery(_ c: Check) -> Bool { c.connection.shortIDQueryOutstanding[c.direction.reversed] }

    static func describe(_ points: [Point]) -> String {
        points.map { short(Hex.encode($0.bytes)) }.joined(separator: " or ")
    }

    /// Whether the message is gossip its sender relays (did not generate): `nil`, with the
    /// rule "not evaluated", when the sender's node id is not proven on the connection.
    static func relayed(_ c: inout Check) -> (origins: [Point], sender: Point)? {
        let gossip = c.connection.gossip
        guard gossip.senderProven[c.direction], let sender = gossip.sender[c.direction]?.first else {
            c.notEvaluated(
                "the sender's node id is not known: neither its `announcement_signatures` in a `channel_announcement` of the connection nor a log naming it shows it"
            )
            return nil
        }
        guard let origins = c.connection.origins(of: c.view) else {
            c.notEvaluated("the `channel_update`'s channel was not announced on the connection: its origin is not known")
            return nil
        }
        return origins.contains(sender) ? nil : (origins, sender)
    }

    static let filterFirst = Rule(
        RuleInfo(
            "g-filter-first", "only its own gossip before the peer's filter", section: "BOLT #7 §\"Rebroadcasting\" Requirements",
            severity: .error,
            spec: "A node: MUST not send gossip it did not generate itself, until it receives `gossip_timestamp_filter`.",
            explanation:
                "Until the peer's first `gossip_timestamp_filter`, a node sends only gossip it generated: its `node_announcement`, its channels' `channel_announcement`s and its own direction's `channel_update`s, so they all share one origin, its node id. The sender's id is known when its `announcement_signatures` appear in a `channel_announcement` of the connection, or a node log names the peer; otherwise a message whose origin shares no node id with the sender's earlier gossip is the proof (at most one of them is its own). Gossip answering the peer's `query_short_channel_ids` is requested, and not judged; nor is a connection whose start the trace does not hold (the filter may precede it).",
            example: "→ node_announcement node_id=02aa…, → node_announcement node_id=03bb… (no gossip_timestamp_filter yet)"),
        on: gossipMessages
    ) { c in
        let gossip = c.connection.gossip
        guard gossip.filter[c.direction] == nil, !answersQuery(c) else { return }
        // A filter before the trace began is not seen.
        guard c.connection.startSeen else { return c.notEvaluated(ConnectionRules.startUnseen(c)) }
        guard let origins = c.connection.origins(of: c.view), let sender = gossip.sender[c.direction] else { return }
        guard !origins.contains(where: sender.contains) else { return }
        if gossip.senderProven[c.direction] {
            c.violation("gossip of \(describe(origins)) before the peer's `gossip_timestamp_filter`: the sender is \(describe(sender))")
        } else {
            c.violation(
                "gossip of \(describe(origins)) before the peer's `gossip_timestamp_filter`, after gossip of \(describe(sender)): the sender cannot have generated both"
            )
        }
    }

    static let noUnrequestedRelay = Rule(
        RuleInfo(
            "g-no-unrequested-relay", "no relayed gossip the peer did not ask for", section: "BOLT #7 §\"The gossip_timestamp_filter Message\"",
            severity: .error,
            spec: "A node: MUST NOT relay any gossip messages it did not generate itself, unless explicitly requested.",
            explanation:
                "A peer whose latest `gossip_timestamp_filter` asks for nothing (`first_timestamp` 0xFFFFFFFF, or a `timestamp_range` of 0) has requested no relayed gossip: only the sender's own gossip, and answers to the peer's `query_short_channel_ids`, may follow. Judged when the sender's node id is known on the connection (its `announcement_signatures` in a `channel_announcement`, or a node log naming the peer). Before any filter, `g-filter-first` judges; with a range, `g-filter-range`.",
            example: "← gossip_timestamp_filter first_timestamp=4294967295 timestamp_range=0, → node_announcement of another node"),
        on: gossipMessages
    ) { c in
        guard let filter = c.connection.gossip.filter[c.direction], filter.empty, !answersQuery(c) else { return }
        guard let (origins, sender) = relayed(&c) else { return }
        c.violation(
            "gossip of \(describe(origins)) relayed by \(describe([sender])) although the peer's `gossip_timestamp_filter` asks for none")
    }

    static let filterRange = Rule(
        RuleInfo(
            "g-filter-range", "relayed gossip within the peer's filter", section: filterSection,
            severity: .warning,
            spec:
                "The receiver (of `gossip_timestamp_filter`): … Otherwise (relayed gossip): SHOULD restrict future gossip messages to those whose `timestamp` is greater or equal to `first_timestamp`, and less than `first_timestamp` plus `timestamp_range`.",
            explanation:
                "A `channel_update` or `node_announcement` the sender relays (its origin is another node) falls within the range of the peer's latest `gossip_timestamp_filter`; the sender's own gossip may have any timestamp. Judged when the sender's node id is known on the connection (its `announcement_signatures` in a `channel_announcement`, or a node log naming the peer). A `channel_announcement` takes the timestamp of one of its channel's updates, which it precedes: it is not judged.",
            example:
                "← gossip_timestamp_filter first_timestamp=1700000000 timestamp_range=3600, → channel_update timestamp=1600000000 (another node's)"),
        on: [.channelUpdate, .nodeAnnouncement]
    ) { c in
        guard let filter = c.connection.gossip.filter[c.direction], !filter.empty, !answersQuery(c) else { return }
        guard let timestamp = c.uint(\.timestamp), !filter.contains(timestamp) else { return }
        guard let (origins, _) = relayed(&c) else { return }
        let end = filter.first + filter.range
        c.violation("relayed gossip of \(describe(origins)) with timestamp \(timestamp), outside the peer's filter [\(filter.first), \(end))")
    }
}
