import Basics
import Glibc
import Hazards
import NodeLogs
import Provenance
import Report
import Rules
import Session
import Synth
import Trace
import Transactions
import Transport
import Wire

/// The input surfaces of lntrace, each as a function of arbitrary bytes: the bodies of the
/// libFuzzer targets in `Fuzz/`, and of the tests that replay `Fixtures/hostile/`.
///
/// Each runs the code a user's input reaches, to the end, and checks what must hold whatever
/// the bytes (a re-encoded message decodes to itself, a stream decrypts to what was
/// encrypted, no key is ever printed). A broken invariant stops the process, which is what a
/// fuzzer reports; bad input itself must only ever give diagnostics.
public enum Harness {
    /// The targets, by the name `Scripts/fuzz/run.sh` and `Fixtures/hostile/` use.
    public static let targets: [String: @Sendable ([UInt8]) -> Void] = [
        "input": { input($0) },
        "logs": { logs($0) },
        "wire": { wire($0) },
        "transport": { transport($0) },
        "keylog": { keyLog($0) },
        "scenario": { scenario($0) },
        "profile": { profile($0) },
        "rules": { rules($0) },
        "transaction": { transaction($0) },
        "sequence": { sequence($0) },
        "join": { join($0) },
    ]

    /// The key logs of the bundled captures, so that mutated captures still decrypt in part.
    /// Read once from `Fixtures/` under the working directory (the repository root).
    nonisolated(unsafe) public static var fixtureKeys: KeyLog = {
        let files: [String] = [
            "Fixtures/captures/pyln-channels/keys.log", "Fixtures/captures/pyln-cascade/keys.log",
            "Fixtures/captures/pyln-loopback/keys-ephemeral.log", "Fixtures/captures/pyln-loopback/keys-mac.log",
            "Fixtures/captures/synth/channel-life.keys",
        ].filter { path in access(path, R_OK) == 0 }
        return KeyLogLoader.load(files: files, lines: []).0
    }()

    /// A sink for report output (its formatting runs; its bytes go nowhere).
    static let sink = Output(fd: open("/dev/null", O_WRONLY))

    // MARK: Inputs

    /// Any input file, its format detected as `lntrace check` does: captures (pcap, pcapng,
    /// gzip), logs, hex dumps; checked by every rule, with lnd hazards, and written as JSON
    /// Lines. The input's length picks the keys: the bundled ones, wrong ones, or none.
    public static func input(_ bytes: [UInt8]) {
        let keys: KeyLog
        switch bytes.count % 3 {
        case 0: keys = fixtureKeys
        case 1: keys = KeyLogLoader.load(files: [], lines: [String(repeating: "ab", count: 33) + " " + String(repeating: "cd", count: 32)]).0
        default: keys = KeyLog()
        }
        check(bytes, format: nil, keys: keys)
        diagram(bytes, keys: keys)
    }

    /// `lntrace diagram` on the input: the collector's bounds hold, and both formats draw.
    static func diagram(_ bytes: [UInt8], keys: KeyLog) {
        let session = session([bytes], format: nil, keys: keys, sequence: false)
        let collector = DiagramCollector(around: 1 + bytes.count % 5, channel: nil)
        _ = session.run(writer: collector)
        guard let drawn = collector.result else { return }
        guard drawn.rows.count <= DiagramCollector.maximumRows + 2 else { fatalError("the diagram holds \(drawn.rows.count) rows") }
        let mermaid = drawn.mermaid()
        // `;` ends a statement and `#` starts an entity code: only the entity codes written hold them.
        let plain = ["#59;", "#35;", "#37;"].reduce(mermaid) { $0.replacingOccurrences(of: $1, with: "") }
        guard mermaid.hasPrefix("sequenceDiagram\n"), !plain.contains(";"), !plain.contains("#") else {
            fatalError("a Mermaid statement breaks the grammar")
        }
        _ = drawn.svg()
    }

    /// Text inputs read as one format each (the length picks it), as `--input-format` forces.
    public static func logs(_ bytes: [UInt8]) {
        let formats: [InputFormat?] = [nil, .lnd, .cln, .eclair, .ldk, .hex]
        check(bytes, format: formats[bytes.count % formats.count], keys: KeyLog())
    }

    /// Two inputs read as one trace (`check --sequence`): the bytes after the first cut where
    /// the first byte says, a capture's second part given the first part's global header, so
    /// that the second file goes on with the first's TCP, BOLT #8 or log parser state.
    public static func sequence(_ bytes: [UInt8]) {
        guard let ratio = bytes.first else { return }
        let body = Array(bytes.dropFirst())
        let cut = Int(ratio) * body.count / 256
        let first = Array(body[..<cut])
        var second = Array(body[cut...])
        if first.count >= 24, FormatDetector.isCaptureMagic(first) { second = Array(first[..<24]) + second }
        check([first, second], format: nil, keys: bytes.count % 2 == 0 ? fixtureKeys : KeyLog(), sequence: true)
    }

    /// Two inputs checked side by side, as the logs of a connection's two ends are, or a
    /// capture and a log (the first four bytes, little-endian, are the first input's length;
    /// the fixtures' keys decrypt a capture): joined (``JoinedInputs``), checked, dumped to a
    /// report and drawn.
    public static func join(_ bytes: [UInt8]) {
        guard bytes.count >= 4 else { return }
        let length = bytes.prefix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        let body = Array(bytes.dropFirst(4))
        let cut = min(length, body.count)
        let inputs = [Array(body[..<cut]), Array(body[cut...])]
        check(inputs, format: nil, keys: fixtureKeys, sequence: false)
        let collector = DiagramCollector(around: 3, channel: nil)
        _ = session(inputs, format: nil, keys: fixtureKeys, sequence: false).run(writer: collector)
        if let diagram = collector.result {
            _ = diagram.mermaid()
            _ = diagram.svg()
        }
    }

    /// Reads `bytes` as an input and runs it through `check`'s pipeline: the rules, hazards
    /// under lnd's profile, and a JSON Lines report with every message.
    static func check(_ bytes: [UInt8], format: InputFormat?, keys: KeyLog) {
        check([bytes], format: format, keys: keys, sequence: false)
    }

    static func check(_ inputs: [[UInt8]], format: InputFormat?, keys: KeyLog, sequence: Bool) {
        var report = ReportOptions(toolVersion: "fuzz")
        report.messages = true
        let writer = CheckWriter(format: .jsonl, options: report, out: sink, err: sink)
        _ = session(inputs, format: format, keys: keys, sequence: sequence).run(writer: writer)
    }

    /// `check`'s session over the inputs: every rule, hazards under lnd's profile, and the
    /// capture search limits at a size that keeps a run short.
    static func session(_ inputs: [[UInt8]], format: InputFormat?, keys: KeyLog, sequence: Bool) -> CheckSession {
        var options = CaptureOptions(keyLog: keys)
        options.maximumEpochs = 4
        // The search limits themselves are exercised, at a size that keeps a run short.
        options.trialBudget = 1 << 18
        options.trialsPerByte = 1
        options.maximumBuffered = 16 << 20
        var session = CheckSession(
            inputs: inputs.enumerated().map { .bytes(name: "fuzz-\($0.offset)", $0.element, modified: 1_700_000_000) }, captureOptions: options)
        session.format = format
        session.sequence = sequence
        session.hazards = BuiltinProfiles.profile("lnd").map(HazardChoice.profile) ?? .off
        return session
    }

    // MARK: Wire

    /// The message codec: whatever decodes re-encodes to bytes that decode to the same message.
    public static func wire(_ bytes: [UInt8]) {
        guard case let .decoded(message) = MessageContent.decoding(bytes) else { return }
        let again: [UInt8]
        do {
            again = try message.encoded()
        } catch {
            fatalError("a decoded \(message.name) does not re-encode: \(error)")
        }
        guard case let .decoded(second) = MessageContent.decoding(again), second == message else {
            fatalError("\(message.name) does not survive re-encoding")
        }
        _ = MessageFormat.summary(.decoded(message))
    }

    // MARK: BOLT #8

    /// The BOLT #8 stream decoder: messages (from the bytes) are encrypted as a node would,
    /// crossing several key rotations, then decrypted from chunks of the sizes the bytes give,
    /// with the right key (every message comes back), a wrong key (the first frame fails),
    /// or the stream corrupted at a place the bytes give (it fails there, never traps).
    public static func transport(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return }
        let mode = bytes[0] % 3
        var messages: [[UInt8]] = []
        var rest = bytes.dropFirst(2)
        while !rest.isEmpty, messages.count < 1200 {
            let length = Int(rest.first ?? 0) % 64
            rest = rest.dropFirst()
            messages.append(Array(rest.prefix(length)))
            rest = rest.dropFirst(length)
        }
        let key = [UInt8](repeating: 0x11, count: 32), chaining = [UInt8](repeating: 0x22, count: 32)
        var sender = CipherState(key: key, chainingKey: chaining)
        var stream: [UInt8] = []
        for message in messages { stream += sender.encryptMessage(message) }
        if mode == 2, !stream.isEmpty {
            stream[Int(bytes[1]) * 7919 % stream.count] ^= 0x01
        }
        var receiver = FrameDecryptor(cipher: CipherState(key: mode == 1 ? [UInt8](repeating: 0x33, count: 32) : key, chainingKey: chaining))
        var buffer: [UInt8] = []
        var offset = 0
        var received: [[UInt8]] = []
        var failed = false
        var chunk = Int(bytes[1]) + 1
        reading: while offset < stream.count {
            let end = min(stream.count, offset + chunk)
            buffer += stream[offset..<end]
            offset = end
            chunk = chunk * 5 % 257 + 1
            while true {
                switch receiver.next(buffer[...]) {
                case let .message(message, consumed):
                    received.append(message)
                    buffer.removeFirst(consumed)
                case .needMore:
                    continue reading
                case .failed:
                    failed = true
                    break reading
                }
            }
        }
        switch mode {
        case 0:
            if failed || received != messages { fatalError("the right key did not give back the \(messages.count) messages") }
        case 1:
            if !messages.isEmpty && !failed { fatalError("a wrong key decrypted a frame") }
        default:
            if !failed && !messages.isEmpty { fatalError("a corrupted stream decrypted") }
        }
    }

    /// A `prevtx` of `tx_add_input` (BOLT #2): read as a Bitcoin transaction or refused.
    /// What reads is whole: at least one output, each script inside the bytes given.
    public static func transaction(_ bytes: [UInt8]) {
        guard let outputs = try? TransactionReader.outputs(of: bytes) else { return }
        if outputs.isEmpty || outputs.reduce(0, { $0 + 9 + $1.script.count }) > bytes.count {
            fatalError("a transaction read with outputs its bytes cannot hold")
        }
        _ = outputs.map { TransactionReader.isWitnessProgram($0.script) }
    }

    // MARK: Key logs, scenarios, profiles

    /// Key-log lines: a line that is not a key is a diagnostic, and no diagnostic repeats a
    /// line's key material.
    public static func keyLog(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        let (_, diagnostics) = KeyLogLoader.load(files: [], lines: lines)
        for diagnostic in diagnostics {
            let said = "\(diagnostic)"
            for line in lines {
                for word in line.split(separator: " ") where word.count >= 64 && said.contains(word) {
                    fatalError("a key-log diagnostic repeats key material")
                }
            }
        }
    }

    /// `lntrace synth` scenario files.
    public static func scenario(_ bytes: [UInt8]) {
        _ = try? ScenarioParser.parse(String(decoding: bytes, as: UTF8.self))
    }

    /// Hazard dispatch profiles (`--hazards FILE`).
    public static func profile(_ bytes: [UInt8]) {
        guard let profile = try? Profile(parsing: String(decoding: bytes, as: UTF8.self)) else { return }
        // A profile that parses runs.
        rules(rulesSeed, profile: profile)
    }

    // MARK: Rules and hazards

    /// The rules engine and hazard replay on a stream of decoded messages: records of one
    /// direction byte (bit 0: from the responder; bit 1: a new connection) and a two-byte
    /// length, then the message.
    public static func rules(_ bytes: [UInt8]) {
        rules(bytes, profile: BuiltinProfiles.profile("lnd"))
    }

    static func rules(_ bytes: [UInt8], profile: Profile?) {
        var engines = VantageEngines(rules: Catalog.rules, local: "10.0.0.1")
        let analyzer = profile.map { HazardAnalyzer(profile: $0, node: "10.0.0.2") }
        if let analyzer { engines.observer = { event, channel, connection in analyzer.observe(event, channel: channel, connection: connection) } }
        let events = messageEvents(bytes)
        for event in events {
            _ = engines.process(.message(event))
            if let analyzer, let engine = engines.engine(for: event) { _ = analyzer.analyze(event, engine: engine) }
        }
        _ = engines.summary
        offloaded(events)
    }

    /// `--jobs N`: while every verdict handed off passes, an engine that hands its rules'
    /// costly parts off reports exactly what one running them in line does (the session
    /// checks the messages again from the first verdict that does not pass).
    @discardableResult
    static func offloaded(_ events: [MessageEvent]) -> (passed: Int, failed: Int) {
        var (passed, failed) = (0, 0)
        var inline = VantageEngines(rules: Catalog.rules, local: "10.0.0.1")
        var ahead = VantageEngines(rules: Catalog.rules, local: "10.0.0.1")
        ahead.offloads = true
        func key(_ f: Finding) -> String { "\(f.rule.id) \(f.message.index ?? -1) \(f.certainty) \(f.reason)" }
        for event in events {
            let expected = inline.process(.message(event)).map(key)
            let found = ahead.process(.message(event)).map(key)
            let verdicts = ahead.takeOffloaded().map { $0() }
            passed += verdicts.filter(\.passed).count
            failed += verdicts.filter { !$0.passed }.count
            guard verdicts.allSatisfy(\.passed) else {
                // Checked again in line, as the session does: go on from that state.
                ahead = inline
                ahead.offloads = true
                continue
            }
            if found != expected { fatalError("offloading changed the findings of message \(event.index ?? -1): \(found) against \(expected)") }
        }
        if inline.nextFindingID != ahead.nextFindingID { fatalError("offloading changed the finding count") }
        return (passed, failed)
    }

    /// Records of one direction byte (bit 0: from the responder; bit 1: a new connection) and
    /// a two-byte length, then the message, as message events.
    static func messageEvents(_ bytes: [UInt8]) -> [MessageEvent] {
        var out: [MessageEvent] = []
        var rest = bytes[...]
        var connection = 1
        var index = 0
        while rest.count >= 3 {
            let flags = rest[rest.startIndex]
            let length = Int(rest[rest.startIndex + 1]) << 8 | Int(rest[rest.startIndex + 2])
            rest = rest.dropFirst(3)
            let body = Array(rest.prefix(length))
            rest = rest.dropFirst(length)
            if flags & 2 != 0 {
                connection += 1
                index = 0
            }
            let fromResponder = flags & 1 != 0
            let event = MessageEvent(
                connection: connection, direction: fromResponder ? .in : .out, index: index,
                content: MessageContent.decoding(body), location: SourceLocation(file: "fuzz", frames: [index + 1]),
                time: Timestamp(seconds: 1_700_000_000 + Int64(index)),
                sender: fromResponder ? "10.0.0.2" : "10.0.0.1", receiver: fromResponder ? "10.0.0.1" : "10.0.0.2",
                streamStart: true, length: body.count)
            index += 1
            out.append(event)
        }
        return out
    }

    /// A short valid exchange, to run a parsed profile on.
    static let rulesSeed: [UInt8] = {
        var out: [UInt8] = []
        for (flags, hex) in [(0, "001000000000"), (1, "001000000000"), (0, "0012000400000000"), (1, "00130004" + "00000000")] {
            let body = Hex.decode(hex) ?? []
            out += [UInt8(flags), UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
        }
        return out
    }()
}
