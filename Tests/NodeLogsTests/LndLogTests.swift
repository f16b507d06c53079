import Basics
import NodeLogs
import Provenance
import Testing
import Wire

/// lnd's `[DBG] PEER` lines, as published in lnd issues and lnd's own test code
/// (`node-logs.md` §1.3; identifiers the reporters shortened with "…" are filled in from the
/// full values of the same report).
struct LndLogTests {
    static let peer = "03123e660b8380a8e3b528ee7db4fc2a5d5803d15978e6bf603caac5f816f5c839"
    static let chan = "ab80a6037f55d6c77ce7030258a1da42b41b419b6b58da393225192c050f1acc"

    /// lnd issue #6671 (lnd 0.15.0, before the `Peer(…)` prefix).
    @Test func issue6671() {
        let log = """
            2022-06-26 11:15:09.906 [DBG] PEER: Received UpdateAddHTLC(chan_id=\(Self.chan), id=138, amt=1000 mSAT, expiry=742556, hash=ef0f258d3dd54a4eaf18b529bdcc40eca04c0bc89bf71044048e5216177e959d) from \(Self.peer)@46.101.122.181:33624
            2022-06-26 11:15:09.982 [DBG] PEER: Received CommitSig(chan_id=\(Self.chan), num_htlcs=0) from \(Self.peer)@46.101.122.181:33624
            2022-06-26 11:15:10.115 [DBG] PEER: Sending RevokeAndAck(chan_id=\(Self.chan), rev=01b9b130bc4312c45c169f6f425694e8c945dbf75d2ae11ac29aa99907a3eea7, next_point=021ac311e2bca620db3e8966555005069d298d65d135627d99c0e3a2fb9ce16833) to \(Self.peer)@46.101.122.181:33624
            2022-06-26 11:15:10.281 [DBG] PEER: Received ChannelUpdate(chain_hash=000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f, short_chan_id=812608362225401857, mflags=00000001, cflags=00000001, update_time=2022-06-26 11:06:47 +0100 BST) from 02bc400b5f5c4a5ccf1a0a5a6f2f4dd23fc8ed5fb6b3ac31b08b0f47d35a3c1aa1@1.2.3.4:9735
            2022-06-26 11:15:10.300 [INF] HSWC: ChannelLink(…): something else entirely
            """
        var parser = LndLogParser(file: "lnd.log")
        let (messages, diagnostics) = run(&parser, log)
        #expect(diagnostics.isEmpty)
        #expect(messages.map(\.content.name) == ["update_add_htlc", "commitment_signed", "revoke_and_ack", "channel_update"])
        let add = messages[0]
        #expect(add.direction == .in)
        #expect(add.peer == Self.peer)
        #expect(add.hex("channel_id") == Self.chan)
        #expect(add.uint("id") == 138)
        #expect(add.uint("amount_msat") == 1000)
        #expect(add.uint("cltv_expiry") == 742556)
        #expect(add.hex("payment_hash") == "ef0f258d3dd54a4eaf18b529bdcc40eca04c0bc89bf71044048e5216177e959d")
        #expect(add.field("onion_routing_packet") == nil, "a field the line does not carry stays unknown")
        #expect(add.timeText == "2022-06-26 11:15:09.906")
        #expect(add.time == Timestamp(seconds: 1_656_242_109, nanoseconds: 906_000_000))
        #expect(add.line == 1)
        #expect(messages[1].uint("num_htlcs") == 0)
        #expect(messages[1].field("signature") == nil)
        let raa = messages[2]
        #expect(raa.direction == .out)
        #expect(raa.hex("per_commitment_secret") == "01b9b130bc4312c45c169f6f425694e8c945dbf75d2ae11ac29aa99907a3eea7")
        #expect(raa.hex("next_per_commitment_point") == "021ac311e2bca620db3e8966555005069d298d65d135627d99c0e3a2fb9ce16833")
        let update = messages[3]
        // Chain hashes are printed byte-reversed; on the wire they are in the other order.
        #expect(update.hex("chain_hash") == "6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000")
        #expect(update.field("short_channel_id") == .shortChannelID(ShortChannelID(rawValue: 812_608_362_225_401_857)))
        #expect(update.uint("message_flags") == 1)
        #expect(parser.skippedLines == 1)
    }

    /// lnd's own test code (0.15.1+ `Peer(<pk>):` prefix), and issue #5292's error.
    @Test func prefixedLinesAndErrors() {
        let pk = "0352f454dd5e09cd3e979cbace6fc6727cfa9a1eaa878a452ce63b221f51771a74"
        let log = """
            2024-05-01 15:54:18.364 [DBG] PEER: Peer(\(pk)): Sending UpdateFailMalformedHTLC(chan_id=fe17cd94bb75424db3741498281e3333e9cec87c00987b6e052e1e9473b380a6, id=1, fail_code=InvalidOnionVersion) to \(pk)@127.0.0.1:63567
            2021-05-12 15:33:30.235 [DBG] PEER: Received Error(chan_id=0000000000000000000000000000000000000000000000000000000000000000, err=internal error) from \(pk)@10.0.0.1:9735
            2021-05-12 15:33:31.000 [DBG] PEER: Peer(\(pk)): Received Warning(chan_id=0000000000000000000000000000000000000000000000000000000000000000, err=bad (things), see to it from here) from \(pk)@10.0.0.1:9735
            """
        var parser = LndLogParser(file: "lnd.log")
        let (messages, _) = run(&parser, log)
        #expect(messages.count == 3)
        #expect(messages[0].uint("failure_code") == 0xc004)
        #expect(messages[0].uint("id") == 1)
        #expect(messages[0].peer == pk)
        #expect(messages[1].field("data") == .bytes(Array("internal error".utf8)))
        // The text may hold parentheses, commas, " to " and " from ": the peer is read from the end.
        #expect(messages[2].field("data") == .bytes(Array("bad (things), see to it from here".utf8)))
        #expect(messages[2].peer == pk)
    }

    /// Every summary format lnd 0.15 … 0.21 prints (node-logs.md §1.5 version table).
    @Test func summaryFormatsPerVersion() {
        let pk = "0352f454dd5e09cd3e979cbace6fc6727cfa9a1eaa878a452ce63b221f51771a74"
        let cid = String(repeating: "ab", count: 32)
        let hash = String(repeating: "cd", count: 32)
        let point = "02" + String(repeating: "ef", count: 32)
        func line(_ body: String, sent: Bool = false) -> String {
            "2024-01-01 00:00:00.000 [DBG] PEER: \(sent ? "Sending" : "Received") \(body) \(sent ? "to" : "from") \(pk)@1.2.3.4:9735"
        }
        let log = [
            // 0.15–0.17: FundingLocked, pre_image=, reestablish without chan_id, ping/pong bytes, shortest BTC.
            line("FundingLocked(chan_id=\(cid), next_point=\(point))"),
            line("UpdateFulfillHTLC(chan_id=\(cid), id=4, pre_image=\(hash))"),
            line("ChannelReestablish(next_local_height=103576, remote_tail_height=104064)"),
            line("Ping(ping_bytes=00112233)"),
            line("Pong(pong_bytes=aabb)", sent: true),
            line(
                "MsgOpenChannel(temp_chan_id=\(cid), chain=000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f, csv=144, amt=0.01 BTC, push_amt=5000 mSAT, reserve=0.0001 BTC, flags=1)",
                sent: true),
            // 0.17+: ChannelReady, 8-decimal BTC.
            line("ChannelReady(chan_id=\(cid), next_point=\(point))"),
            line("MsgAcceptChannel(temp_chan_id=\(cid), reserve=0.00010000 BTC, csv=144, num_confs=3)"),
            line("MsgFundingCreated(temp_chan_id=\(cid), chan_point=\(hash):1)", sent: true),
            line("MsgFundingSigned(chan_id=\(cid))"),
            line("ClosingSigned(chan_id=\(cid), fee_sat=0.00001234 BTC)"),
            // 0.18+: reestablish with chan_id, len(pong_bytes), blinding_point.
            line("ChannelReestablish(chan_id=\(cid), next_local_height=5, remote_tail_height=4)"),
            line("Pong(len(pong_bytes)=8)"),
            line("UpdateAddHTLC(chan_id=\(cid), id=9, amt=42000 mSAT, expiry=800000, hash=\(hash), blinding_point=\(point))"),
            line("Stfu(chan_id=\(cid), initiator=true)", sent: true),
            // 0.19+: preimage=, custom_records, ClosingComplete / ClosingSig.
            line("UpdateFulfillHTLC(chan_id=\(cid), id=9, preimage=\(hash), custom_records=map[])"),
            line("UpdateAddHTLC(chan_id=\(cid), id=10, amt=1 mSAT, expiry=1, hash=\(hash), blinding_point=, custom_records=map[])"),
            line("ClosingComplete(chan_id=\(cid), fee_sat=0.00000500 BTC, locktime=850000)", sent: true),
            line("ClosingSig(chan_id=\(cid))"),
            // 0.21: num_pong_bytes and len(ping_bytes).
            line("Ping(num_pong_bytes=16, len(ping_bytes)=32)"),
            line("UpdateFee(chan_id=\(cid), fee_update_sat=2500)", sent: true),
            line("Shutdown(chan_id=\(cid), script=0014aabbccddeeff00112233445566778899aabbcc)"),
            line("Init"),
            line("custom(type=32769)"),
        ].joined(separator: "\n")
        var parser = LndLogParser(file: "lnd.log")
        let (messages, _) = run(&parser, log)
        #expect(
            messages.map(\.content.name) == [
                "channel_ready", "update_fulfill_htlc", "channel_reestablish", "ping", "pong", "open_channel", "channel_ready",
                "accept_channel", "funding_created", "funding_signed", "closing_signed", "channel_reestablish", "pong",
                "update_add_htlc", "stfu", "update_fulfill_htlc", "update_add_htlc", "closing_complete", "closing_sig", "ping",
                "update_fee", "shutdown", "init", "unknown_32769",
            ])
        #expect(messages[0].hex("second_per_commitment_point") == point)
        #expect(messages[1].hex("payment_preimage") == hash)
        #expect(messages[2].field("channel_id") == nil)
        #expect(messages[2].uint("next_commitment_number") == 103576)
        #expect(messages[2].uint("next_revocation_number") == 104064)
        #expect(messages[3].hex("ignored") == "00112233")
        #expect(messages[3].uint("byteslen") == 4)
        #expect(messages[4].uint("byteslen") == 2)
        let open = messages[5]
        #expect(open.uint("funding_satoshis") == 1_000_000)
        #expect(open.uint("push_msat") == 5000)
        #expect(open.uint("channel_reserve_satoshis") == 10_000)
        #expect(open.uint("to_self_delay") == 144)
        #expect(open.uint("channel_flags") == 1)
        #expect(open.hex("temporary_channel_id") == cid)
        #expect(messages[7].uint("channel_reserve_satoshis") == 10_000)
        #expect(messages[7].uint("minimum_depth") == 3)
        // chan_point is "<txid as displayed>:<index>": the wire txid is the reverse.
        #expect(messages[8].hex("funding_txid") == hash)
        #expect(messages[8].uint("funding_output_index") == 1)
        #expect(messages[10].uint("fee_satoshis") == 1234)
        #expect(messages[11].hex("channel_id") == cid)
        #expect(messages[12].uint("byteslen") == 8)
        #expect(messages[13].content.tlvFields["blinded_path"] == .record([WireField("path_key", .bytes(Hex.decode(point) ?? []))]))
        #expect(messages[14].uint("initiator") == 1)
        #expect(messages[15].hex("payment_preimage") == hash)
        #expect(messages[16].content.tlvFields.isEmpty, "an empty blinding_point is no TLV")
        #expect(messages[17].uint("fee_satoshis") == 500)
        #expect(messages[17].uint("locktime") == 850_000)
        #expect(messages[19].uint("num_pong_bytes") == 16)
        #expect(messages[19].uint("byteslen") == 32)
        #expect(messages[20].uint("feerate_per_kw") == 2500)
        #expect(messages[21].hex("scriptpubkey") == "0014aabbccddeeff00112233445566778899aabbcc")
        #expect(messages[22].content.fields.isEmpty)
        #expect(messages[23].content.type == 32769)
    }

    /// lnd 0.19+ call-sites and no-timestamp headers; a trace dump after a summary line.
    @Test func callSitesAndTraceDumps() {
        let pk = "0352f454dd5e09cd3e979cbace6fc6727cfa9a1eaa878a452ce63b221f51771a74"
        let log = """
            2024-01-01 00:00:00.000 [DBG] PEER brontide.go:2910: Peer(\(pk)): Received CommitSig(chan_id=\(String(repeating: "ab", count: 32)), num_htlcs=1) from \(pk)@1.2.3.4:9735
            2024-01-01 00:00:00.000 [TRC] PEER brontide.go:2915: Peer(\(pk)): readMessage from peer: (*lnwire.CommitSig)(0xc000123456)({
             ChanID: (lnwire.ChannelID) (len=32 cap=32) {
              00000000  ab ab ab ab ab ab ab ab  ab ab ab ab ab ab ab ab  |................|
              00000010  ab ab ab ab ab ab ab ab  ab ab ab ab ab ab ab ab  |................|
             },
             CommitSig: (lnwire.Sig) (len=64 cap=64) {
              00000000  01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10  |................|
              00000010  11 12 13 14 15 16 17 18  19 1a 1b 1c 1d 1e 1f 20  |............... |
              00000020  21 22 23 24 25 26 27 28  29 2a 2b 2c 2d 2e 2f 30  |!"#$%&'()*+,-./0|
              00000030  31 32 33 34 35 36 37 38  39 3a 3b 3c 3d 3e 3f 40  |123456789:;<=>?@|
             },
             ExtraData: (lnwire.ExtraOpaqueData) {
             }
            })

            [DBG] PEER: Received UpdateFee(chan_id=\(String(repeating: "ab", count: 32)), fee_update_sat=253) from \(pk)@1.2.3.4:9735
            """
        var parser = LndLogParser(file: "lnd.log")
        let (messages, _) = run(&parser, log)
        #expect(messages.map(\.content.name) == ["commitment_signed", "update_fee"])
        #expect(messages[0].uint("num_htlcs") == 1)
        #expect(messages[0].hex("signature") == Hex.encode((1...64).map { UInt8($0) }), "taken from the trace dump")
        #expect(messages[1].time == nil)
        #expect(messages[1].uint("feerate_per_kw") == 253)
    }
}

/// lnd's link failures (htlcswitch/link.go `failf`, prefixed `ChannelLink(<channel point>):`)
/// become notes on the channel, for hazard analysis to connect to their cause.
@Suite struct LndLinkFailureTests {
    @Test func failingLinkLineNamesTheChannel() throws {
        var parser = LndLogParser(file: "lnd.log")
        let text =
            "2024-04-02 10:00:00.001 [ERR] HSWC: ChannelLink(574d2672a449f6f95accc91e263b31d9d2bf663eb4e7249033c58dc846dd4fcd:1): "
            + "failing link: received add while link is flushing with error: invalid update"
        let events = parser.parse(LineReader.Line(number: 7, bytes: ArraySlice(Array(text.utf8))))
        guard case let .note(note)? = events.first else {
            Issue.record("no note: \(events)")
            return
        }
        // channel_id: the txid in wire order (the channel point prints it reversed), index XORed into the last two bytes.
        #expect(note.channelID?.hex == "cd4fdd46c88dc5339024e7b43e66bfd2d9313b261ec9cc5af9f649a472264d56")
        #expect(note.kind == "link-failure")
        #expect(note.text == "received add while link is flushing with error: invalid update")
        #expect(note.line == 7 && note.timeText == "2024-04-02 10:00:00.001")
        #expect(parser.parse(LineReader.Line(number: 8, bytes: ArraySlice(Array("2024-04-02 10:00:00.001 [INF] HSWC: something else".utf8)))).isEmpty)
    }
}

/// lnd's lines of every era: peers by address or alias, types the table does not know, Go
/// time values, lines cut by a terminal's wrap.
@Suite struct LndEraTests {
    @Test func peersAreNamedByWhatTheLineGives() {
        var parser = LndLogParser(file: "lnd.log")
        let (messages, _) = run(
            &parser,
            """
            2018-08-30 15:08:18.411 [DBG] PEER: Received Ping from 127.0.0.1:53946
            2024-05-01 15:54:18.364 [DBG] PEER brontide.go:2910: Peer([Alice]): Received Shutdown(chan_id=fe17cd94bb75424db3741498281e3333e9cec87c00987b6e052e1e9473b380a6, script=0014aabb) from [Alice]@127.0.0.1:52192
            2021-05-12 15:33:30.235 [DBG] PEER: Received Error(chan_id=<>, err=internal error) from PEER@IP:PORT
            """)
        #expect(messages.map(\.content.name) == ["ping", "shutdown", "error"])
        #expect(messages.map(\.peer) == ["127.0.0.1:53946", "[Alice]", "PEER"])
        #expect(messages.map(\.peerIdentity) == [.address, .alias, .alias])
    }

    @Test func unknownTypesAreMessagesButProseIsNot() {
        var parser = LndLogParser(file: "lnd.log")
        let (messages, _) = run(
            &parser,
            """
            2024-05-01 15:54:18.364 [DBG] PEER: Received DynPropose(chan_id=aa) from 02aa@1.2.3.4:9735
            2024-05-01 15:54:18.364 [DBG] PEER: Peer(02aa): Sending 5 channel updates to peer
            2023-11-23 21:35:31.951 [DBG] PEER: Peer(***): Received <unknown> from ***@***.onion:9735
            """)
        #expect(messages.map(\.content.name) == ["unknown", "unknown"])
        #expect(messages.map(\.line) == [1, 3])
    }

    @Test func goTimesAndOldFlagsAreRead() {
        var parser = LndLogParser(file: "lnd.log")
        let (messages, _) = run(
            &parser,
            """
            2018-12-06 00:39:58.273 [DBG] PEER: Sending ChannelUpdate(chain_hash=000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f, short_chan_id=606004629836070913, flag=259, update_time=2023-11-14 23:13:21 +0100 CET) to 1.2.3.4:9735
            """)
        #expect(messages.first?.uint("timestamp") == 1_700_000_001)
        #expect(messages.first?.uint("message_flags") == 1 && messages.first?.uint("channel_flags") == 3)
    }

    /// A terminal wrapped the line mid-word; the parts are joined into one message.
    @Test func aLineCutByATerminalIsJoined() {
        var parser = LndLogParser(file: "lnd.log")
        let (messages, _) = run(
            &parser,
            """
            2023-11-23 21:35:31.951 [DBG] PEER: Peer(0378a5312ca36773971df43f833b571d024fd7d5d216fbdf7e241b710714ef1be1): Received NodeAnno
            uncement(node=0378a5312ca36773971df43f833b571d024fd7d5d216fbdf7e241b710714ef1be1, update_time=2023-11-23 12:45:58 +0100 CET) fr
            om 0378a5312ca36773971df43f833b571d024fd7d5d216fbdf7e241b710714ef1be1@18.140.96.179:41240
            2023-11-23 21:35:31.951 [INF] HSWC: something else
            """)
        #expect(messages.count == 1)
        #expect(messages.first?.content.name == "node_announcement" && messages.first?.line == 1)
        #expect(messages.first?.peer == "0378a5312ca36773971df43f833b571d024fd7d5d216fbdf7e241b710714ef1be1")
    }

    /// Amounts as lnd prints them (`btcutil.Amount.String()`, `lnwire.MilliSatoshi`), read on
    /// the line's bytes: whole and fractional bitcoin, and numbers that do not fit or are not
    /// digits only left unknown rather than misread.
    @Test(arguments: [
        ("amt=0.01 BTC", UInt64?.some(1_000_000)), ("amt=1 BTC", 100_000_000), ("amt=0.00000001 BTC", 1),
        ("amt=21000000 BTC", 2_100_000_000_000_000), ("amt=0.123456789 BTC", 12_345_678),
        ("amt=184467440737.09551616 BTC", nil), ("amt=+1 BTC", nil), ("amt=1.x BTC", nil), ("amt= BTC", nil),
    ])
    func fundingAmountsAreRead(_ amount: String, _ satoshis: UInt64?) {
        var parser = LndLogParser(file: "lnd.log")
        let (messages, _) = run(
            &parser,
            """
            2024-01-01 00:00:00.000 [DBG] PEER: Sending MsgOpenChannel(temp_chan_id=\(LndLogTests.chan), \(amount), push_amt=18446744073709551616 mSAT, csv=144) to \(LndLogTests.peer)@10.0.0.2:9735
            """)
        #expect(messages.count == 1)
        #expect(messages.first?.uint("funding_satoshis") == satoshis, "\(amount)")
        // Above 2⁶⁴ − 1: unknown, not wrapped around.
        #expect(messages.first?.uint("push_msat") == nil)
        #expect(messages.first?.uint("to_self_delay") == 144)
    }
}
