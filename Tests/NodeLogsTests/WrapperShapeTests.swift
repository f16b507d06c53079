import NodeLogs
import Provenance
import Testing

/// The wrappers one by one: what is removed, and the time and name each keeps.
struct WrapperShapeTests {
    /// 2026-12-06 12:00:00 UTC, when syslog's year-less times are read.
    static let reference: Int64 = 1_796_558_400

    static func unwrap(_ text: String, line: Int = 1) -> (body: String, source: String?, time: String?, timeText: String?, wrappers: [String])? {
        var unwrapper = Unwrapper(referenceTime: reference)
        guard let (_, envelope) = unwrapper.unwrap(LineReader.Line(number: line, bytes: ArraySlice(Array(text.utf8)))) else { return nil }
        return (
            String(decoding: envelope.body, as: UTF8.self), envelope.source.map { String(decoding: $0, as: UTF8.self) },
            envelope.time?.description, envelope.timeText.map { String(decoding: $0, as: UTF8.self) }, envelope.wrappers.names
        )
    }

    static let lnd = "2024-05-01 15:54:18.364 [DBG] PEER: Received Init from 02aa@1.2.3.4:9735"

    @Test(arguments: [
        // (line, body, source, time (UTC), wrapper)
        ("Dec 06 12:00:01 umbrel lnd[812]: \(lnd)", lnd, "lnd", "2026-12-06T12:00:01.000000000Z", "journald"),
        ("Dec  6 12:00:01.250000 umbrel lnd[812]: \(lnd)", lnd, "lnd", "2026-12-06T12:00:01.250000000Z", "journald"),
        ("Oct 11 18:25:48  lightningd: DEBUG   x", "DEBUG   x", "lightningd", "2026-10-11T18:25:48.000000000Z", "journald"),
        ("2026-12-06T13:00:01+0100 umbrel lnd[812]: \(lnd)", lnd, "lnd", "2026-12-06T12:00:01.000000000Z", "journald"),
        ("2026-12-06T13:00:01.5+01:00 umbrel lnd[812]: \(lnd)", lnd, "lnd", "2026-12-06T12:00:01.500000000Z", "journald"),
        ("Sun 2026-12-06 12:00:01 UTC umbrel lnd[812]: \(lnd)", lnd, "lnd", "2026-12-06T12:00:01.000000000Z", "journald"),
        ("1796558401.250000 umbrel lnd[812]: \(lnd)", lnd, "lnd", "2026-12-06T12:00:01.250000000Z", "journald"),
        ("<30>Dec  6 12:00:01 umbrel lnd[812]: \(lnd)", lnd, "lnd", "2026-12-06T12:00:01.000000000Z", "syslog"),
        (
            "<165>1 2026-12-06T12:00:01.003Z node1 lnd 812 ID47 [meta a=\"1\\]\" b=\"2\"][x y=\"z\"] \(lnd)", lnd, "lnd",
            "2026-12-06T12:00:01.003000000Z", "syslog"
        ),
        ("lnd-1  | \(lnd)", lnd, "lnd-1", nil, "docker-compose"),
        ("\u{1B}[36mbitcoin_lnd_1  |\u{1B}[0m \(lnd)", lnd, "bitcoin_lnd_1", nil, "docker-compose"),
        ("2026-12-06T12:00:01.123456789Z \(lnd)", lnd, nil, "2026-12-06T12:00:01.123456789Z", "timestamps"),
        ("2026-12-06T12:00:01.123456789Z stderr F \(lnd)", lnd, nil, "2026-12-06T12:00:01.123456789Z", "kubernetes"),
        ("[pod/lnd-0/lnd] \(lnd)", lnd, "pod/lnd-0/lnd", nil, "kubectl-prefix"),
        ("2026-12-06T12:00:01.123456Z 00E+ \(lnd)", lnd, nil, "2026-12-06T12:00:01.123456000Z", "gitlab"),
        ("lightningd-2: \(lnd)", lnd, "lightningd-2", nil, "test-harness"),
        ("1234:\(lnd)", lnd, nil, nil, "line-numbers"),
        ("    12\t\(lnd)", lnd, nil, nil, "line-numbers"),
        ("> > \(lnd)", lnd, nil, nil, "markdown"),
        ("| 2023-05-20 14:01:28.338 | LogLevel.DEBUG | lightning::ln::peer_handler: x", "lightning::ln::peer_handler: x", nil, nil, "mobile"),
        (
            "{\"log\":\"\(lnd)\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-06T12:00:01.5Z\"}", lnd, nil, "2026-12-06T12:00:01.500000000Z",
            "structured"
        ),
        ("b'\(lnd)'", lnd, nil, nil, "structured"),
    ])
    func eachWrapperIsRemovedAndItsTimeAndNameKept(_ line: String, _ body: String, _ source: String?, _ time: String?, _ wrapper: String) throws {
        let got = try #require(Self.unwrap(line))
        #expect(got.body == body)
        #expect(got.source == source)
        #expect(got.time == time)
        #expect(got.wrappers.contains(wrapper), "\(got.wrappers)")
    }

    /// Core Lightning's own time (milliseconds, then its level or entry prefix) is not a wrapper.
    @Test(arguments: [
        "2023-07-27T13:58:33.812Z DEBUG   03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f-channeld-chan#14429: peer_out WIRE_COMMITMENT_SIGNED",
        "2024-01-01T00:00:00.000Z 023f54551160417640eb0637c1fbfd699d6ed7ae34f9114ff54d9f42bc0048fd86-channeld-chan#1: [IN] 0084",
        "2018-06-14T04:34:15.934Z lightningd(16785): lightning_channeld-024655b7 chan #12: peer_out WIRE_CHANNEL_REESTABLISH",
    ])
    func coreLightningsOwnTimestampStays(_ line: String) throws {
        let got = try #require(Self.unwrap(line))
        #expect(got.body == line)
        #expect(got.wrappers.isEmpty)
    }

    /// A wrapper's time before Core Lightning's own: the wrapper's is removed, Core Lightning's stays.
    @Test func aWrappersTimeBeforeCoreLightningsIsRemoved() throws {
        let cln = "2023-07-27T13:58:33.812Z DEBUG   lightningd: x"
        let got = try #require(Self.unwrap("2026-12-06T12:00:01.1234567Z \(cln)"))
        #expect(got.body == cln)
        #expect(got.wrappers == ["timestamps"])
    }

    /// Year-less times later than a day after the reference belong to the year before.
    @Test func aSyslogTimeInTheFutureIsLastYears() throws {
        let got = try #require(Self.unwrap("Dec 31 23:59:59 host lnd: x"))
        #expect(got.time == "2025-12-31T23:59:59.000000000Z")
    }

    /// Kubernetes' partial records are held until the final one, and joined under the first line.
    @Test func partialCRIRecordsAreJoined() throws {
        var unwrapper = Unwrapper(referenceTime: Self.reference)
        func feed(_ n: Int, _ text: String) -> (Int, String)? {
            unwrapper.unwrap(LineReader.Line(number: n, bytes: ArraySlice(Array(text.utf8))))
                .map { ($0.number, String(decoding: $0.envelope.body, as: UTF8.self)) }
        }
        #expect(feed(1, "2026-12-06T12:00:01.1Z stdout P 2024-05-01 15:54:18.364 [DBG] PE") == nil)
        #expect(feed(2, "2026-12-06T12:00:01.2Z stdout P ER: Received Init ") == nil)
        let joined = try #require(feed(3, "2026-12-06T12:00:01.3Z stdout F from 02aa@1.2.3.4:9735"))
        #expect(joined.0 == 1)
        #expect(joined.1 == Self.lnd)
        // A partial record at the end of input is given out by finish().
        #expect(feed(4, "2026-12-06T12:00:02Z stdout P tail") == nil)
        let finished = unwrapper.finish()
        let tail = try #require(finished)
        #expect(tail.number == 4 && String(decoding: tail.envelope.body, as: UTF8.self) == "tail")
    }

    /// Rust tracing's records become LDK's usual line, with the module.
    @Test func structuredLDKRecordsBecomeLDKLines() throws {
        let json =
            #"{"timestamp":"2023-06-17T17:57:50.728061511Z","level":"DEBUG","fields":{"message":"Received channel_update for channel b64b.","log.target":"lightning::ln::channelmanager"}}"#
        let got = try #require(Self.unwrap(json))
        #expect(got.body == "DEBUG [lightning::ln::channelmanager] Received channel_update for channel b64b.")
        #expect(got.time == "2023-06-17T17:57:50.728061511Z")
        let peer = String(repeating: "02", count: 33)
        let logfmt =
            #"2022-12-07 14:57:30 DEBUG ldk: log_level=Level(Trace) module_path="lightning::ln::peer_handler" line=987 raw_log="Enqueueing message Ping { ponglen: 0, byteslen: 64 } to "#
            + peer + "\""
        var demux = LogDemultiplexer(file: "-", referenceTime: Self.reference)
        let events = demux.parse(LineReader.Line(number: 1, bytes: ArraySlice(Array(logfmt.utf8)))) + demux.finish()
        guard case let .message(message)? = events.first?.event else {
            Issue.record("no message from \(logfmt)")
            return
        }
        #expect(message.content.name == "ping" && message.direction == .out && message.peer == peer)
        #expect(demux.sources.first?.dialect == .ldk && demux.sources.first?.wrappers.contains(.structured) == true)
    }

    /// What starts each implementation's lines, and what is not a start.
    @Test(arguments: [
        (lnd, "lnd"),
        ("[DBG] PEER: Received Init from 02aa@1.2.3.4:9735", "lnd"),
        ("2023-07-27T13:58:33.812Z DEBUG   03aa-channeld-chan#1: peer_out WIRE_COMMITMENT_SIGNED", "cln"),
        ("DEBUG   03aa-channeld-chan#1: peer_out WIRE_COMMITMENT_SIGNED", "cln"),
        ("lightning_channeld(4734): TRACE: peer_in WIRE_CHANNEL_UPDATE", "cln"),
        ("2021-09-24 21:59:53,155 INFO  f.a.eclair.Diagnostics n:034e - IN msg=CommitSig(x)", "eclair"),
        ("2024-02-12 13:54:53.353 TRACE [lightning::ln::peer_handler:1240] Enqueueing message Init { } to 02cc", "ldk"),
        ("2023-03-01 03:39:41  INFO lightning::ln::channel: Sending a channel_ready to our peer for channel 7def", "ldk"),
        ("bob 2025-05-16 17:22:04,506 INFO  f.a.e.io.PeerConnection CON - connection authenticated", "eclair"),
        ("0012000a0004deadbeef", "hex"),
        ("2022-12-07 14:57:30 DEBUG ldk: log_level=Level(Trace)", "-"),
        ("        l2.daemon.wait_for_log(\"peer_in WIRE_ERROR\")", "-"),
        ("hello world", "-"),
    ])
    func linesAreToldByTheirStart(_ line: String, _ dialect: String) {
        let got = DialectClassifier.classify(ArraySlice(Array(line.utf8)), hex: true, inside: true)
        #expect((got?.dialect.rawValue ?? "-") == dialect)
    }
}
