import Foundation
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

/// Renders one node's sent and received messages as log lines.
struct LogRenderer {
    let style: LogStyle

    /// The lines for one message (eclair writes two).
    func lines(_ message: Message, bytes: [UInt8], sent: Bool, peer: [UInt8], peerAddress: String, channelNumber: Int?,
               time: Timestamp) -> [String] {
        let peerHex = Hex.encode(peer)
        switch style {
        case .lnd:
            guard let (name, summary) = Self.lnd(message) else { return [] }
            let body = summary.map { "\(name)(\($0))" } ?? name
            return ["\(Self.lndTime(time)) [DBG] PEER: Peer(\(peerHex)): \(sent ? "Sending" : "Received") \(body) \(sent ? "to" : "from") \(peerHex)@\(peerAddress)"]
        case .cln, .clnIO:
            let source = channelNumber.map { "\(peerHex)-channeld-chan#\($0)" } ?? "\(peerHex)-connectd"
            if style == .clnIO {
                return ["\(Self.isoTime(time)) \(source): [\(sent ? "OUT" : "IN")] \(Hex.encode(bytes))"]
            }
            // debug level: names only; pings, pongs and gossip are not logged.
            if [18, 19, 256, 257, 258, 262, 264].contains(message.type) { return [] }
            let name = message.name == "channel_ready" ? "WIRE_CHANNEL_READY" : "WIRE_" + message.name.uppercased()
            return ["\(Self.isoTime(time)) DEBUG   \(source): peer_\(sent ? "out" : "in") \(name)"]
        case .eclair:
            guard let text = Self.eclair(message) else { return [] }
            let mdc = " n:\(peerHex)" + (message.channelID.map { " c:\($0.hex)" } ?? "")
            let diagnostics = "\(Self.eclairTime(time)) INFO  f.a.eclair.Diagnostics\(mdc) - \(sent ? "OUT" : "IN") msg=\(text)"
            let peerLogger = "\(Self.eclairTime(time)) INFO  f.a.e.i.Peer\(mdc) - \(sent ? "OUT" : "IN") msg=\(text)"
            return sent ? [peerLogger, diagnostics] : [diagnostics, peerLogger]
        case .ldk:
            guard let text = Self.ldk(message) else { return [] }
            let prefix = "\(Self.lndTime(time)) TRACE [lightning::ln::peer_handler:\(sent ? 1240 : 1381)]"
            return sent ? ["\(prefix) Enqueueing message \(text) to \(peerHex)"]
                        : ["\(prefix) Received message \(Self.ldkEnumName(message))(\(text)) from \(peerHex)"]
        }
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

    static let lndNames: [String: String] = [
        "init": "Init", "error": "Error", "warning": "Warning", "ping": "Ping", "pong": "Pong",
        "open_channel": "MsgOpenChannel", "accept_channel": "MsgAcceptChannel", "funding_created": "MsgFundingCreated",
        "funding_signed": "MsgFundingSigned", "channel_ready": "ChannelReady", "shutdown": "Shutdown",
        "closing_signed": "ClosingSigned", "update_add_htlc": "UpdateAddHTLC", "update_fulfill_htlc": "UpdateFulfillHTLC",
        "update_fail_htlc": "UpdateFailHTLC", "update_fail_malformed_htlc": "UpdateFailMalformedHTLC",
        "commitment_signed": "CommitSig", "revoke_and_ack": "RevokeAndAck", "update_fee": "UpdateFee",
        "channel_reestablish": "ChannelReestablish", "stfu": "Stfu",
    ]

    /// `messageSummary` of lnd (`peer/brontide.go`), for the types a channel's life uses.
    static func lnd(_ message: Message) -> (String, String?)? {
        guard let name = lndNames[message.name] else { return nil }
        let summary: String?
        switch message {
        case .initMessage: summary = nil
        case let .error(m): summary = "chan_id=\(m.channelID.hex), err=\(String(decoding: m.data, as: UTF8.self))"
        case let .warning(m): summary = "chan_id=\(m.channelID.hex), err=\(String(decoding: m.data, as: UTF8.self))"
        case let .ping(m): summary = "num_pong_bytes=\(m.numPongBytes), len(ping_bytes)=\(m.ignored.count)"
        case let .pong(m): summary = "len(pong_bytes)=\(m.ignored.count)"
        case let .openChannel(m):
            summary = "temp_chan_id=\(m.temporaryChannelID.hex), chain=\(Hex.encode(m.chainHash.bytes.reversed())), csv=\(m.toSelfDelay), amt=\(btc(m.fundingSatoshis)), push_amt=\(m.pushMsat) mSAT, reserve=\(btc(m.channelReserveSatoshis)), flags=\(m.channelFlags)"
        case let .acceptChannel(m):
            summary = "temp_chan_id=\(m.temporaryChannelID.hex), reserve=\(btc(m.channelReserveSatoshis)), csv=\(m.toSelfDelay), num_confs=\(m.minimumDepth)"
        case let .fundingCreated(m):
            summary = "temp_chan_id=\(m.temporaryChannelID.hex), chan_point=\(Hex.encode(m.fundingTxid.bytes.reversed())):\(m.fundingOutputIndex)"
        case let .fundingSigned(m): summary = "chan_id=\(m.channelID.hex)"
        case let .channelReady(m): summary = "chan_id=\(m.channelID.hex), next_point=\(m.secondPerCommitmentPoint.hex)"
        case let .shutdown(m): summary = "chan_id=\(m.channelID.hex), script=\(Hex.encode(m.scriptpubkey))"
        case let .closingSigned(m): summary = "chan_id=\(m.channelID.hex), fee_sat=\(btc(m.feeSatoshis))"
        case let .updateAddHTLC(m):
            summary = "chan_id=\(m.channelID.hex), id=\(m.id), amt=\(m.amountMsat) mSAT, expiry=\(m.cltvExpiry), hash=\(m.paymentHash.hex), blinding_point=\(m.tlvs.blindedPath?.hex ?? ""), custom_records=map[]"
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
        return (name, summary)
    }

    // MARK: eclair

    static func bv(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "ByteVector(empty)" : "ByteVector(\(bytes.count) bytes, 0x\(Hex.encode(bytes)))"
    }

    /// Scala case-class `toString` of eclair's messages (`LightningMessageTypes.scala`).
    static func eclair(_ message: Message) -> String? {
        let tlv = "TlvStream(Set(),Set())"
        switch message {
        case .initMessage: return "Init(Features(),\(tlv))"
        case let .error(m): return "Error(\(m.channelID.hex),\(bv(m.data)),\(tlv))"
        case let .ping(m): return "Ping(\(m.numPongBytes),\(bv(m.ignored)),\(tlv))"
        case let .pong(m): return "Pong(\(bv(m.ignored)),\(tlv))"
        case let .openChannel(m):
            let points = [m.fundingPubkey, m.revocationBasepoint, m.paymentBasepoint, m.delayedPaymentBasepoint, m.htlcBasepoint, m.firstPerCommitmentPoint]
            return "OpenChannel(\(m.chainHash.hex),\(m.temporaryChannelID.hex),\(m.fundingSatoshis) sat,\(m.pushMsat) msat,\(m.dustLimitSatoshis) sat,\(m.maxHTLCValueInFlightMsat),\(m.channelReserveSatoshis) sat,\(m.htlcMinimumMsat) msat,FeeratePerKw(\(m.feeratePerKw) sat),CltvExpiryDelta(\(m.toSelfDelay)),\(m.maxAcceptedHTLCs),\(points.map(\.hex).joined(separator: ",")),ChannelFlags(\(m.channelFlags & 1 == 1)),\(tlv))"
        case let .acceptChannel(m):
            let points = [m.fundingPubkey, m.revocationBasepoint, m.paymentBasepoint, m.delayedPaymentBasepoint, m.htlcBasepoint, m.firstPerCommitmentPoint]
            return "AcceptChannel(\(m.temporaryChannelID.hex),\(m.dustLimitSatoshis) sat,\(m.maxHTLCValueInFlightMsat),\(m.channelReserveSatoshis) sat,\(m.htlcMinimumMsat) msat,\(m.minimumDepth),CltvExpiryDelta(\(m.toSelfDelay)),\(m.maxAcceptedHTLCs),\(points.map(\.hex).joined(separator: ",")),\(tlv))"
        case let .fundingCreated(m):
            return "FundingCreated(\(m.temporaryChannelID.hex),TxId(\(Hex.encode(m.fundingTxid.bytes.reversed()))),\(m.fundingOutputIndex),\(m.signature.hex),\(tlv))"
        case let .fundingSigned(m): return "FundingSigned(\(m.channelID.hex),\(m.signature.hex),\(tlv))"
        case let .channelReady(m): return "ChannelReady(\(m.channelID.hex),\(m.secondPerCommitmentPoint.hex),\(tlv))"
        case let .shutdown(m): return "Shutdown(\(m.channelID.hex),\(Hex.encode(m.scriptpubkey)),\(tlv))"
        case let .closingSigned(m): return "ClosingSigned(\(m.channelID.hex),\(m.feeSatoshis) sat,\(m.signature.hex),\(tlv))"
        case let .updateAddHTLC(m):
            return "UpdateAddHtlc(\(m.channelID.hex),\(m.id),\(m.amountMsat) msat,\(m.paymentHash.hex),CltvExpiry(\(m.cltvExpiry)),OnionRoutingPacket(0,\(bv(Array(m.onionRoutingPacket[1..<34]))),ByteVector(1300 bytes, 0x...),\(Hex.encode(m.onionRoutingPacket.suffix(32)))),\(tlv))"
        case let .updateFulfillHTLC(m): return "UpdateFulfillHtlc(\(m.channelID.hex),\(m.id),\(Hex.encode(m.paymentPreimage)),\(tlv))"
        case let .updateFailHTLC(m): return "UpdateFailHtlc(\(m.channelID.hex),\(m.id),\(bv(m.reason)),\(tlv))"
        case let .updateFailMalformedHTLC(m):
            return "UpdateFailMalformedHtlc(\(m.channelID.hex),\(m.id),\(m.sha256OfOnion.hex),\(m.failureCode),\(tlv))"
        case let .commitmentSigned(m):
            return "CommitSig(\(m.channelID.hex),\(m.signature.hex),List(\(m.htlcSignature.map(\.hex).joined(separator: ","))),\(tlv))"
        case let .revokeAndAck(m):
            return "RevokeAndAck(\(m.channelID.hex),<private_key>,\(m.nextPerCommitmentPoint.hex),\(tlv))"
        case let .updateFee(m): return "UpdateFee(\(m.channelID.hex),FeeratePerKw(\(m.feeratePerKw) sat),\(tlv))"
        case let .channelReestablish(m):
            return "ChannelReestablish(\(m.channelID.hex),\(m.nextCommitmentNumber),\(m.nextRevocationNumber),<private_key>,\(m.myCurrentPerCommitmentPoint.hex),\(tlv))"
        case let .stfu(m): return "Stfu(\(m.channelID.hex),\(m.initiator != 0))"
        default: return nil
        }
    }

    // MARK: LDK

    static func ldkEnumName(_ message: Message) -> String {
        switch message {
        case .error: "Error"
        case .warning: "Warning"
        default: ldkNames[message.name] ?? "Unknown"
        }
    }

    static let ldkNames: [String: String] = [
        "init": "Init", "ping": "Ping", "pong": "Pong", "open_channel": "OpenChannel", "accept_channel": "AcceptChannel",
        "funding_created": "FundingCreated", "funding_signed": "FundingSigned", "channel_ready": "ChannelReady",
        "shutdown": "Shutdown", "closing_signed": "ClosingSigned", "update_add_htlc": "UpdateAddHTLC",
        "update_fulfill_htlc": "UpdateFulfillHTLC", "update_fail_htlc": "UpdateFailHTLC",
        "update_fail_malformed_htlc": "UpdateFailMalformedHTLC", "commitment_signed": "CommitmentSigned",
        "revoke_and_ack": "RevokeAndACK", "update_fee": "UpdateFee", "channel_reestablish": "ChannelReestablish",
        "stfu": "Stfu",
    ]

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

    /// `#[derive(Debug)]` of LDK's message structs (`lightning/src/ln/msgs.rs`).
    static func ldk(_ message: Message) -> String? {
        switch message {
        case .initMessage:
            return "Init { features: [0], networks: None, remote_network_address: None }"
        case let .ping(m): return "Ping { ponglen: \(m.numPongBytes), byteslen: \(m.ignored.count) }"
        case let .pong(m): return "Pong { byteslen: \(m.ignored.count) }"
        case let .error(m):
            return "ErrorMessage { channel_id: ChannelId(\(m.channelID.hex)), data: \"\(String(decoding: m.data, as: UTF8.self))\" }"
        case let .openChannel(m):
            return "OpenChannel { common_fields: CommonOpenChannelFields { chain_hash: ChainHash(\(m.chainHash.hex)), temporary_channel_id: ChannelId(\(m.temporaryChannelID.hex)), funding_satoshis: \(m.fundingSatoshis), dust_limit_satoshis: \(m.dustLimitSatoshis), max_htlc_value_in_flight_msat: \(m.maxHTLCValueInFlightMsat), htlc_minimum_msat: \(m.htlcMinimumMsat), commitment_feerate_sat_per_1000_weight: \(m.feeratePerKw), to_self_delay: \(m.toSelfDelay), max_accepted_htlcs: \(m.maxAcceptedHTLCs), funding_pubkey: \(key(m.fundingPubkey)), revocation_basepoint: \(key(m.revocationBasepoint)), payment_basepoint: \(key(m.paymentBasepoint)), delayed_payment_basepoint: \(key(m.delayedPaymentBasepoint)), htlc_basepoint: \(key(m.htlcBasepoint)), first_per_commitment_point: \(key(m.firstPerCommitmentPoint)), channel_flags: \(m.channelFlags), shutdown_scriptpubkey: None, channel_type: None }, push_msat: \(m.pushMsat), channel_reserve_satoshis: \(m.channelReserveSatoshis) }"
        case let .acceptChannel(m):
            return "AcceptChannel { common_fields: CommonAcceptChannelFields { temporary_channel_id: ChannelId(\(m.temporaryChannelID.hex)), dust_limit_satoshis: \(m.dustLimitSatoshis), max_htlc_value_in_flight_msat: \(m.maxHTLCValueInFlightMsat), htlc_minimum_msat: \(m.htlcMinimumMsat), minimum_depth: \(m.minimumDepth), to_self_delay: \(m.toSelfDelay), max_accepted_htlcs: \(m.maxAcceptedHTLCs), funding_pubkey: \(key(m.fundingPubkey)), revocation_basepoint: \(key(m.revocationBasepoint)), payment_basepoint: \(key(m.paymentBasepoint)), delayed_payment_basepoint: \(key(m.delayedPaymentBasepoint)), htlc_basepoint: \(key(m.htlcBasepoint)), first_per_commitment_point: \(key(m.firstPerCommitmentPoint)), shutdown_scriptpubkey: None, channel_type: None }, channel_reserve_satoshis: \(m.channelReserveSatoshis) }"
        case let .fundingCreated(m):
            return "FundingCreated { temporary_channel_id: ChannelId(\(m.temporaryChannelID.hex)), funding_txid: \(Hex.encode(m.fundingTxid.bytes.reversed())), funding_output_index: \(m.fundingOutputIndex), signature: \(signature(m.signature)) }"
        case let .fundingSigned(m):
            return "FundingSigned { channel_id: ChannelId(\(m.channelID.hex)), signature: \(signature(m.signature)) }"
        case let .channelReady(m):
            return "ChannelReady { channel_id: ChannelId(\(m.channelID.hex)), next_per_commitment_point: \(key(m.secondPerCommitmentPoint)), short_channel_id_alias: None }"
        case let .shutdown(m):
            return "Shutdown { channel_id: ChannelId(\(m.channelID.hex)), scriptpubkey: \(Hex.encode(m.scriptpubkey)) }"
        case let .closingSigned(m):
            return "ClosingSigned { channel_id: ChannelId(\(m.channelID.hex)), fee_satoshis: \(m.feeSatoshis), signature: \(signature(m.signature)), fee_range: None }"
        case let .updateAddHTLC(m):
            return "UpdateAddHTLC { channel_id: ChannelId(\(m.channelID.hex)), htlc_id: \(m.id), amount_msat: \(m.amountMsat), payment_hash: PaymentHash(\(decimal(m.paymentHash.bytes))), cltv_expiry: \(m.cltvExpiry), skimmed_fee_msat: None, onion_routing_packet: OnionPacket { version: 0, public_key: Ok(...), hop_data: [..], hmac: [..] }, blinding_point: None }"
        case let .updateFulfillHTLC(m):
            return "UpdateFulfillHTLC { channel_id: ChannelId(\(m.channelID.hex)), htlc_id: \(m.id), payment_preimage: PaymentPreimage(\(decimal(m.paymentPreimage))) }"
        case let .updateFailHTLC(m):
            return "UpdateFailHTLC { channel_id: ChannelId(\(m.channelID.hex)), htlc_id: \(m.id), reason: OnionErrorPacket { data: \(decimal(m.reason)) } }"
        case let .updateFailMalformedHTLC(m):
            return "UpdateFailMalformedHTLC { channel_id: ChannelId(\(m.channelID.hex)), htlc_id: \(m.id), sha256_of_onion: \(decimal(m.sha256OfOnion.bytes)), failure_code: \(m.failureCode) }"
        case let .commitmentSigned(m):
            return "CommitmentSigned { channel_id: ChannelId(\(m.channelID.hex)), signature: \(signature(m.signature)), htlc_signatures: [\(m.htlcSignature.map(signature).joined(separator: ", "))], funding_txid: None }"
        case let .revokeAndAck(m):
            return "RevokeAndACK { channel_id: ChannelId(\(m.channelID.hex)), per_commitment_secret: \(decimal(m.perCommitmentSecret)), next_per_commitment_point: \(key(m.nextPerCommitmentPoint)) }"
        case let .updateFee(m): return "UpdateFee { channel_id: ChannelId(\(m.channelID.hex)), feerate_per_kw: \(m.feeratePerKw) }"
        case let .channelReestablish(m):
            return "ChannelReestablish { channel_id: ChannelId(\(m.channelID.hex)), next_local_commitment_number: \(m.nextCommitmentNumber), next_remote_commitment_number: \(m.nextRevocationNumber), your_last_per_commitment_secret: \(decimal(m.yourLastPerCommitmentSecret)), my_current_per_commitment_point: \(key(m.myCurrentPerCommitmentPoint)), next_funding_txid: None }"
        case let .stfu(m): return "Stfu { channel_id: ChannelId(\(m.channelID.hex)), initiator: \(m.initiator != 0) }"
        default: return nil
        }
    }
}
