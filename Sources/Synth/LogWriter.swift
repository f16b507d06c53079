import Basics
import Foundation
import NodeLogs
import Provenance
import Secp256k1
import Wire

/// The node-log formats `lntrace synth` can write, as the implementations print them
/// (see `NodeLogs` for the readers and the sources they follow).
public enum LogStyle: String, Sendable, CaseIterable {
    /// lnd 0.19+ debug lines: `[DBG] PEER: Peer(<pk>): Received UpdateAddHTLC(…) from <pk>@<addr>`.
    case lnd
    /// Core Lightning at `debug` level: `peer_in WIRE_UPDATE_ADD_HTLC` (names only).
    case cln
    /// Core Lightning at `io` level: `[IN] <hex>` (whole messages).
    case clnIO = "cln-io"
    /// eclair: `IN msg=UpdateAddHtlc(…)`, twice (two loggers).
    case eclair
    /// LDK/ldk-node trace: `Received message UpdateAddHTLC(UpdateAddHTLC { … }) from <pk>`.
    case ldk
}

/// `--log NODE=STYLE:PATH`: one node's view of its messages, written as its log.
public struct LogTarget: Sendable {
    public var node: String
    public var style: LogStyle
    public var path: String

    /// Parses `alice=lnd:alice.log`.
    public init?(_ text: String) {
        guard let eq = text.firstIndex(of: "="), let colon = text[eq...].firstIndex(of: ":"),
            let style = LogStyle(rawValue: String(text[text.index(after: eq)..<colon]))
        else { return nil }
        node = String(text[..<eq])
        self.style = style
        path = String(text[text.index(after: colon)...])
    }
}

/// Renders one node's sent and received messages as log lines: the names and the text around
/// them come from each dialect's table in `NodeLogs` (``LndDialect``, ``ClnDialect``,
/// ``EclairDialect``, ``LdkDialect``), which its parser reads too; the fields as each
/// implementation prints them are written here.
struct LogRenderer {
    let style: LogStyle

    /// The lines for one message (eclair writes two).
    func lines(
        _ message: Message, bytes: [UInt8], sent: Bool, peer: [UInt8], peerAddress: String, channelNumber: Int?,
        time: Timestamp
    ) -> [String] {
        let peerHex = Hex.encode(peer)
        let direction: Direction = sent ? .out : .in
        switch style {
        case .lnd:
            guard let name = LndDialect.messages.name(of: message.type), let body = Self.lnd(message, name: name) else { return [] }
            return [LndDialect.messageLine(time: Self.lndTime(time), direction: direction, peer: peerHex, address: peerAddress, message: body)]
        case .cln, .clnIO:
            let source = ClnDialect.source(peer: peerHex, channel: channelNumber)
            if style == .clnIO {
                return [ClnDialect.ioLine(time: Self.isoTime(time), source: source, direction: direction, hex: Hex.encode(bytes))]
            }
            if ClnDialect.unnamedAtDebug.contains(message.type) { return [] }
            // A type outside CLN's table: named as the writer always did.
            let name = ClnDialect.messages.name(of: message.type) ?? ClnDialect.wirePrefix + message.name.uppercased()
            return [ClnDialect.nameLine(time: Self.isoTime(time), source: source, direction: direction, name: name)]
        case .eclair:
            guard let name = EclairDialect.messages.name(of: message.type), let arguments = Self.eclair(message) else { return [] }
            let lines = [EclairDialect.diagnosticsLogger, EclairDialect.peerLogger].map { logger in
                EclairDialect.messageLine(
                    time: Self.eclairTime(time), logger: logger, peer: peerHex, channel: message.channelID?.hex,
                    direction: direction, message: "\(name)(\(arguments))")
            }
            return sent ? lines.reversed() : lines
        case .ldk:
            guard let name = LdkDialect.messages.name(of: message.type), let variant = LdkDialect.variant(of: message.type),
                let fields = Self.ldk(message)
            else { return [] }
            return [
                LdkDialect.messageLine(
                    time: Self.lndTime(time), direction: direction, peer: peerHex, message: "\(name) { \(fields) }",
                    variant: variant)
            ]
        }
    }

    /// The lines for a message that does not decode: Core Lightning's io log prints its bytes
    /// as it prints every message's; the other styles name messages, so they show none.
    func undecodableLines(_ bytes: [UInt8], sent: Bool, peer: [UInt8], time: Timestamp) -> [String] {
        guard style == .clnIO else { return [] }
        let source = ClnDialect.source(peer: Hex.encode(peer), channel: nil)
        return [ClnDialect.ioLine(time: Self.isoTime(time), source: source, direction: sent ? .out : .in, hex: Hex.encode(bytes))]
    }

    // MARK: Times

    static func lndTime(_ t: Timestamp) -> String {
        // "2024-05-01 15:54:18.364"
        let iso = t.description
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(12))
    }

    static func isoTime(_ t: Timestamp) -> String {
        String(t.description.prefix(23)) + "Z"
    }

    static func eclairTime(_ t: Timestamp) -> String {
        lndTime(t).replacingOccurrences(of: ".", with: ",")
    }

    // MARK: lnd

    /// btcutil's `Amount.String()`: whole bitcoins plainly, else 8 decimals.
    static func btc(_ sat: UInt64) -> String {
        if sat % 100_000_000 == 0 { return "\(sat / 100_000_000) BTC" }
        let whole = sat / 100_000_000, fraction = sat % 100_000_000
        let digits = String(fraction)
        return "\(whole).\(String(repeating: "0", count: 8 - digits.count) + digits) BTC"
    }

    /// `messageSummary` of lnd (`peer/brontide.go`) after the message's `name`, for the types a
    /// channel's life uses: `UpdateAddHTLC(chan_id=…, …)`, or the name alone (`Init`).
    static func lnd(_ message: Message, name: String) -> String? {
        let summary: String?
        switch message {
        case .initMessage: summary = nil
        case let .error(m): summary = "chan_id=\(m.channelID.hex), err=\(String(decoding: m.data, as: UTF8.self))"
        case let .warning(m): summary = "chan_id=\(m.channelID.hex), err=\(String(decoding: m.data, as: UTF8.self))"
        case let .ping(m): summary = "num_pong_bytes=\(m.numPongBytes), len(ping_bytes)=\(m.ignored.count)"
        case let .pong(m): summary = "len(pong_bytes)=\(m.ignored.count)"
        case let .openChannel(m):
            summary =
                "temp_chan_id=\(m.temporaryChannelID.hex), chain=\(Hex.encode(m.chainHash.bytes.reversed())), csv=\(m.toSelfDelay), amt=\(btc(m.fundingSatoshis)), push_amt=\(m.pushMsat) mSAT, reserve=\(btc(m.channelReserveSatoshis)), flags=\(m.channelFlags)"
        case let .acceptChannel(m):
            summary =
                "temp_chan_id=\(m.temporaryChannelID.hex), reserve=\(btc(m.channelReserveSatoshis)), csv=\(m.toSelfDelay), num_confs=\(m.minimumDepth)"
        case let .fundingCreated(m):
            summary = "temp_chan_id=\(m.temporaryChannelID.hex), chan_point=\(Hex.encode(m.fundingTxid.bytes.reversed())):\(m.fundingOutputIndex)"
        case let .fundingSigned(m): summary = "chan_id=\(m.channelID.hex)"
        case let .channelReady(m): summary = "chan_id=\(m.channelID.hex), next_point=\(m.secondPerCommitmentPoint.hex)"
        case let .shutdown(m): summary = "chan_id=\(m.channelID.hex), script=\(Hex.encode(m.scriptpubkey))"
        case let .closingSigned(m): summary = "chan_id=\(m.channelID.hex), fee_sat=\(btc(m.feeSatoshis))"
        case let .updateAddHTLC(m):
            summary =
                "chan_id=\(m.channelID.hex), id=\(m.id), amt=\(m.amountMsat) mSAT, expiry=\(m.cltvExpiry), hash=\(m.paymentHash.hex), blinding_point=\(m.tlvs.blindedPath?.hex ?? ""), custom_records=map[]"
        case let .updateFulfillHTLC(m):
            summary = "chan_id=\(m.channelID.hex), id=\(m.id), preimage=\(Hex.encode(m.paymentPreimage)), custom_records=map[]"
        case let .updateFailHTLC(m): summary = "chan_id=\(m.channelID.hex), id=\(m.id), reason=\(Hex.encode(m.reason))"
        case let .updateFailMalformedHTLC(m):
            let names: [UInt16: String] = [0xc004: "InvalidOnionVersion", 0xc005: "InvalidOnionHmac", 0xc006: "InvalidOnionKey"]
            summary = "chan_id=\(m.channelID.hex), id=\(m.id), fail_code=\(names[m.failureCode] ?? "<unknown>")"
        case let .commitmentSigned(m): summary = "chan_id=\(m.channelID.hex), num_htlcs=\(m.htlcSignature.count)"
        case let .revokeAndAck(m):
            summary = "chan_id=\(m.channelID.hex), rev=\(Hex.encode(m.perCommitmentSecret)), next_point=\(m.nextPerCommitmentPoint.hex)"
        case let .updateFee(m): summary = "chan_id=\(m.channelID.hex), fee_update_sat=\(m.feeratePerKw)"
        case let .channelReestablish(m):
            summary = "chan_id=\(m.channelID.hex), next_local_height=\(m.nextCommitmentNumber), remote_tail_height=\(m.nextRevocationNumber)"
        case let .stfu(m): summary = "chan_id=\(m.channelID.hex), initiator=\(m.initiator != 0)"
        default: return nil
        }
        return summary.map { "\(name)(\($0))" } ?? name
    }

    // MARK: eclair

    static func bv(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "ByteVector(empty)" : "ByteVector(\(bytes.count) bytes, 0x\(Hex.encode(bytes)))"
    }

    /// The arguments of eclair's messages as Scala's case-class `toString` prints them
    /// (`LightningMessageTypes.scala`), without the class's name and parentheses.
    static func eclair(_ message: Message) -> String? {
        let tlv = "TlvStream(Set(),Set())"
        switch message {
        case .initMessage: return "Features(),\(tlv)"
        case let .error(m): return "\(m.channelID.hex),\(bv(m.data)),\(tlv)"
        case let .ping(m): return "\(m.numPongBytes),\(bv(m.ignored)),\(tlv)"
        case let .pong(m): return "\(bv(m.ignored)),\(tlv)"
        case let .openChannel(m):
            let points = [
                m.fundingPubkey, m.revocationBasepoint, m.paymentBasepoint, m.delayedPaymentBasepoint, m.htlcBasepoint, m.firstPerCommitmentPoint,
            ]
            return
                "\(m.chainHash.hex),\(m.temporaryChannelID.hex),\(m.fundingSatoshis) sat,\(m.pushMsat) msat,\(m.dustLimitSatoshis) sat,\(m.maxHTLCValueInFlightMsat),\(m.channelReserveSatoshis) sat,\(m.htlcMinimumMsat) msat,FeeratePerKw(\(m.feeratePerKw) sat),CltvExpiryDelta(\(m.toSelfDelay)),\(m.maxAcceptedHTLCs),\(points.map(\.hex).joined(separator: ",")),ChannelFlags(\(m.channelFlags & 1 == 1)),\(tlv)"
        case let .acceptChannel(m):
            let points = [
                m.fundingPubkey, m.revocationBasepoint, m.paymentBasepoint, m.delayedPaymentBasepoint, m.htlcBasepoint, m.firstPerCommitmentPoint,
            ]
            return
                "\(m.temporaryChannelID.hex),\(m.dustLimitSatoshis) sat,\(m.maxHTLCValueInFlightMsat),\(m.channelReserveSatoshis) sat,\(m.htlcMinimumMsat) msat,\(m.minimumDepth),CltvExpiryDelta(\(m.toSelfDelay)),\(m.maxAcceptedHTLCs),\(points.map(\.hex).joined(separator: ",")),\(tlv)"
        case let .fundingCreated(m):
            return "\(m.temporaryChannelID.hex),TxId(\(Hex.encode(m.fundingTxid.bytes.reversed()))),\(m.fundingOutputIndex),\(m.signature.hex),\(tlv)"
        case let .fundingSigned(m): return "\(m.channelID.hex),\(m.signature.hex),\(tlv)"
        case let .channelReady(m): return "\(m.channelID.hex),\(m.secondPerCommitmentPoint.hex),\(tlv)"
        case let .shutdown(m): return "\(m.channelID.hex),\(Hex.encode(m.scriptpubkey)),\(tlv)"
        case let .closingSigned(m): return "\(m.channelID.hex),\(m.feeSatoshis) sat,\(m.signature.hex),\(tlv)"
        case let .updateAddHTLC(m):
            return
                "\(m.channelID.hex),\(m.id),\(m.amountMsat) msat,\(m.paymentHash.hex),CltvExpiry(\(m.cltvExpiry)),OnionRoutingPacket(0,\(bv(Array(m.onionRoutingPacket[1..<34]))),ByteVector(1300 bytes, 0x...),\(Hex.encode(m.onionRoutingPacket.suffix(32)))),\(tlv)"
        case let .updateFulfillHTLC(m): return "\(m.channelID.hex),\(m.id),\(Hex.encode(m.paymentPreimage)),\(tlv)"
        case let .updateFailHTLC(m): return "\(m.channelID.hex),\(m.id),\(bv(m.reason)),\(tlv)"
        case let .updateFailMalformedHTLC(m):
            return "\(m.channelID.hex),\(m.id),\(m.sha256OfOnion.hex),\(m.failureCode),\(tlv)"
        case let .commitmentSigned(m):
            return "\(m.channelID.hex),\(m.signature.hex),List(\(m.htlcSignature.map(\.hex).joined(separator: ","))),\(tlv)"
        case let .revokeAndAck(m):
            return "\(m.channelID.hex),<private_key>,\(m.nextPerCommitmentPoint.hex),\(tlv)"
        case let .updateFee(m): return "\(m.channelID.hex),FeeratePerKw(\(m.feeratePerKw) sat),\(tlv)"
        case let .channelReestablish(m):
            return "\(m.channelID.hex),\(m.nextCommitmentNumber),\(m.nextRevocationNumber),<private_key>,\(m.myCurrentPerCommitmentPoint.hex),\(tlv)"
        case let .stfu(m): return "\(m.channelID.hex),\(m.initiator != 0)"
        default: return nil
        }
    }

    // MARK: LDK

    static func decimal(_ bytes: [UInt8]) -> String {
        "[" + bytes.map(String.init).joined(separator: ", ") + "]"
    }

    /// rust-secp256k1 `Debug` of a public key: its 64-byte internal form.
    static func key(_ point: Point) -> String {
        "PublicKey(\(Hex.encode(Secp256k1.internalForm(point: point.bytes) ?? [])))"
    }

    /// rust-secp256k1 `Debug` of an ECDSA signature: DER hex.
    static func signature(_ signature: Signature) -> String {
        Hex.encode(der(signature.bytes))
    }

    /// A compact signature as DER (minimal integers).
    static func der(_ compact: [UInt8]) -> [UInt8] {
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if value.isEmpty { value = [0] }
            if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let body = integer(compact[0..<32]) + integer(compact[32..<64])
        return [0x30, UInt8(body.count)] + body
    }

    /// The fields of LDK's message structs as `#[derive(Debug)]` prints them
    /// (`lightning/src/ln/msgs.rs`), without the struct's name and braces.
    static func ldk(_ message: Message) -> String? {
        switch message {
        case .initMessage:
            return "features: [0], networks: None, remote_network_address: None"
        case let .ping(m): return "ponglen: \(m.numPongBytes), byteslen: \(m.ignored.count)"
        case let .pong(m): return "byteslen: \(m.ignored.count)"
        case let .error(m):
            return "channel_id: ChannelId(\(m.channelID.hex)), data: \"\(String(decoding: m.data, as: UTF8.self))\""
        case let .openChannel(m):
            return
                "common_fields: CommonOpenChannelFields { chain_hash: ChainHash(\(m.chainHash.hex)), temporary_channel_id: ChannelId(\(m.temporaryChannelID.hex)), funding_satoshis: \(m.fundingSatoshis), dust_limit_satoshis: \(m.dustLimitSatoshis), max_htlc_value_in_flight_msat: \(m.maxHTLCValueInFlightMsat), htlc_minimum_msat: \(m.htlcMinimumMsat), commitment_feerate_sat_per_1000_weight: \(m.feeratePerKw), to_self_delay: \(m.toSelfDelay), max_accepted_htlcs: \(m.maxAcceptedHTLCs), funding_pubkey: \(key(m.fundingPubkey)), revocation_basepoint: \(key(m.revocationBasepoint)), payment_basepoint: \(key(m.paymentBasepoint)), delayed_payment_basepoint: \(key(m.delayedPaymentBasepoint)), htlc_basepoint: \(key(m.htlcBasepoint)), first_per_commitment_point: \(key(m.firstPerCommitmentPoint)), channel_flags: \(m.channelFlags), shutdown_scriptpubkey: None, channel_type: None }, push_msat: \(m.pushMsat), channel_reserve_satoshis: \(m.channelReserveSatoshis)"
        case let .acceptChannel(m):
            return
                "common_fields: CommonAcceptChannelFields { temporary_channel_id: ChannelId(\(m.temporaryChannelID.hex)), dust_limit_satoshis: \(m.dustLimitSatoshis), max_htlc_value_in_flight_msat: \(m.maxHTLCValueInFlightMsat), htlc_minimum_msat: \(m.htlcMinimumMsat), minimum_depth: \(m.minimumDepth), to_self_delay: \(m.toSelfDelay), max_accepted_htlcs: \(m.maxAcceptedHTLCs), funding_pubkey: \(key(m.fundingPubkey)), revocation_basepoint: \(key(m.revocationBasepoint)), payment_basepoint: \(key(m.paymentBasepoint)), delayed_payment_basepoint: \(key(m.delayedPaymentBasepoint)), htlc_basepoint: \(key(m.htlcBasepoint)), first_per_commitment_point: \(key(m.firstPerCommitmentPoint)), shutdown_scriptpubkey: None, channel_type: None }, channel_reserve_satoshis: \(m.channelReserveSatoshis)"
        case let .fundingCreated(m):
            return
                "temporary_channel_id: ChannelId(\(m.temporaryChannelID.hex)), funding_txid: \(Hex.encode(m.fundingTxid.bytes.reversed())), funding_output_index: \(m.fundingOutputIndex), signature: \(signature(m.signature))"
        case let .fundingSigned(m):
            return "channel_id: ChannelId(\(m.channelID.hex)), signature: \(signature(m.signature))"
        case let .channelReady(m):
            return
                "channel_id: ChannelId(\(m.channelID.hex)), next_per_commitment_point: \(key(m.secondPerCommitmentPoint)), short_channel_id_alias: None"
        case let .shutdown(m):
            return "channel_id: ChannelId(\(m.channelID.hex)), scriptpubkey: \(Hex.encode(m.scriptpubkey))"
        case let .closingSigned(m):
            return "channel_id: ChannelId(\(m.channelID.hex)), fee_satoshis: \(m.feeSatoshis), signature: \(signature(m.signature)), fee_range: None"
        case let .updateAddHTLC(m):
            return
                "channel_id: ChannelId(\(m.channelID.hex)), htlc_id: \(m.id), amount_msat: \(m.amountMsat), payment_hash: PaymentHash(\(decimal(m.paymentHash.bytes))), cltv_expiry: \(m.cltvExpiry), skimmed_fee_msat: None, onion_routing_packet: OnionPacket { version: 0, public_key: Ok(...), hop_data: [..], hmac: [..] }, blinding_point: None"
        case let .updateFulfillHTLC(m):
            return "channel_id: ChannelId(\(m.channelID.hex)), htlc_id: \(m.id), payment_preimage: PaymentPreimage(\(decimal(m.paymentPreimage)))"
        case let .updateFailHTLC(m):
            return "channel_id: ChannelId(\(m.channelID.hex)), htlc_id: \(m.id), reason: OnionErrorPacket { data: \(decimal(m.reason)) }"
        case let .updateFailMalformedHTLC(m):
            return
                "channel_id: ChannelId(\(m.channelID.hex)), htlc_id: \(m.id), sha256_of_onion: \(decimal(m.sha256OfOnion.bytes)), failure_code: \(m.failureCode)"
        case let .commitmentSigned(m):
            return
                "channel_id: ChannelId(\(m.channelID.hex)), signature: \(signature(m.signature)), htlc_signatures: [\(m.htlcSignature.map(signature).joined(separator: ", "))], funding_txid: None"
        case let .revokeAndAck(m):
            return
                "channel_id: ChannelId(\(m.channelID.hex)), per_commitment_secret: \(decimal(m.perCommitmentSecret)), next_per_commitment_point: \(key(m.nextPerCommitmentPoint))"
        case let .updateFee(m): return "channel_id: ChannelId(\(m.channelID.hex)), feerate_per_kw: \(m.feeratePerKw)"
        case let .channelReestablish(m):
            return
                "channel_id: ChannelId(\(m.channelID.hex)), next_local_commitment_number: \(m.nextCommitmentNumber), next_remote_commitment_number: \(m.nextRevocationNumber), your_last_per_commitment_secret: \(decimal(m.yourLastPerCommitmentSecret)), my_current_per_commitment_point: \(key(m.myCurrentPerCommitmentPoint)), next_funding_txid: None"
        case let .stfu(m): return "channel_id: ChannelId(\(m.channelID.hex)), initiator: \(m.initiator != 0)"
        default: return nil
        }
    }
}
