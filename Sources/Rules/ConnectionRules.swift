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
    ]

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
        guard let features = c.needBytes(\.features) else { return }
        let bits = Set(ConnectionModel.bits(features) + ConnectionModel.bits(c.bytes(\.globalfeatures) ?? []))
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
        guard let features = c.needBytes(\.features) else { return }
        let bits = Set(ConnectionModel.bits(features) + ConnectionModel.bits(c.bytes(\.globalfeatures) ?? []))
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
        on: updateMessages.union([
            .commitmentSigned, .revokeAndAck, .shutdown, .closingSigned, .closingComplete, .closingSig,
            .spliceInit, .spliceAck, .txAddInput, .txAddOutput, .txComplete, .txSignatures,
        ])
    ) { c in
        let direction = c.direction
        guard let channel = c.channel else { return }
        if c.connection.failedEvery[direction] {
            c.violation("`\(c.name)` for channel \(short(channel.key)) after an error that failed every channel")
        } else if channel.errorOnConnection[c.sender] {
            c.violation("`\(c.name)` after the sender's own `error` failed the channel")
        }
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
}
