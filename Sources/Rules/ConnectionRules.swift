import Basics
import Wire

/// BOLT #1 setup and control: `init`, features, unknown messages, ping/pong, errors.
enum ConnectionRules {
    /// Why a rule about a connection's start cannot be judged.
    static func startUnseen(_ c: Check) -> String {
        c.connection.transport
            ? "the start of the connection is not in the trace"
            : "a node log may begin after its first connection started (the peer's `init` before the log's first line)"
    }

    static let all: [Rule] = [
        initFirst, waitInit, initOnce, featureBothBits, featureDependencies, unknownEvenMessage,
        pongLength, pingLargeIgnored, pongUnsolicited, pingZeros, errorFailsChannel, unknownChannel,
        featureUndefined, unknownEvenFeature, featureContext, featureGlobal, featureMinimal, remoteAddress, featureGated, evenExtension,
        errorReceiverFails,
        peerStorageBlob, errorTemporaryID, networks, peerStorageRetrieval, keyRotation, errorTransactionHex, handshakeVersion, errorUnknownChannel,
    ]

    /// The messages that move a channel on: what a failed channel no longer sends.
    static let channelProgress: Set<MessageKind> = updateMessages.union([
        .commitmentSigned, .revokeAndAck, .shutdown, .closingSigned, .closingComplete, .closingSig,
        .spliceInit, .spliceAck, .txAddInput, .txAddOutput, .txComplete, .txSignatures,
    ])

    /// BOLT #9's feature table: each defined pair by its even bit, with the contexts it may
    /// appear in (`I`: init, `N`: node_announcement, `C`: channel_announcement, `9`: invoice;
    /// empty for the ASSUMED features and `gossip_queries`, which every node still sets).
    static let definedFeatures: [Int: String] = [
        0: "", 4: "IN", 6: "", 8: "", 10: "IN", 12: "", 14: "", 16: "IN9", 18: "IN", 22: "INT", 24: "IN9", 26: "IN",
        28: "IN", 34: "IN", 36: "IN9", 38: "IN", 42: "IN", 44: "", 46: "INT", 48: "9", 50: "INT", 60: "IN", 62: "IN",
    ]

    /// The bits set in an `init`'s `features` and `globalfeatures`.
    static func initBits(_ c: Check) -> [Int] {
        Set(ConnectionModel.bits(c.bytes(\.features) ?? []) + ConnectionModel.bits(c.bytes(\.globalfeatures) ?? [])).sorted()
    }

    static func bitList(_ bits: [Int]) -> String {
        "bit\(bits.count > 1 ? "s" : "") \(bits.map(String.init).joined(separator: ", "))"
    }

    static let initFirst = Rule(
        RuleInfo(
            "conn-init-first", "init is the first message", section: "BOLT #1 §\"The init Message\" Requirements",
            severity: .error,
            spec: "The sending node: MUST send `init` as the first Lightning message for any connection.",
            explanation:
                "Each direction of a connection starts with `init`. Any other first message means the sender skipped the feature exchange, or the trace lost the start of the connection.",
            example: "→ ping (as the connection's first message)"), on: everyMessage
    ) { c in
        let direction = c.direction
        guard c.connection.startSeen else { return c.notEvaluated(Self.startUnseen(c)) }
        if c.connection.messages[direction] == 0 && c.kind != .initMessage {
            c.violation("the first message \(c.fromInitiator ? "from the initiator" : "from the responder") is `\(c.name)`, not `init`")
        }
    }

    static let waitInit = Rule(
        RuleInfo(
            "conn-wait-init", "no message before the peer's init", section: "BOLT #1 §\"The init Message\" Requirements",
            severity: .error,
            spec: "The receiving node: MUST wait to receive `init` before sending any other messages.",
            explanation:
                "A node may send only `init` until it has received the peer's `init`. A message sent earlier (as the trace shows it arriving before the peer's `init`) breaks the handshake of features.",
            example: "→ init, → ping, ← init"), on: everyMessage
    ) { c in
        let direction = c.direction
        guard c.connection.startSeen else { return c.notEvaluated(Self.startUnseen(c)) }
        if c.kind != .initMessage && c.connection.initSeen[direction] && !c.connection.initSeen[direction.reversed] {
            c.violation("`\(c.name)` was sent before the peer's `init` arrived")
        }
    }

    static let initOnce = Rule(
        RuleInfo(
            "conn-init-once", "one init per connection", section: "BOLT #1 §\"The init Message\"",
            severity: .error,
            spec:
                "`init` is the connection preamble (\"MUST send `init` as the first Lightning message\"); a second one on the same connection is meaningless.",
            explanation:
                "Features are fixed for a connection by the first `init` of each side. A second `init` on one transport connection means a confused peer.",
            example: "→ init, ← init, → init"), on: [.initMessage]
    ) { c in
        let direction = c.direction
        guard c.connection.transport else { return c.notEvaluated("a node log does not delimit connections: a new `init` is a reconnection") }
        if c.connection.initSeen[direction] { c.violation("a second `init` on the same connection") }
    }

    static let featureBothBits = Rule(
        RuleInfo(
            "conn-feat-both-bits", "not both bits of a feature", section: "BOLT #9 §Requirements",
            severity: .error,
            spec: "The origin node: MUST NOT set both the optional and mandatory bits.",
            explanation: "Each feature has an even (mandatory) and an odd (optional) bit; setting both is ambiguous and is read as mandatory.",
            example: "→ init features=0x03 (bits 0 and 1)"), on: [.initMessage]
    ) { c in
        guard c.needBytes(\.features) != nil else { return }
        let bits = Set(initBits(c))
        let both = bits.filter { $0 % 2 == 0 && bits.contains($0 + 1) }.sorted()
        if !both.isEmpty {
            c.violation("both bits set for feature\(both.count > 1 ? "s" : "") \(both.map { "\($0)/\($0 + 1)" }.joined(separator: ", "))")
        }
    }

    static let featureDependencies = Rule(
        RuleInfo(
            "conn-feat-deps", "feature dependencies set", section: "BOLT #9 §Requirements; BOLT #1 §init",
            severity: .error,
            spec:
                "The origin node: MUST set all transitive feature dependencies. The receiving node: if the feature vector does not set all known, transitive dependencies: MUST close the connection.",
            explanation:
                "basic_mpp (16/17) needs payment_secret (14/15), option_zeroconf (50/51) needs option_scid_alias (46/47), option_simple_close (60/61) needs option_shutdown_anysegwit (26/27). ASSUMED features (BOLT #9) count as set.",
            example: "→ init features with bit 51 but not 46/47"), on: [.initMessage]
    ) { c in
        guard c.needBytes(\.features) != nil else { return }
        let bits = Set(initBits(c))
        func offers(_ even: Int) -> Bool { bits.contains(even) || bits.contains(even + 1) || [0, 8, 12, 14, 44].contains(even) }
        var missing: [String] = []
        for (feature, dependency) in [(16, 14), (50, 46), (60, 26)] where offers(feature) && !offers(dependency) {
            missing.append("\(feature)/\(feature + 1) without \(dependency)/\(dependency + 1)")
        }
        if !missing.isEmpty { c.violation("feature dependency missing: \(missing.joined(separator: "; "))") }
    }

    static let unknownEvenMessage = Rule(
        RuleInfo(
            "fmt-unknown-even-msg", "no unknown even message", section: "BOLT #1 §\"Lightning Message Format\"",
            severity: .error,
            spec:
                "A sending node: MUST NOT send an evenly-typed message not listed here without prior negotiation. A receiving node: upon receiving a message of even, unknown type: MUST close the connection.",
            explanation:
                "\"It's ok to be odd\": an unknown odd type may be ignored, an unknown even type must end the connection. lntrace knows every type of BOLT #1, #2 and #7.",
            example: "→ message of type 32768"), on: everyMessage
    ) { c in
        if case let .decoded(.unknown(unknown)) = c.event.content, !unknown.isOdd {
            c.violation("message type \(unknown.type) is even and unknown")
        } else if case let .partial(p) = c.event.content, let type = p.type, Message.knownTypes[type] == nil, type & 1 == 0 {
            c.violation("message type \(type) is even and unknown")
        }
    }

    static let pongLength = Rule(
        RuleInfo(
            "conn-ping-pong", "pong answers ping with its length", section: "BOLT #1 §\"The ping and pong Messages\" Requirements",
            severity: .error,
            spec:
                "A node receiving a `ping` message: if `num_pong_bytes` is less than 65532: MUST respond by sending a `pong` message, with `byteslen` equal to `num_pong_bytes`.",
            explanation: "Pongs answer pings in order; each pong's length must be what the ping asked for.",
            example: "← ping num_pong_bytes=4, → pong byteslen=8"), on: [.pong]
    ) { c in
        let answering = c.direction.reversed
        guard let expected = c.connection.pendingPings[answering].first else { return }
        guard let length = c.need(\.byteslen) else { return }
        if length != expected {
            c.violation(
                "pong of \(length) bytes answers a ping asking for \(expected)", field: \TypedMessage.byteslen, actual: UInt64(length),
                expected: UInt64(expected))
        }
    }

    static let pingLargeIgnored = Rule(
        RuleInfo(
            "conn-ping-large-ignored", "no pong for a large ping", section: "BOLT #1 §\"The ping and pong Messages\" Requirements",
            severity: .error,
            spec: "A node receiving a `ping` message: otherwise (`num_pong_bytes` is not less than 65532): MUST ignore the `ping`.",
            explanation: "A ping asking for 65532 bytes or more must not be answered (the answer could not be sent).",
            example: "← ping num_pong_bytes=65535, → pong"), on: [.pong]
    ) { c in
        let answering = c.direction.reversed
        if c.connection.pendingPings[answering].isEmpty && c.connection.largePings[answering] > 0 {
            c.violation("pong answers a ping with num_pong_bytes ≥ 65532, which must be ignored")
        }
    }

    static let pongUnsolicited = Rule(
        RuleInfo(
            "conn-pong-unsolicited", "pong answers a ping", section: "BOLT #1 §\"The ping and pong Messages\" Requirements",
            severity: .warning,
            spec:
                "A node receiving a `pong` message: if `byteslen` does not correspond to any `ping`'s `num_pong_bytes` value it has sent: MAY close the connection.",
            explanation:
                "A pong whose length no outstanding ping asked for answers nothing: a lost ping in the trace, or a confused peer. A ping asking for 65532 bytes or more can never be answered.",
            example: "→ pong (no ping before)"), on: [.pong]
    ) { c in
        let answering = c.direction.reversed
        guard c.connection.startSeen else { return c.notEvaluated(ConnectionRules.startUnseen(c)) }
        let pending = c.connection.pendingPings[answering]
        if pending.isEmpty && c.connection.largePings[answering] == 0 {
            return c.violation("pong without an outstanding ping")
        }
        guard let length = c.need(\.byteslen) else { return }
        if !pending.contains(length) {
            let asked = pending.isEmpty ? "none that can be answered" : pending.map(String.init).joined(separator: ", ")
            c.violation("pong of \(length) bytes matches no outstanding ping (they asked for \(asked))")
        }
    }

    static let pingZeros = Rule(
        RuleInfo(
            "conn-ping-zeros", "ping and pong padding is zero", section: "BOLT #1 §\"The ping and pong Messages\" Requirements",
            severity: .warning,
            spec:
                "A node sending a `ping` or `pong` message: SHOULD set `ignored` to 0s. MUST NOT set `ignored` to sensitive data such as secrets or portions of initialized memory.",
            explanation: "Non-zero padding may leak memory contents.",
            example: "→ ping ignored=deadbeef"), on: [.ping, .pong]
    ) { c in
        guard let ignored = c.needBytes(\.ignored) else { return }
        if ignored.contains(where: { $0 != 0 }) { c.violation("`ignored` holds non-zero bytes") }
    }

    static let errorFailsChannel = Rule(
        RuleInfo(
            "conn-error-fails-channel", "no channel progress after sending error",
            section: "BOLT #1 §\"The error and warning Messages\" Requirements",
            severity: .error,
            spec: "The sending node: when sending `error`: MUST fail the channel(s) referred to by the error message.",
            explanation:
                "A node that sent `error` for a channel (or all-zero: every channel) has failed it, and must not go on updating, signing, revoking or closing it on this connection.",
            example: "→ error channel_id=C, → update_add_htlc channel_id=C"),
        on: channelProgress
    ) { c in
        let direction = c.direction
        guard let channel = c.channel else { return }
        if c.connection.failedEvery[direction] {
            c.violation("`\(c.name)` for channel \(short(channel.key)) after an error that failed every channel")
        } else if channel.errorOnConnection[c.sender] {
            c.violation("`\(c.name)` after the sender's own `error` failed the channel")
        }
    }

    static let handshakeVersion = Rule(
        RuleInfo(
            "tr-handshake", "a handshake act of another version is rejected", section: "BOLT #8 §\"Handshake Exchange\" (Act Two, Act Three)",
            severity: .error,
            spec:
                "Act Two, receiver actions: if `v` is an unrecognized handshake version, then the responder [the receiver of act two, the initiator] MUST abort the connection attempt. Act Three, receiver actions: if `v` is an unrecognized handshake version, then the responder MUST abort the connection attempt. (Each act is sent with version 0, as `m = 0 || …`.)",
            explanation:
                "The first byte of each act is the handshake version, 0. A node that receives act two or act three with another version aborts: its first Lightning message after such an act shows it went on. (Act one is recognised by its version 0, so an act one of another version is no Lightning handshake to lntrace.) Captures only.",
            example: "← act two with version 1, → init"),
        on: everyMessage
    ) { c in
        guard let fault = c.event.handshakeFault else { return }
        c.violation("the sender went on after the handshake's \(fault), which it must reject")
    }

    static let errorUnknownChannel = Rule(
        RuleInfo(
            "conn-error-unknown-cid", "a message for an unknown channel is answered by an error",
            section: "BOLT #1 §\"The error and warning Messages\" Requirements",
            severity: .warning,
            spec:
                "The sending node: … SHOULD send `error` with the unknown `channel_id` in reply to messages of type `32`-`255` related to unknown channels.",
            explanation:
                "Judged where the trace proves the channel unknown to the receiver: an `accept_channel`, `accept_channel2` or `funding_created` naming a temporary channel id that no `open_channel` or `open_channel2` of this connection used (temporary ids live only on their connection, whose start is in the trace). The answer is an `error` (a `warning` also settles it); judged when it comes, or when the connection ends after the receiver sent other messages without one.",
            example: "→ init, ← init, ← accept_channel temporary_channel_id=<never opened>, → ping, (FIN)"),
        on: [.acceptChannel, .acceptChannel2, .fundingCreated]
    ) { c in
        guard c.connection.startSeen else { return c.notEvaluated(ConnectionRules.startUnseen(c)) }
        guard let id = c.event.content.channelID else { return c.notGiven(\.temporaryChannelID) }
        if c.connection.temporaryIDs.contains(id) { return }
        if c.connection.temporaryIDs.count >= ConnectionModel.maximumTemporaryIDs {
            return c.notEvaluated("more openings on the connection than lntrace keeps the temporary ids of")
        }
        c.awaitAnswer(Answer([.error, .warning], what: "error", sameChannel: false))
    }

    static let errorTransactionHex = Rule(
        RuleInfo(
            "conn-error-tx-hex", "an error about a signature carries the transaction",
            section: "BOLT #1 §\"The error and warning Messages\" Requirements",
            severity: .warning,
            spec:
                "The sending node: … when failure was caused by an invalid signature check: SHOULD include the raw, hex-encoded transaction in reply to a `funding_created`, `funding_signed`, `closing_signed`, or `commitment_signed` message.",
            explanation:
                "When the message just received on the channel carried a signature that lntrace found invalid (`v1-created-sig`, `v1-signed-sig`, `commit-sig-valid`, `v2-commit-sig`, `lcs-sig-valid`), the receiver's `error` (or `warning`) in reply should hold the transaction it verified, hex-encoded, so that the two nodes' views can be compared: its `data` should contain a run of at least 120 hex digits (a transaction of 60 bytes or more).",
            example: "← commitment_signed (a signature that does not verify), → error data=\"invalid commitment signature\""),
        on: [.error, .warning]
    ) { c in
        guard let kind = c.answersInvalidSignature else { return }
        guard let data = c.needBytes(\.data) else { return }
        if longestHexRun(data) < 120 {
            c.violation("`\(c.name)` in reply to the invalid signature of `\(kind.name)` holds no hex-encoded transaction")
        }
    }

    /// The length of the longest run of ASCII hex digits in `bytes`.
    static func longestHexRun(_ bytes: [UInt8]) -> Int {
        var longest = 0, run = 0
        for byte in bytes {
            let hex = (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
            run = hex ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }

    static let unknownChannel = Rule(
        RuleInfo(
            "conn-unknown-channel", "messages only for existing channels",
            section: "BOLT #1 §\"The error and warning Messages\"; BOLT #2 §\"Message Retransmission\"",
            severity: .warning,
            spec:
                "The receiving node: SHOULD send `error` with the unknown `channel_id` in reply to messages of type `32`-`255` related to unknown channels. Upon reconnection: MUST transmit `channel_reestablish` for each channel.",
            explanation:
                "On a connection whose start is in the trace, a channel message must follow the channel's opening or its `channel_reestablish` on that connection; otherwise it refers to a channel that does not exist there.",
            example: "→ init, ← init, → update_add_htlc for a channel never opened or reestablished"),
        on: updateMessages.union([
            .commitmentSigned, .revokeAndAck, .shutdown, .closingSigned, .channelReady, .stfu,
        ])
    ) { c in
        guard c.connection.startSeen else { return c.notEvaluated(ConnectionRules.startUnseen(c)) }
        guard let channel = c.channel else { return c.notEvaluated("the message names no channel") }
        if !channel.knownOnConnection {
            c.violation("`\(c.name)` for channel \(short(channel.key)), which was neither opened nor reestablished on this connection")
        }
    }

    static let featureUndefined = Rule(
        RuleInfo(
            "conn-feat-undefined", "only defined feature bits", section: "BOLT #1 §\"The init Message\" Requirements; BOLT #9 §Requirements",
            severity: .warning,
            spec:
                "The sending node: MUST set any undefined feature bits to 0. The origin node: MUST NOT set feature bits it does not support.",
            explanation:
                "Bits outside BOLT #9's table are undefined for this version of the specification. Implementations set experimental or newer bits (odd ones, so that peers may ignore them): this is a warning, to be read against the spec version the nodes follow.",
            example: "→ init features with bit 101"), on: [.initMessage]
    ) { c in
        guard c.needBytes(\.features) != nil else { return }
        let undefined = initBits(c).filter { definedFeatures[$0 & ~1] == nil }
        if !undefined.isEmpty { c.violation("undefined feature \(bitList(undefined)) set") }
    }

    static let unknownEvenFeature = Rule(
        RuleInfo(
            "conn-feat-unknown-even", "an unknown even feature closes the connection",
            section: "BOLT #1 §\"The init Message\" Requirements",
            severity: .warning,
            spec: "The receiving node: … upon receiving unknown _even_ feature bits that are non-zero: MUST close the connection.",
            explanation:
                "An even feature bit is one the peer requires: a node that does not know it closes the connection instead of going on. Which bits a node knows is its implementation's; lntrace takes BOLT #9's table as what a node following this specification knows, so a node that implements a later feature is reported wrongly: a warning. Judged at the receiver's first message after its own `init`.",
            example: "→ init features with bit 200, ← init, ← ping"),
        on: everyMessage.subtracting([.initMessage])
    ) { c in
        let peer = c.direction.reversed
        guard c.connection.lastWasInit[c.direction], c.connection.initSeen[peer] else { return }
        let unknown = ConnectionModel.bits(c.connection.features[peer] ?? []).filter { $0 & 1 == 0 && definedFeatures[$0] == nil }
        if !unknown.isEmpty {
            c.violation(
                "`\(c.name)` after the peer's `init` requires \(bitList(unknown)), which BOLT #9 does not define: the connection should have closed")
        }
    }

    static let featureContext = Rule(
        RuleInfo(
            "conn-feat-context", "init features of the init context", section: "BOLT #9 §Requirements",
            severity: .warning,
            spec: "The origin node: MUST NOT set feature bits in fields not specified by the table.",
            explanation:
                "BOLT #9's Context column says where a feature may be advertised; `I` is `init`. `option_payment_metadata` (48/49) is an invoice feature only. Features with an empty context (the ASSUMED ones and `gossip_queries`) are set by nearly every node and are not reported.",
            example: "→ init features with bit 49"), on: [.initMessage]
    ) { c in
        guard c.needBytes(\.features) != nil else { return }
        let misplaced = initBits(c).filter { definedFeatures[$0 & ~1].map { !$0.isEmpty && !$0.contains("I") } ?? false }
        if !misplaced.isEmpty { c.violation("feature \(bitList(misplaced)) may not appear in `init`") }
    }

    static let featureGlobal = Rule(
        RuleInfo(
            "conn-feat-global", "globalfeatures only below bit 14", section: "BOLT #1 §\"The init Message\" Requirements",
            severity: .warning,
            spec: "The sending node: SHOULD NOT set features greater than 13 in `globalfeatures`.",
            explanation:
                "`globalfeatures` is kept for compatibility with nodes from before the two fields were merged; newer features belong in `features` only.",
            example: "→ init globalfeatures with bit 17"), on: [.initMessage]
    ) { c in
        guard let global = c.needBytes(\.globalfeatures) else { return }
        let high = ConnectionModel.bits(global).filter { $0 > 13 }.sorted()
        if !high.isEmpty { c.violation("`globalfeatures` sets \(bitList(high))") }
    }

    static let featureMinimal = Rule(
        RuleInfo(
            "conn-feat-minimal", "features in their shortest form", section: "BOLT #1 §\"The init Message\" Requirements",
            severity: .warning,
            spec: "The sending node: SHOULD use the minimum length required to represent the `features` field.",
            explanation: "A feature bitmap is big-endian: a leading zero byte adds nothing.",
            example: "→ init features=0002a2 (a leading zero byte)"), on: [.initMessage]
    ) { c in
        guard let features = c.needBytes(\.features) else { return }
        let zeros = features.prefix { $0 == 0 }.count
        if zeros > 0 { c.violation("`features` (\(features.count) bytes) starts with \(zeros) zero byte\(zeros > 1 ? "s" : "")") }
    }

    static let networks = Rule(
        RuleInfo(
            "conn-networks", "chains the peer listed in networks", section: "BOLT #1 §\"The init Message\" Requirements; BOLT #7 §\"Rebroadcasting\"",
            severity: .warning,
            spec:
                "The sending node: SHOULD set `networks` to all chains it will gossip or open channels for. … A node: SHOULD NOT forward gossip messages to peers who sent `networks` in `init` and did not specify the `chain_hash` of this gossip message.",
            explanation:
                "A node that lists its chains in `init` opens channels and takes gossip only on those: an opening or a gossip message on another chain to it was not wanted. A peer that listed no chains takes any.",
            example: "← init networks=<mainnet>, → open_channel chain_hash=<regtest>"),
        on: [
            .openChannel, .openChannel2, .channelAnnouncement, .channelUpdate, .queryChannelRange, .queryShortChannelIds, .replyChannelRange,
            .gossipTimestampFilter,
        ]
    ) { c in
        guard let listed = c.connection.networks[c.direction.reversed], !listed.isEmpty else { return }
        guard let chain = c.typed.chainHash else { return c.notGiven(\TypedMessage.chainHash) }
        if !listed.contains(chain) {
            c.violation("`\(c.name)` on chain \(short(chain.hex)), which the peer's `init` does not list in `networks`")
        }
    }

    static let remoteAddress = Rule(
        RuleInfo(
            "conn-remote-addr", "remote_addr is one address descriptor",
            section: "BOLT #1 §\"The init Message\" Requirements; BOLT #7 §\"The node_announcement Message\"",
            severity: .error,
            spec:
                "The sending node: if it sets `remote_addr`: MUST set it to a valid `address descriptor` (1 byte type and data as described in BOLT 7).",
            explanation:
                "An address descriptor is a type byte, then the address and port: type 1 (IPv4) 4 + 2 bytes, 2 (IPv6) 16 + 2, 4 (Tor v3) 35 + 2, 5 (DNS hostname) a length byte, that many ASCII bytes, and 2. Type 3 (Tor v2) is deprecated. The SHOULD NOT on private addresses depends on what the sender could see, and is not judged.",
            example: "→ init remote_addr=0107f000 (an IPv4 descriptor cut short)"), on: [.initMessage]
    ) { c in
        guard let address = c.bytes(\.remoteAddrRecord) else { return }
        if let problem = Self.descriptorProblem(address) { c.violation("`remote_addr` \(problem)") }
    }

    /// Why `bytes` are not exactly one BOLT #7 address descriptor, or `nil`.
    static func descriptorProblem(_ bytes: [UInt8]) -> String? {
        guard let type = bytes.first else { return "is empty" }
        guard let expected = AddressDescriptor.length(bytes[...]) else {
            return type == 5 ? "is a hostname descriptor without its length" : "has address type \(type), which BOLT #7 does not define"
        }
        if type == 5, bytes.dropFirst(2).prefix(Int(bytes[1])).contains(where: { $0 < 0x21 || $0 > 0x7e }) {
            return "names a hostname that is not printable ASCII"
        }
        if bytes.count != expected { return "of type \(type) is \(bytes.count) bytes, not \(expected)" }
        return nil
    }

    static let featureGated = Rule(
        RuleInfo(
            "conn-feature-gated", "feature messages only when negotiated",
            section: "BOLT #1 §\"Lightning Message Format\"; BOLT #2 §\"Channel Establishment v2\", §\"Channel Splicing\"",
            severity: .error,
            spec:
                "A sending node: MUST NOT send an evenly-typed message not listed here without prior negotiation. (BOLT #2: `open_channel2` is used when `option_dual_fund` is negotiated; a node sends `splice_init` only when `option_splice` is negotiated.)",
            explanation:
                "`open_channel2` and `accept_channel2` need option_dual_fund (28/29) on both sides, `splice_init`, `splice_ack` and `splice_locked` need option_splice (62/63), and the interactive-transaction messages need one of the two. `stfu` and the simple-close messages are judged by `stfu-negotiated` and `close-mode`.",
            example: "→ init, ← init (no bit 28/29), → open_channel2"),
        on: [
            .openChannel2, .acceptChannel2, .spliceInit, .spliceAck, .spliceLocked, .txAddInput, .txAddOutput, .txRemoveInput,
            .txRemoveOutput, .txComplete, .txSignatures, .txInitRBF, .txAckRBF, .txAbort,
        ]
    ) { c in
        guard let dualFund = c.connection.negotiated(28), let splice = c.connection.negotiated(62) else {
            return c.notEvaluated("the connection's `init` messages are not in the trace")
        }
        switch c.kind {
        case .openChannel2, .acceptChannel2:
            if !dualFund { c.violation("`\(c.name)` although option_dual_fund is not negotiated") }
        case .spliceInit, .spliceAck, .spliceLocked:
            if !splice { c.violation("`\(c.name)` although option_splice is not negotiated") }
        default:
            if !dualFund && !splice { c.violation("`\(c.name)` although neither option_dual_fund nor option_splice is negotiated") }
        }
    }

    /// The even TLV records of BOLT #2 messages that an option brings, with the option's even
    /// feature bit (BOLT #9): a blinded HTLC (`option_route_blinding`), a splice's shared input
    /// (`option_splice`).
    static let gatedRecords: [(kind: MessageKind, record: String, feature: Int, option: String, present: @Sendable (TypedMessage) -> Bool)] = [
        (.updateAddHTLC, "blinded_path", 24, "option_route_blinding", { $0.blindedPathRecord != nil }),
        (.txAddInput, "shared_input_txid", 62, "option_splice", { $0.sharedInputTxidRecord != nil }),
        (.txSignatures, "shared_input_signature", 62, "option_splice", { $0.sharedInputSignatureRecord != nil }),
    ]

    static let evenExtension = Rule(
        RuleInfo(
            "fmt-ext-even-tlv", "even TLV records only when negotiated", section: "BOLT #1 §\"Lightning Message Format\"",
            severity: .error,
            spec: "A sending node: … MUST NOT send evenly-typed TLV records in the `extension` without prior negotiation.",
            explanation:
                "An even TLV record that an option defines may be sent only once both `init`s negotiated that option (a receiver that does not know it must fail): `update_add_htlc`'s `blinded_path` needs option_route_blinding (24/25), `tx_add_input`'s `shared_input_txid` and `tx_signatures`'s `shared_input_signature` need option_splice (62/63). An even record this specification does not define is `fmt-tlv-unknown-even`.",
            example: "→ init, ← init (no bit 24/25), → update_add_htlc with blinded_path"),
        on: Set(gatedRecords.map(\.kind))
    ) { c in
        for gated in gatedRecords where gated.kind == c.kind && gated.present(c.typed) {
            guard let negotiated = c.connection.negotiated(gated.feature) else {
                return c.notEvaluated("the connection's `init` messages are not in the trace")
            }
            if !negotiated { c.violation("`\(c.name)` carries `\(gated.record)` (an even record) although \(gated.option) is not negotiated") }
        }
    }

    static let errorReceiverFails = Rule(
        RuleInfo(
            "conn-error-recv-fails", "no channel progress after receiving error",
            section: "BOLT #1 §\"The error and warning Messages\" Requirements",
            severity: .error,
            spec:
                "The receiving node: upon receiving `error`: if `channel_id` is all zero: MUST fail all channels with the sending node. Otherwise: MUST fail the channel referred to by `channel_id`, if that channel is with the sending node.",
            explanation:
                "A node that received `error` for a channel (or all-zero: every channel) has failed it, and must stop updating, signing, revoking or closing it on this connection. A message that may have crossed the error on the wire is certain only when the trace was recorded at its sender.",
            example: "← error channel_id=C, → commitment_signed channel_id=C", vantageDependent: true),
        on: channelProgress
    ) { c in
        let direction = c.direction
        guard let channel = c.channel else { return }
        if c.connection.failedEvery[direction.reversed] {
            c.crossingViolation("`\(c.name)` for channel \(short(channel.key)) after the peer's error failed every channel")
        } else if channel.errorOnConnection[c.peer] {
            c.crossingViolation("`\(c.name)` after the peer's `error` failed the channel")
        }
    }

    static let peerStorageBlob = Rule(
        RuleInfo(
            "conn-peer-storage-blob", "peer storage blobs padded to 65531 bytes", section: "BOLT #1 §\"Peer Storage\" Requirements",
            severity: .warning,
            spec: "The sending node: MUST limit its `blob` to 65531 bytes. SHOULD pad the `blob` to ensure its length is always exactly 65531 bytes.",
            explanation: "A blob of constant size does not tell an observer how much the sender stores.",
            example: "→ peer_storage blob of 32 bytes"), on: [.peerStorage]
    ) { c in
        guard let blob = c.needBytes(\.blob) else { return }
        if blob.count != 65531 { c.violation("`blob` is \(blob.count) bytes, not 65531") }
    }

    static let errorTemporaryID = Rule(
        RuleInfo(
            "conn-error-temp-id", "errors during the opening use the temporary id",
            section: "BOLT #1 §\"The error and warning Messages\" Requirements",
            severity: .error,
            spec:
                "The funding node using channel establishment v1 (`open_channel`): for all error messages sent before (and including) the `funding_created` message: MUST use `temporary_channel_id` in lieu of `channel_id`. The fundee node using channel establishment v1 (`accept_channel`): for all error messages sent before (and not including) the `funding_signed` message: MUST use `temporary_channel_id` in lieu of `channel_id`.",
            explanation:
                "Until the fundee has sent `funding_signed`, the funder knows the channel only by its temporary id: a fundee's error that names the channel_id (which it can derive from `funding_created`) reaches a channel the funder does not have yet. (The funder, and both sides of a v2 opening, cannot know the channel_id while the rule binds them.)",
            example: "→ funding_created, ← error channel_id=<the derived channel_id>"),
        on: [.error]
    ) { c in
        guard let ch = c.channel, !ch.dualFunded, ch.fundingCreatedSeen, !ch.fundingSignedSeen, let opener = ch.opener,
            c.sender != opener
        else { return }
        if let id = c.typed.channelID, id == ch.channelID, id != ch.temporaryID {
            c.violation("the fundee's `error` names channel_id \(short(id.hex)) before its `funding_signed`")
        }
    }

    static let peerStorageRetrieval = Rule(
        RuleInfo(
            "conn-peer-storage-retrieval", "peer_storage_retrieval returns a blob the peer stored", section: "BOLT #1 §\"Peer Storage\" Requirements",
            severity: .error,
            spec:
                "The receiver of `peer_storage`: if it does store the message: MAY delay storage to ratelimit peer to no more than one update per minute. MUST replace the old `blob` with the latest received. MUST send `peer_storage_retrieval` again after reconnection, after exchanging `init` messages. The sender of `peer_storage_retrieval`: MUST include the last `blob` it stored for that peer.",
            explanation:
                "A node that keeps a peer's backup returns it after a reconnection: the `blob` of `peer_storage_retrieval` is one the peer sent it in `peer_storage` earlier in the trace (the last one, unless the last was lost at a disconnection or a rate limit delayed storing it). A blob the peer never stored is the violation. Without an earlier `peer_storage` in the trace the blob is not judged.",
            example: "→ peer_storage blob=<A>, (reconnection) ← peer_storage_retrieval blob=<B>"),
        on: [.peerStorageRetrieval]
    ) { c in
        guard let stored = c.storedBlobs, !stored.isEmpty else { return c.notEvaluated("no peer_storage of the receiver's is in the trace") }
        guard let blob = c.needBytes(\.blob) else { return }
        if !stored.contains(sha256(blob)) {
            c.violation("the blob (\(blob.count) bytes) is none of the \(stored.count) the peer stored with the sender earlier in the trace")
        }
    }

    static let keyRotation = Rule(
        RuleInfo(
            "tr-rotation", "the transport key rotates every 500 messages", section: "BOLT #8 §\"Lightning Message Key Rotation\"",
            severity: .error,
            spec:
                "A key is to be rotated after a party encrypts or decrypts 1000 times with it (i.e. every 500 messages). This can be properly accounted for by rotating the key once the nonce dedicated to it exceeds 1000. Key rotation for a key `k` is performed according to the following steps: 1. Let `ck` be the chaining key obtained at the end of Act Three. 2. `ck', k' = HKDF(ck, k)` 3. Reset the nonce for the key to `n = 0`. 4. `k = k'` 5. `ck = ck'`",
            explanation:
                "When a frame of a new key epoch does not decrypt with the rotated key but does with the previous key at the next nonce, the sender kept its key: its peer, which rotated, can no longer read it. Reported at the first such message of a capture; lntrace follows the direction with the kept key, so the rest of the trace is still analysed.",
            example: "→ message 501 of the connection, encrypted with the first key at nonce 1000"),
        on: everyMessage
    ) { c in
        if c.event.keptKey {
            c.violation("the frame decrypts only with the key before the rotation: the sender did not rotate its key after 500 messages")
        }
    }
}
