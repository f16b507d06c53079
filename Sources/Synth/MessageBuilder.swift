import Basics
import Ledger
import Secp256k1
import Transactions
import Wire

/// Fills the fields a scenario leaves out, consistently with what was sent before: HTLC ids
/// count from 0 per sender, payment hashes are the SHA-256 of preimages the sender of the
/// `update_fulfill_htlc` later reveals, per-commitment points and secrets are real pairs
/// from a BOLT #3 shachain seed, the `channel_id` follows from the funding outpoint, and
/// `num_htlcs` counts the HTLCs of the commitment being signed. Every field can still be
/// overridden (`field=value`), which is how a scenario injects a violation.
struct MessageBuilder {
    var nodes: [String: NodeKeys]
    var features: [String: [Int]]
    var channels: [ChannelModel] = []
    private var channelCounter = 0
    private var temporaryCounter = 0
    private var inputCounter = 0
    /// `num_witnesses=N` on a `tx_signatures` line: that many witnesses instead of one per input.
    private var witnessCount: Int?
    /// The nodes each `channel_announcement` named, by short channel id: who signs the
    /// channel's updates.
    private var announced: [ShortChannelID: [Point]] = [:]

    init(nodes: [String: NodeKeys], features: [String: [Int]]) {
        self.nodes = nodes
        self.features = features
    }

    static let typeByName: [String: UInt16] = {
        var out: [String: UInt16] = [:]
        for (type, info) in Message.knownTypes { out[info.name] = type }
        return out
    }()

    /// Defaults: a recent feature set (data_loss_protect, var_onion, static_remotekey,
    /// payment_secret, basic_mpp, large channels, shutdown_anysegwit, channel_type, quiesce).
    static let defaultFeatures = [1, 8, 13, 14, 17, 19, 27, 35, 45]

    /// The channel the message belongs to: named with `channel=`, else the newest between the
    /// two nodes.
    func channel(_ a: String, _ b: String, label: String?) -> ChannelModel? {
        if let label { return channels.last { $0.label == label } }
        return channels.last { Set($0.nodes.both) == Set([a, b]) }
    }

    mutating func build(_ statement: MessageStatement) throws(ScenarioError) -> [UInt8] {
        let line = statement.line
        if let raw = statement.rawBytes { return raw }
        guard let type = Self.typeByName[statement.type], var message = Message.placeholder(type: type) else {
            throw ScenarioError(line: line, "unknown message type '\(statement.type)'")
        }
        guard let sender = nodes[statement.from], nodes[statement.to] != nil else {
            throw ScenarioError(line: line, "unknown node in '\(statement.from) -> \(statement.to)'")
        }
        // Pseudo-fields that steer the defaults rather than set a field.
        var assignments: [(field: String, value: String)] = []
        var channelLabel: String?
        var preimage: [UInt8]?
        var text: String?
        var signer: String?
        var nextSecret: [UInt8]?
        var closingRecords: Set<ClosingTransaction.Variant>?
        var witnessData: [[UInt8]]?
        for (field, value) in statement.assignments {
            switch field {
            case "channel": channelLabel = value
            case "num_witnesses":
                guard let count = Int(value), count >= 0, count <= 1000 else { throw ScenarioError(line: line, "num_witnesses must be 0 to 1000") }
                witnessCount = count
            case "signer":
                guard nodes[value] != nil else { throw ScenarioError(line: line, "signer: unknown node '\(value)'") }
                signer = value
            case "preimage":
                guard let bytes = Hex.decodeText(value), bytes.count == 32 else {
                    throw ScenarioError(line: line, "preimage must be 32 bytes of hex")
                }
                preimage = bytes
            case "text": text = value
            case "witness_data":
                var stacks: [[UInt8]] = []
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let bytes = Hex.decodeText(String(item)) else { throw ScenarioError(line: line, "witness_data: hex, comma-separated") }
                    stacks.append(bytes)
                }
                witnessData = stacks
            case "records":
                var chosen = Set<ClosingTransaction.Variant>()
                for name in value.split(separator: ",") {
                    guard let field = Self.closingRecordFields.first(where: { $0.name == name }) else {
                        throw ScenarioError(line: line, "records: closer_output_only, closee_output_only or closer_and_closee_outputs, not '\(name)'")
                    }
                    chosen.insert(field.variant)
                }
                closingRecords = chosen
            case "next_secret":
                guard statement.type == "revoke_and_ack", let bytes = Hex.decodeText(value), bytes.count == 32 else {
                    throw ScenarioError(line: line, "next_secret: 32 bytes of hex, on a revoke_and_ack")
                }
                nextSecret = bytes
            default: assignments.append((field, Self.expand(value)))
            }
        }
        if statement.type == "open_channel" || statement.type == "open_channel2" {
            channelCounter += 1
            temporaryCounter += 1
            let label = channelLabel ?? "ch\(channelCounter)"
            let seeds = PerSide(sender.derive("commitment seed \(label)"), nodes[statement.to]?.derive("commitment seed \(label)") ?? [])
            channels.append(
                ChannelModel(
                    label: label, nodes: PerSide(statement.from, statement.to), seeds: seeds,
                    temporaryID: ChannelID(unchecked: sha256("temporary channel id \(label) \(temporaryCounter)".utf8)),
                    scid: ShortChannelID(block: 800_000 + UInt32(channelCounter), transaction: 1, output: 0)))
        }
        let channel = self.channel(statement.from, statement.to, label: channelLabel)
        if let nextSecret, let channel {
            // The commitment whose point this revocation sends ahead gets a secret of another seed.
            let side = channel.side(statement.from)
            channel.secretOverrides[side][channel.ledger.nextRevoked(side) &+ 2] = nextSecret
        }
        fillDefaults(&message, from: statement.from, to: statement.to, channel: channel, preimage: &preimage, text: text)
        witnessCount = nil
        if let witnessData, case var .txSignatures(m) = message {
            m.witnesses = witnessData.map(Witness.init(witnessData:))
            message = .txSignatures(m)
        }
        for (field, value) in assignments {
            do {
                try message.assign(field, value)
            } catch {
                throw ScenarioError(line: line, "\(statement.type): \(error)")
            }
        }
        signGossip(&message, from: statement.from, signer: signer, given: Set(assignments.map(\.field)))
        signClosing(&message, from: statement.from, channel: channel, records: closingRecords, given: Set(assignments.map(\.field)))
        record(message, from: statement.from, channel: channel, preimage: preimage)
        do {
            return try message.encoded()
        } catch {
            throw ScenarioError(line: line, "\(statement.type) cannot be encoded: \(error)")
        }
    }

    /// `zeros(N)` and `bytes(N)` stand for N zero bytes or N patterned bytes, in hex.
    static func expand(_ value: String) -> String {
        for (prefix, pattern) in [("zeros(", false), ("bytes(", true)] where value.hasPrefix(prefix) && value.hasSuffix(")") {
            guard let count = Int(value.dropFirst(prefix.count).dropLast()), count >= 0, count <= 65535 else { return value }
            return Hex.encode((0..<count).map { pattern ? UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) : 0 })
        }
        return value
    }

    static func featureBits(_ bits: [Int]) -> [UInt8] {
        guard let top = bits.max() else { return [] }
        var bytes = [UInt8](repeating: 0, count: top / 8 + 1)
        for bit in bits { bytes[bytes.count - 1 - bit / 8] |= UInt8(1 << (bit % 8)) }
        return bytes
    }

    private func p2wpkh(_ node: String) -> [UInt8] {
        [0x00, 0x14] + Array(sha256("shutdown \(node)".utf8).prefix(20))
    }

    /// The value each field gets when the scenario does not set it.
    private mutating func fillDefaults(
        _ message: inout Message, from: String, to: String, channel: ChannelModel?, preimage: inout [UInt8]?, text: String?
    ) {
        guard let keys = nodes[from] else { return }
        let label = channel?.label ?? "none"
        let side = channel?.side(from) ?? .first
        let cid = channel?.id ?? .zero
        switch message {
        case var .initMessage(m):
            m.features = Self.featureBits(features[from] ?? Self.defaultFeatures)
            m.tlvs.networks = [.bitcoin]
            message = .initMessage(m)
        case var .error(m):
            m.channelID = cid
            m.data = Array((text ?? "internal error").utf8)
            message = .error(m)
        case var .warning(m):
            m.channelID = cid
            m.data = Array((text ?? "warning").utf8)
            message = .warning(m)
        case var .ping(m):
            m.numPongBytes = 4
            message = .ping(m)
        case var .pong(m):
            m.ignored = [UInt8](repeating: 0, count: 4)
            message = .pong(m)
        case var .openChannel(m):
            guard let channel else { break }
            m.temporaryChannelID = channel.temporaryID
            m.fundingSatoshis = channel.fundingSatoshis
            m.dustLimitSatoshis = 546
            m.maxHTLCValueInFlightMsat = channel.fundingSatoshis * 1000
            m.channelReserveSatoshis = channel.fundingSatoshis / 100
            m.htlcMinimumMsat = 1
            m.feeratePerKw = 2500
            m.toSelfDelay = 144
            m.maxAcceptedHTLCs = 483
            fillBasepoints(&m.fundingPubkey, &m.revocationBasepoint, &m.paymentBasepoint, &m.delayedPaymentBasepoint, &m.htlcBasepoint, keys, label)
            m.firstPerCommitmentPoint = channel.point(side: side, commitment: 0)
            m.channelFlags = 1
            m.tlvs.upfrontShutdownScript = []
            m.tlvs.channelType = [0x10, 0x00]
            message = .openChannel(m)
        case var .acceptChannel(m):
            guard let channel else { break }
            m.temporaryChannelID = channel.temporaryID
            m.dustLimitSatoshis = 546
            m.maxHTLCValueInFlightMsat = channel.fundingSatoshis * 1000
            m.channelReserveSatoshis = channel.fundingSatoshis / 100
            m.htlcMinimumMsat = 1
            m.minimumDepth = 3
            m.toSelfDelay = 144
            m.maxAcceptedHTLCs = 483
            fillBasepoints(&m.fundingPubkey, &m.revocationBasepoint, &m.paymentBasepoint, &m.delayedPaymentBasepoint, &m.htlcBasepoint, keys, label)
            m.firstPerCommitmentPoint = channel.point(side: side, commitment: 0)
            m.tlvs.upfrontShutdownScript = []
            m.tlvs.channelType = [0x10, 0x00]
            message = .acceptChannel(m)
        case var .spliceInit(m):
            m.channelID = cid
            m.fundingFeeratePerkw = channel?.fundingFeerate ?? 2500
            m.fundingPubkey = keys.point("splice funding \(label)")
            message = .spliceInit(m)
        case var .spliceAck(m):
            m.channelID = cid
            m.fundingPubkey = keys.point("splice funding \(label)")
            message = .spliceAck(m)
        case var .spliceLocked(m):
            guard let channel else { break }
            m.channelID = cid
            // The transaction both sides last signed.
            if let txid = channel.signedTxid { m.spliceTxid = txid }
            message = .spliceLocked(m)
        case var .txInitRBF(m):
            guard let channel else { break }
            m.channelID = cid
            // BOLT #2: at least 25/24 of the previous construction's feerate, rounded down.
            m.feerate = UInt32(min(UInt64(channel.fundingFeerate) * 25 / 24 + 1, UInt64(UInt32.max)))
            if let share = channel.v2Contribution(side) { m.tlvs.fundingOutputContribution = share }
            message = .txInitRBF(m)
        case var .txAckRBF(m):
            guard let channel else { break }
            m.channelID = cid
            if let share = channel.v2Contribution(side) { m.tlvs.fundingOutputContribution = share }
            message = .txAckRBF(m)
        case var .openChannel2(m):
            guard let channel else { break }
            m.temporaryChannelID = channel.temporaryID
            m.fundingFeeratePerkw = 2500
            m.commitmentFeeratePerkw = 2500
            m.fundingSatoshis = channel.fundingSatoshis
            m.dustLimitSatoshis = 546
            m.maxHTLCValueInFlightMsat = channel.fundingSatoshis * 1000
            m.htlcMinimumMsat = 1
            m.toSelfDelay = 144
            m.maxAcceptedHTLCs = 483
            m.locktime = 800_000
            fillBasepoints(&m.fundingPubkey, &m.revocationBasepoint, &m.paymentBasepoint, &m.delayedPaymentBasepoint, &m.htlcBasepoint, keys, label)
            m.firstPerCommitmentPoint = channel.point(side: side, commitment: 0)
            m.secondPerCommitmentPoint = channel.point(side: side, commitment: 1)
            // BOLT #2 §"channel_id, v2": the temporary id is the v2 channel_id with a zeroed
            // basepoint for the accepter (33 zero bytes sort first).
            channel.temporaryID = ChannelID(unchecked: sha256([UInt8](repeating: 0, count: 33) + m.revocationBasepoint.bytes))
            m.temporaryChannelID = channel.temporaryID
            m.channelFlags = 1
            m.tlvs.upfrontShutdownScript = []
            m.tlvs.channelType = [0x10, 0x00]
            message = .openChannel2(m)
        case var .acceptChannel2(m):
            guard let channel else { break }
            m.temporaryChannelID = channel.temporaryID
            m.dustLimitSatoshis = 546
            m.maxHTLCValueInFlightMsat = channel.fundingSatoshis * 1000
            m.htlcMinimumMsat = 1
            m.minimumDepth = 3
            m.toSelfDelay = 144
            m.maxAcceptedHTLCs = 483
            fillBasepoints(&m.fundingPubkey, &m.revocationBasepoint, &m.paymentBasepoint, &m.delayedPaymentBasepoint, &m.htlcBasepoint, keys, label)
            m.firstPerCommitmentPoint = channel.point(side: side, commitment: 0)
            m.secondPerCommitmentPoint = channel.point(side: side, commitment: 1)
            m.tlvs.upfrontShutdownScript = []
            m.tlvs.channelType = [0x10, 0x00]
            message = .acceptChannel2(m)
        case var .fundingCreated(m):
            guard let channel else { break }
            m.temporaryChannelID = channel.temporaryID
            m.fundingTxid = SHA256Hash(unchecked: sha256("funding txid \(label)".utf8))
            m.fundingOutputIndex = 0
            // The funder signs the fundee's first commitment (BOLT #3).
            if let tx = channel.commitment(owner: .second, number: 0, fundingTxid: m.fundingTxid.bytes) {
                m.signature = Self.sign(tx.sighash, keys.derive("funding \(label)"))
            } else {
                m.signature = keys.signature("funding \(label)", over: "commitment 0 \(label)")
            }
            message = .fundingCreated(m)
        case var .fundingSigned(m):
            guard let channel, let txid = channel.fundingTxid else { break }
            m.channelID = ChannelID(fundingTxid: txid, outputIndex: channel.fundingOutputIndex)
            if let tx = channel.commitment(owner: .first, number: 0) {
                m.signature = Self.sign(tx.sighash, keys.derive("funding \(label)"))
            } else {
                m.signature = keys.signature("funding \(label)", over: "commitment 0 \(label)")
            }
            message = .fundingSigned(m)
        case var .channelReady(m):
            guard let channel else { break }
            m.channelID = cid
            m.secondPerCommitmentPoint = channel.point(side: side, commitment: 1)
            message = .channelReady(m)
        case var .updateAddHTLC(m):
            guard let channel else { break }
            m.channelID = cid
            m.id = channel.ledger.nextHTLCID[side] ?? 0
            m.amountMsat = 10_000_000
            let chosen = preimage ?? sha256("preimage \(label) \(from) \(m.id)".utf8)
            preimage = chosen
            m.paymentHash = SHA256Hash(unchecked: sha256(chosen))
            m.cltvExpiry = 800_144
            m.onionRoutingPacket = [0] + Array(repeating: sha256("onion \(label) \(m.id)".utf8), count: 43).flatMap { $0 }.prefix(1365)
            message = .updateAddHTLC(m)
        case var .updateFulfillHTLC(m):
            guard let channel else { break }
            m.channelID = cid
            if let index = channel.ledger.oldestOpenHTLC(offeredBy: side.other) {
                m.id = channel.ledger.htlcs[index].id
                m.paymentPreimage = channel.preimage(of: channel.ledger.htlcs[index]) ?? m.paymentPreimage
                if !channel.ledger.htlcs[index].blinded { m.tlvs.attributionData = attributionData(from) }
            }
            message = .updateFulfillHTLC(m)
        case var .updateFailHTLC(m):
            guard let channel else { break }
            m.channelID = cid
            if let index = channel.ledger.oldestOpenHTLC(offeredBy: side.other) {
                m.id = channel.ledger.htlcs[index].id
                if !channel.ledger.htlcs[index].blinded { m.tlvs.attributionData = attributionData(from) }
            }
            m.reason = sha256("failure \(label) \(m.id)".utf8) + sha256("failure padding".utf8)
            message = .updateFailHTLC(m)
        case var .updateFailMalformedHTLC(m):
            guard let channel else { break }
            m.channelID = cid
            if let index = channel.ledger.oldestOpenHTLC(offeredBy: side.other) {
                let htlc = channel.ledger.htlcs[index]
                m.id = htlc.id
                if let hash = htlc.onionHash { m.sha256OfOnion = SHA256Hash(unchecked: hash) }
            }
            m.failureCode = 0xc005  // BADONION | PERM | 5: invalid_onion_hmac
            message = .updateFailMalformedHTLC(m)
        case var .commitmentSigned(m):
            guard let channel else { break }
            m.channelID = cid
            // The initial signing of a v2 opening signs commitment 0 over its funding output;
            // that of a splice is not modelled.
            let initial = channel.initialSigningPending[side]
            let commitment = initial ? 0 : channel.ledger.localCommitment(side.other) + (channel.isBatchContinuation(side) ? 0 : 1)
            if !initial || channel.v2FundingBuilt, let tx = channel.commitment(owner: side.other, number: commitment) {
                // Real signatures over the BOLT #3 transactions, by the funding and HTLC keys.
                m.signature = Self.sign(tx.sighash, keys.derive("funding \(label)"))
                let point = channel.point(side: side.other, commitment: commitment).bytes
                let basepoint = keys.point("htlc basepoint \(label)").bytes
                let secret =
                    KeyDerivation.privkey(
                        basepointSecret: keys.derive("htlc basepoint \(label)"), basepoint: basepoint,
                        perCommitmentPoint: point) ?? []
                m.htlcSignature = tx.htlcOutputs.map { Self.sign(tx.htlcSighash($0), secret) }
            } else {
                m.signature = keys.signature("funding \(label)", over: "commitment \(commitment) of \(to) \(label)")
                let included = channel.htlcsInNextCommitment(signedBy: side)
                m.htlcSignature = included.map { keys.signature("htlc \(label)", over: "htlc \($0.offerer.index) \($0.id) commitment \(commitment)") }
            }
            message = .commitmentSigned(m)
        case var .revokeAndAck(m):
            guard let channel else { break }
            m.channelID = cid
            let revoked = channel.ledger.nextRevoked(side)
            m.perCommitmentSecret = channel.secret(side: side, commitment: revoked)
            m.nextPerCommitmentPoint = channel.point(side: side, commitment: revoked &+ 2)
            message = .revokeAndAck(m)
        case var .updateFee(m):
            m.channelID = cid
            m.feeratePerKw = 5000
            message = .updateFee(m)
        case var .shutdown(m):
            m.channelID = cid
            m.scriptpubkey = p2wpkh(from)
            message = .shutdown(m)
        case var .closingSigned(m):
            m.channelID = cid
            m.feeSatoshis = 1000
            m.signature = keys.signature("funding \(label)", over: "closing \(label)")
            m.tlvs.feeRange = FeeRange(minFeeSatoshis: 500, maxFeeSatoshis: 2000)
            message = .closingSigned(m)
        case var .closingComplete(m):
            m.channelID = cid
            m.closerScriptpubkey = p2wpkh(from)
            m.closeeScriptpubkey = channel?.closingScript[side.other] ?? p2wpkh(to)
            m.feeSatoshis = 1000
            m.tlvs.closerAndCloseeOutputs = keys.signature("funding \(label)", over: "closing complete \(label)")
            message = .closingComplete(m)
        case var .closingSig(m):
            m.channelID = cid
            // It repeats the `closing_complete` it answers.
            let proposal = channel?.closingProposal[side.other]
            m.closerScriptpubkey = proposal?.closerScriptpubkey ?? p2wpkh(to)
            m.closeeScriptpubkey = proposal?.closeeScriptpubkey ?? p2wpkh(from)
            m.feeSatoshis = proposal?.feeSatoshis ?? 1000
            m.locktime = proposal?.locktime ?? 0
            m.tlvs.closerAndCloseeOutputs = keys.signature("funding \(label)", over: "closing sig \(label)")
            message = .closingSig(m)
        case var .channelReestablish(m):
            guard let channel else { break }
            m.channelID = cid
            let local = channel.ledger.localCommitment(side)
            m.nextCommitmentNumber = local + 1
            m.nextRevocationNumber = channel.ledger.nextRevoked(side.other)
            m.yourLastPerCommitmentSecret = channel.lastSecretReceived[side] ?? [UInt8](repeating: 0, count: 32)
            m.myCurrentPerCommitmentPoint = channel.point(side: side, commitment: local)
            // An interactive transaction it signed the commitment of, without the peer's
            // `tx_signatures`: named again, asking for the peer's `commitment_signed` if none came.
            if let built = channel.interactive, channel.interactiveCommitmentSent[side], !channel.interactiveSignaturesSent[side.other] {
                m.tlvs.nextFunding = NextFunding(
                    nextFundingTxid: SHA256Hash(unchecked: built.txid), retransmitFlags: channel.interactiveCommitmentSent[side.other] ? 0 : 1)
            }
            // With splicing negotiated, a node that sent `channel_ready` names its current
            // funding transaction, and asks for `announcement_signatures` it still needs.
            let splicing = [from, to].allSatisfy { features[$0].map { $0.contains(62) || $0.contains(63) } ?? false }
            if splicing, channel.readySent[side], let txid = channel.lockedTxid ?? channel.fundingTxid ?? channel.firstSignedTxid {
                let ask: UInt8 = channel.announce && !channel.announcementSignaturesReceived[side] ? 1 : 0
                m.tlvs.myCurrentFundingLocked = MyCurrentFundingLocked(myCurrentFundingLockedTxid: txid, retransmitFlags: ask)
            }
            message = .channelReestablish(m)
        case var .stfu(m):
            m.channelID = cid
            m.initiator = (channel?.stfuSent[side.other] ?? false) ? 0 : 1
            message = .stfu(m)
        case var .txAddOutput(m):
            if let channel { m.serialID = channel.nextSerial(for: side) }
            m.sats = 50_000
            m.script = p2wpkh(from)
            if let channel, side == channel.interactiveInitiator, !channel.v2FundingOutputAdded, let funding = channel.v2Funding {
                m.sats = channel.rbfFundingAmount ?? funding.satoshis
                m.script = funding.script
            } else if let channel, side == channel.interactiveInitiator, !channel.spliceFundingOutputAdded, let funding = channel.spliceFunding {
                m.sats = funding.satoshis
                m.script = funding.script
            }
            if channel != nil { m.channelID = cid }
            message = .txAddOutput(m)
        case var .txSignatures(m):
            // The transaction the session built (BOLT #2: its txid, internal byte order).
            if let built = channel?.interactive { m.txid = SHA256Hash(unchecked: built.txid) }
            // One witness per input the sender added: a signature and a key, as for P2WPKH.
            let count = witnessCount ?? channel?.inputsAdded[side].count ?? 0
            m.witnesses = (0..<count).map { n in
                let der = (Secp256k1.der(compact: keys.signature("input \(label) \(n)", over: "witness").bytes) ?? []) + [0x01]  // SIGHASH_ALL
                return Witness(witnessData: [0x02, UInt8(der.count)] + der + [UInt8(keys.nodeID.count)] + keys.nodeID)
            }
            // A splice's shared input (the channel's funding output, never spliced before):
            // signed with the sender's funding key (BOLT #2 §"Splice tx_signatures").
            if let channel, channel.spliceFunding != nil, channel.lockedTxid == nil, let built = channel.interactive,
                let txid = channel.fundingTxid?.bytes, let a = channel.parties.first?.fundingPubkey, let b = channel.parties.second?.fundingPubkey,
                let index = built.inputs.keys.sorted().firstIndex(where: {
                    built.inputs[$0].map { $0.txid == txid && $0.vout == UInt32(channel.fundingOutputIndex) } ?? false
                })
            {
                let digest = built.transaction.sighash(input: index, witnessScript: Script.funding(a, b), amount: channel.capacity)
                m.tlvs.sharedInputSignature = Self.sign(digest, keys.derive("funding \(label)"))
            }
            if channel != nil { m.channelID = cid }
            message = .txSignatures(m)
        case var .txAddInput(m):
            // A previous transaction of its own for each input: one output, a P2WPKH of the sender.
            inputCounter += 1
            let spent = Transaction.Input(txid: sha256("prevtx \(from) \(inputCounter)".utf8), vout: 0, sequence: 0xffff_ffff)
            // 100,000 sat, and the sender's share of the funding output on its first input.
            let share = channel.map { $0.inputsAdded[side].isEmpty ? $0.sessionShares[side] : 0 } ?? 0
            let value = 100_000 &+ share
            m.prevtx = Transaction(inputs: [spent], outputs: [Transaction.Output(value: value, script: p2wpkh(from))], locktime: 0).serialized
            m.prevtxVout = 0
            if let channel { m.serialID = channel.nextSerial(for: side) }
            if channel != nil { m.channelID = cid }
            message = .txAddInput(m)
        case var .channelAnnouncement(m):
            // The two nodes of the message, in key order, with their funding keys.
            let pair = [from, to].compactMap { nodes[$0] }.sorted { $0.nodeID.lexicographicallyPrecedes($1.nodeID) }
            guard pair.count == 2 else { break }
            m.nodeID1 = Point(unchecked: pair[0].nodeID)
            m.nodeID2 = Point(unchecked: pair[1].nodeID)
            m.bitcoinKey1 = pair[0].point("funding \(label)")
            m.bitcoinKey2 = pair[1].point("funding \(label)")
            if let channel { m.shortChannelID = channel.scid }
            message = .channelAnnouncement(m)
        case var .channelUpdate(m):
            if let channel { m.shortChannelID = channel.scid }
            message = .channelUpdate(m)
        case var .nodeAnnouncement(m):
            m.nodeID = Point(unchecked: keys.nodeID)
            message = .nodeAnnouncement(m)
        case var .announcementSignatures(m):
            guard let channel else { break }
            m.channelID = cid
            m.shortChannelID = channel.scid
            // Signatures over the channel_announcement the two nodes build (BOLT #7): the
            // defaults of one, with their node ids and funding keys in node id order.
            let pair = [from, to].compactMap { nodes[$0] }.sorted { $0.nodeID.lexicographicallyPrecedes($1.nodeID) }
            if pair.count == 2, case var .channelAnnouncement(a)? = Message.placeholder(type: ChannelAnnouncement.type) {
                a.nodeID1 = Point(unchecked: pair[0].nodeID)
                a.nodeID2 = Point(unchecked: pair[1].nodeID)
                a.bitcoinKey1 = pair[0].point("funding \(label)")
                a.bitcoinKey2 = pair[1].point("funding \(label)")
                a.shortChannelID = channel.scid
                if let bytes = try? Message.channelAnnouncement(a).encoded(), bytes.count > 258 {
                    let h = sha256(sha256(bytes[258...]))
                    m.nodeSignature = Self.sign(h, keys.secret)
                    m.bitcoinSignature = Self.sign(h, keys.derive("funding \(label)"))
                }
            }
            message = .announcementSignatures(m)
        default:
            // Channel-scoped messages at least name the channel.
            if channel != nil { try? message.assign("channel_id", cid.hex) }
        }
    }

    /// Signs gossip as BOLT #7 says, with the keys of the scenario's nodes, where the
    /// scenario does not set a signature itself: `channel_announcement` by both nodes and
    /// both funding keys, `channel_update` by the node its direction bit names (the sender
    /// when no announcement of the channel came before), `node_announcement` by its node. A
    /// key no node of the scenario holds leaves its signature as it is. `signer` (the
    /// `signer=NODE` pseudo-field) signs a `channel_update` or `node_announcement` with that
    /// node's key instead, which is how a scenario makes one signed by the wrong node.
    private mutating func signGossip(_ message: inout Message, from: String, signer: String?, given: Set<String>) {
        func digest(_ m: Message, after offset: Int) -> [UInt8]? {
            guard let bytes = try? m.encoded(), bytes.count > offset else { return nil }
            return sha256(sha256(bytes[offset...]))
        }
        switch message {
        case var .channelAnnouncement(m):
            announced[m.shortChannelID] = [m.nodeID1, m.nodeID2]
            guard let h = digest(message, after: 258) else { return }
            let signers: [(String, Point, WritableKeyPath<ChannelAnnouncement, Signature>)] = [
                ("node_signature_1", m.nodeID1, \.nodeSignature1), ("node_signature_2", m.nodeID2, \.nodeSignature2),
                ("bitcoin_signature_1", m.bitcoinKey1, \.bitcoinSignature1), ("bitcoin_signature_2", m.bitcoinKey2, \.bitcoinSignature2),
            ]
            for (field, key, path) in signers where !given.contains(field) {
                if let secret = secret(for: key) { m[keyPath: path] = Self.sign(h, secret) }
            }
            message = .channelAnnouncement(m)
        case var .channelUpdate(m):
            guard !given.contains("signature"), let h = digest(message, after: 66) else { return }
            let origin =
                (signer ?? (announced[m.shortChannelID] == nil ? from : nil)).flatMap { nodes[$0] }.map { Point(unchecked: $0.nodeID) }
                ?? announced[m.shortChannelID].map { $0[Int(m.channelFlags & 1)] }
            guard let origin, let secret = secret(for: origin) else { return }
            m.signature = Self.sign(h, secret)
            message = .channelUpdate(m)
        case var .nodeAnnouncement(m):
            let key = signer.flatMap { nodes[$0] }.map { Point(unchecked: $0.nodeID) } ?? m.nodeID
            guard !given.contains("signature"), let h = digest(message, after: 66), let secret = secret(for: key) else { return }
            m.signature = Self.sign(h, secret)
            message = .nodeAnnouncement(m)
        default:
            return
        }
    }

    /// The secret of `point`, if a node of the scenario holds it: its node key, or a funding
    /// key of one of its channels.
    private func secret(for point: Point) -> [UInt8]? {
        for keys in nodes.values {
            if keys.nodeID == point.bytes { return keys.secret }
            for label in channels.map(\.label) + ["none"] where keys.point("funding \(label)") == point {
                return keys.derive("funding \(label)")
            }
        }
        return nil
    }

    private func fillBasepoints(
        _ funding: inout Point, _ revocation: inout Point, _ payment: inout Point, _ delayed: inout Point, _ htlc: inout Point,
        _ keys: NodeKeys, _ label: String
    ) {
        funding = keys.point("funding \(label)")
        revocation = keys.point("revocation basepoint \(label)")
        payment = keys.point("payment basepoint \(label)")
        delayed = keys.point("delayed payment basepoint \(label)")
        htlc = keys.point("htlc basepoint \(label)")
    }

    /// A compact ECDSA signature (low-S) of a transaction digest.
    /// A side's keys and limits as its `open_channel`, `accept_channel` (or v2) sent them.
    static func party(
        _ funding: Point, _ revocation: Point, _ payment: Point, _ delayed: Point, _ htlc: Point, delay: UInt16, dust: UInt64
    ) -> ChannelParameters.Party {
        ChannelParameters.Party(
            fundingPubkey: funding.bytes, revocationBasepoint: revocation.bytes, paymentBasepoint: payment.bytes,
            delayedPaymentBasepoint: delayed.bytes, htlcBasepoint: htlc.bytes, toSelfDelay: delay, dustLimit: dust)
    }

    static func sign(_ digest: [UInt8], _ secret: [UInt8]) -> Signature {
        Signature(unchecked: Secp256k1.sign(digest: digest, secret: secret) ?? [UInt8](repeating: 0, count: 64))
    }

    /// Updates the channel model with what was actually sent (overrides included).
    private mutating func record(_ message: Message, from: String, channel: ChannelModel?, preimage: [UInt8]?) {
        guard let channel else { return }
        let side = channel.side(from)
        switch message {
        case let .openChannel(m):
            channel.announce = m.channelFlags & 1 == 1
            channel.fund(satoshis: m.fundingSatoshis, pushMsat: m.pushMsat)
            channel.dustLimit.first = m.dustLimitSatoshis
            channel.ledger.initialFeerate = m.feeratePerKw
            channel.adopt(channelType: m.tlvs.channelType)
            channel.parties.first = Self.party(
                m.fundingPubkey, m.revocationBasepoint, m.paymentBasepoint, m.delayedPaymentBasepoint, m.htlcBasepoint, delay: m.toSelfDelay,
                dust: m.dustLimitSatoshis)
        case let .acceptChannel(m):
            channel.dustLimit.second = m.dustLimitSatoshis
            channel.parties.second = Self.party(
                m.fundingPubkey, m.revocationBasepoint, m.paymentBasepoint, m.delayedPaymentBasepoint, m.htlcBasepoint, delay: m.toSelfDelay,
                dust: m.dustLimitSatoshis)
        case let .fundingCreated(m):
            channel.fundingTxid = m.fundingTxid
            channel.fundingOutputIndex = m.fundingOutputIndex
        case let .fundingSigned(m):
            channel.channelID = m.channelID
        case let .spliceInit(m):
            channel.spliceKeys = PerSide(nil, nil)
            channel.spliceKeys[side] = m.fundingPubkey.bytes
            channel.spliceContributions = PerSide(0, 0)
            channel.spliceContributions[side] = m.fundingContributionSatoshis
            channel.sessionShares = PerSide(0, 0)
            channel.sessionShares[side] = UInt64(max(m.fundingContributionSatoshis, 0))
            channel.spliceFunding = nil
            channel.spliceFundingOutputAdded = false
            // A splice builds its own funding output, not the opening's.
            channel.v2FundingOutputAdded = true
            channel.rbfFundingAmount = nil
            channel.inputsAdded = PerSide([], [])
            channel.interactive = InteractiveTransaction(locktime: m.locktime)
            channel.fundingFeerate = m.fundingFeeratePerkw
            channel.interactiveInitiator = side
        case let .txInitRBF(m):
            // A fee bump of a v2 opening builds the funding output again, paying what the
            // two `funding_output_contribution`s add up to.
            if channel.spliceFunding == nil, channel.v2Funding != nil {
                channel.v2FundingOutputAdded = false
                channel.rbfContributions = PerSide(0, 0)
                channel.rbfContributions[side] = m.tlvs.fundingOutputContribution ?? 0
                channel.rbfFundingAmount = UInt64(max(channel.rbfContributions[side], 0))
                channel.sessionShares = PerSide(0, 0)
                channel.sessionShares[side] = UInt64(max(channel.rbfContributions[side], 0))
            }
            channel.inputsAdded = PerSide([], [])
            channel.interactive = InteractiveTransaction(locktime: m.locktime)
            channel.fundingFeerate = m.feerate
            channel.interactiveInitiator = side
        case let .openChannel2(m):
            channel.announce = m.channelFlags & 1 == 1
            channel.v2FundingKeys.first = m.fundingPubkey.bytes
            channel.v2FundingOutputAdded = false
            channel.inputsAdded = PerSide([], [])
            channel.fundingFeerate = m.fundingFeeratePerkw
            channel.interactiveInitiator = side
            channel.openLocktime = m.locktime
            channel.fund(satoshis: m.fundingSatoshis, pushMsat: 0)
            channel.sessionShares = PerSide(0, 0)
            channel.sessionShares[side] = m.fundingSatoshis
            channel.dustLimit.first = m.dustLimitSatoshis
            channel.ledger.initialFeerate = m.commitmentFeeratePerkw
            channel.revocationBasepoint = m.revocationBasepoint.bytes
            channel.adopt(channelType: m.tlvs.channelType)
            channel.parties.first = Self.party(
                m.fundingPubkey, m.revocationBasepoint, m.paymentBasepoint, m.delayedPaymentBasepoint, m.htlcBasepoint, delay: m.toSelfDelay,
                dust: m.dustLimitSatoshis)
        case let .acceptChannel2(m):
            channel.interactive = InteractiveTransaction(locktime: channel.openLocktime)
            channel.acceptFundingSatoshis = m.fundingSatoshis
            channel.parties.second = Self.party(
                m.fundingPubkey, m.revocationBasepoint, m.paymentBasepoint, m.delayedPaymentBasepoint, m.htlcBasepoint, delay: m.toSelfDelay,
                dust: m.dustLimitSatoshis)
            // Each side starts with what it put in (no push in v2).
            let (opened, accepted) = (channel.fundingSatoshis, m.fundingSatoshis)
            if opened <= 21_000_000 * 100_000_000, accepted <= 21_000_000 * 100_000_000 {
                channel.ledger.balanceBase = PerSide(Int64(opened * 1000), Int64(accepted * 1000))
            }
            channel.sessionShares[side] = m.fundingSatoshis
            if let opener = channel.v2FundingKeys.first {
                channel.v2Funding = (Script.fundingOutput(opener, m.fundingPubkey.bytes), channel.fundingSatoshis &+ m.fundingSatoshis)
            }
            // BOLT #2 §"channel_id, v2": SHA256(lesser-revocation-basepoint || greater-revocation-basepoint).
            channel.dustLimit.second = m.dustLimitSatoshis
            let other = m.revocationBasepoint.bytes, mine = channel.revocationBasepoint ?? []
            let (lesser, greater) = mine.lexicographicallyPrecedes(other) ? (mine, other) : (other, mine)
            channel.channelID = ChannelID(sha256(lesser + greater))
        case let .updateAddHTLC(m):
            channel.recordAdd(from: side, m, preimage: preimage)
        case let .updateFulfillHTLC(m):
            channel.recordRemove(from: side, id: m.id, fulfilled: true)
        case let .updateFailHTLC(m):
            channel.recordRemove(from: side, id: m.id, fulfilled: false)
        case let .updateFailMalformedHTLC(m):
            channel.recordRemove(from: side, id: m.id, fulfilled: false)
        case let .updateFee(m):
            channel.recordFee(from: side, m.feeratePerKw)
        case let .startBatch(m):
            if m.batchSize > 1 {
                let size = Int(min(m.batchSize, 20))
                channel.batch[side] = (size, size)
            }
        case .commitmentSigned:
            // The commitment_signed of a v2 opening or splice signs commitment 0 or the
            // current number again, and a batch's later members sign its first's: not new
            // signings.
            let continuation = channel.isBatchContinuation(side)
            if var batch = channel.batch[side] {
                batch.remaining -= 1
                channel.batch[side] = batch.remaining > 0 ? batch : nil
            }
            if channel.initialSigningPending[side] {
                channel.initialSigningPending[side] = false
                channel.interactiveCommitmentSent[side] = true
            } else if !continuation {
                channel.recordCommitmentSigned(from: side)
            }
        case .txComplete:
            if channel.lastMoveWasComplete == side.other {
                channel.initialSigningPending = PerSide(true, true)
                // A v2 opening (or its fee bump) funds the channel with the transaction just
                // built: the commitments spend its funding output from now on.
                channel.v2FundingBuilt = false
                if channel.spliceFunding == nil, let funding = channel.v2Funding, let built = channel.interactive,
                    let index = built.outputs.keys.sorted().firstIndex(where: { built.outputs[$0]?.script == funding.script })
                {
                    channel.fundingTxid = SHA256Hash(unchecked: built.txid)
                    channel.fundingOutputIndex = UInt16(truncatingIfNeeded: index)
                    channel.v2FundingBuilt = true
                }
                channel.interactiveCommitmentSent = PerSide(false, false)
                channel.interactiveSignaturesSent = PerSide(false, false)
            }
            channel.lastMoveWasComplete = side
        case .txAddInput, .txAddOutput, .txRemoveInput, .txRemoveOutput:
            channel.lastMoveWasComplete = nil
            switch message {
            case let .txAddInput(m):
                channel.inputsAdded[side].insert(m.serialID)
                channel.interactive?.addInput(
                    serial: m.serialID, prevtx: m.prevtx, sharedTxid: m.tlvs.sharedInputTxid?.bytes, vout: m.prevtxVout, sequence: m.sequence)
            case let .txRemoveInput(m):
                channel.inputsAdded[side].remove(m.serialID)
                channel.interactive?.removeInput(serial: m.serialID)
            case let .txAddOutput(m):
                channel.interactive?.addOutput(serial: m.serialID, sats: m.sats, script: m.script)
                if m.script == channel.v2Funding?.script { channel.v2FundingOutputAdded = true }
                if m.script == channel.spliceFunding?.script { channel.spliceFundingOutputAdded = true }
            case let .txRemoveOutput(m): channel.interactive?.removeOutput(serial: m.serialID)
            default: break
            }
        case let .revokeAndAck(m):
            channel.recordRevokeAndAck(from: side, secret: m.perCommitmentSecret)
        case .stfu:
            channel.stfuSent[side] = true
        case let .txAckRBF(m):
            if channel.spliceFunding == nil, channel.v2Funding != nil, !channel.v2FundingOutputAdded {
                channel.rbfContributions[side] = m.tlvs.fundingOutputContribution ?? 0
                channel.rbfFundingAmount = UInt64(max(channel.rbfContributions.first &+ channel.rbfContributions.second, 0))
                channel.sessionShares[side] = UInt64(max(channel.rbfContributions[side], 0))
            }
        case let .spliceAck(m):
            channel.spliceKeys[side] = m.fundingPubkey.bytes
            channel.spliceContributions[side] = m.fundingContributionSatoshis
            channel.sessionShares[side] = UInt64(max(m.fundingContributionSatoshis, 0))
            if let a = channel.spliceKeys.first, let b = channel.spliceKeys.second {
                let total = Int64(clamping: channel.capacity) &+ channel.spliceContributions.first &+ channel.spliceContributions.second
                channel.spliceFunding = (Script.fundingOutput(a, b), UInt64(max(total, 0)))
            }
        case let .txSignatures(m):
            channel.interactiveSignaturesSent[side] = true
            channel.signedTxid = m.txid
            if channel.firstSignedTxid == nil { channel.firstSignedTxid = m.txid }
        case .channelReady:
            channel.readySent[side] = true
        case .announcementSignatures:
            channel.announcementSignaturesReceived[side.other] = true
        case let .spliceLocked(m):
            channel.spliceLockedSent[side] = true
            if channel.spliceLockedSent == PerSide(true, true) {
                channel.lockedTxid = m.spliceTxid
                channel.spliceLockedSent = PerSide(false, false)
                channel.announcementSignaturesReceived = PerSide(false, false)
            }
        case let .shutdown(m):
            channel.closingScript[side] = m.scriptpubkey
        case let .closingComplete(m):
            channel.closingScript[side] = m.closerScriptpubkey
            channel.closingProposal[side] = m
        default:
            break
        }
    }

    /// The `attribution_data` a node offering `option_attribution_data` (bit 36/37) adds to
    /// its removals (BOLT #2; the hold times and HMACs are zeros here), or `nil`.
    func attributionData(_ node: String) -> AttributionData? {
        guard let bits = features[node], bits.contains(36) || bits.contains(37) else { return nil }
        return AttributionData(htlcHoldTimes: [UInt32](repeating: 0, count: 20), truncatedHmacs: [[UInt8]](repeating: [0, 0, 0, 0], count: 210))
    }

    /// The signature records of `closing_tlvs`, by variant.
    static func closingRecords(_ tlvs: ClosingTLVs) -> [(variant: ClosingTransaction.Variant, signature: Signature)] {
        var out: [(variant: ClosingTransaction.Variant, signature: Signature)] = []
        if let s = tlvs.closerOutputOnly { out.append((.closerOutputOnly, s)) }
        if let s = tlvs.closeeOutputOnly { out.append((.closeeOutputOnly, s)) }
        if let s = tlvs.closerAndCloseeOutputs { out.append((.closerAndCloseeOutputs, s)) }
        return out
    }

    static var closingRecordFields: [(name: String, variant: ClosingTransaction.Variant, path: WritableKeyPath<ClosingTLVs, Signature?>)] {
        [
            ("closer_output_only", .closerOutputOnly, \.closerOutputOnly), ("closee_output_only", .closeeOutputOnly, \.closeeOutputOnly),
            ("closer_and_closee_outputs", .closerAndCloseeOutputs, \.closerAndCloseeOutputs),
        ]
    }

    /// Signs closing transactions as BOLT #3 builds them, over the message's final fields,
    /// with the sender's funding key, where the scenario does not set a signature itself:
    /// `closing_signed` over the legacy transaction (outputs below the sender's dust limit
    /// left out); `closing_complete` with the records BOLT #2 asks of a closer with its
    /// balance (unless the scenario names records); `closing_sig` in the variant the closee
    /// must select from the `closing_complete` it answers.
    private func signClosing(
        _ message: inout Message, from: String, channel: ChannelModel?, records chosen: Set<ClosingTransaction.Variant>?, given: Set<String>
    ) {
        guard let channel, let funding = channel.closingFunding, let balances = channel.finalBalancesMsat, let keys = nodes[from] else { return }
        let side = channel.side(from)
        let secret = keys.derive("funding \(channel.label)")
        switch message {
        case var .closingSigned(m):
            guard !given.contains("signature"),
                let scripts = channel.closingScript.first.flatMap({ a in channel.closingScript.second.map { (a, $0) } })
            else { return }
            let limit = channel.dustLimit[side]
            let amounts = PerSide(balances.first / 1000 - (m.feeSatoshis <= balances.first / 1000 ? m.feeSatoshis : 0), balances.second / 1000)
            let include = PerSide(amounts.first >= limit, amounts.second >= limit)
            guard
                let tx = ClosingTransaction.legacy(
                    funding: funding, scripts: PerSide(scripts.0, scripts.1), balancesMsat: balances, opener: .first, fee: m.feeSatoshis,
                    include: include)
            else { return }
            m.signature = Self.sign(funding.sighash(tx), secret)
            message = .closingSigned(m)
        case var .closingComplete(m):
            let explicit = Self.closingRecordFields.filter { given.contains($0.name) }
            if explicit.isEmpty {
                // BOLT #2: the lesser-paid closer never offers its output alone, and must drop it
                // when dust; the other offers its output alone, and with the closee's unless dust.
                let closerMsat = balances[side], closeeMsat = balances[side.other]
                let closerAmount =
                    ClosingTransaction.simpleCloserAmount(closerScript: m.closerScriptpubkey, closerMsat: closerMsat, fee: m.feeSatoshis) ?? 0
                let closeeAmount = ClosingTransaction.isOpReturn(m.closeeScriptpubkey) ? 0 : closeeMsat / 1000
                var records: Set<ClosingTransaction.Variant>
                if closerMsat < closeeMsat {
                    records = closerAmount < ClosingTransaction.dustThreshold(m.closerScriptpubkey) ? [.closeeOutputOnly] : [.closerAndCloseeOutputs]
                } else {
                    records =
                        closeeAmount < ClosingTransaction.dustThreshold(m.closeeScriptpubkey)
                        ? [.closerOutputOnly] : [.closerOutputOnly, .closerAndCloseeOutputs]
                }
                for field in Self.closingRecordFields {
                    m.tlvs[keyPath: field.path] =
                        (chosen ?? records).contains(field.variant) ? Signature(unchecked: [UInt8](repeating: 0, count: 64)) : nil
                }
            }
            for field in Self.closingRecordFields where m.tlvs[keyPath: field.path] != nil && !given.contains(field.name) {
                guard
                    let tx = ClosingTransaction.simple(
                        funding: funding, closerScript: m.closerScriptpubkey, closeeScript: m.closeeScriptpubkey, closerMsat: balances[side],
                        closeeMsat: balances[side.other], fee: m.feeSatoshis, locktime: m.locktime, variant: field.variant)
                else { continue }
                m.tlvs[keyPath: field.path] = Self.sign(funding.sighash(tx), secret)
            }
            message = .closingComplete(m)
        case var .closingSig(m):
            let closer = side.other
            if Self.closingRecordFields.allSatisfy({ !given.contains($0.name) }) {
                // BOLT #2: the closee takes closer_output_only when its own output is dust,
                // else closer_and_closee_outputs when offered, else closee_output_only.
                let offered = Set(channel.closingProposal[closer].map { Self.closingRecords($0.tlvs).map(\.variant) } ?? [])
                let ownAmount = ClosingTransaction.isOpReturn(m.closeeScriptpubkey) ? 0 : balances[side] / 1000
                let selected: ClosingTransaction.Variant =
                    ownAmount < ClosingTransaction.dustThreshold(m.closeeScriptpubkey)
                    ? .closerOutputOnly : offered.contains(.closerAndCloseeOutputs) ? .closerAndCloseeOutputs : .closeeOutputOnly
                for field in Self.closingRecordFields {
                    m.tlvs[keyPath: field.path] =
                        (chosen ?? [selected]).contains(field.variant) ? Signature(unchecked: [UInt8](repeating: 0, count: 64)) : nil
                }
            }
            for field in Self.closingRecordFields where m.tlvs[keyPath: field.path] != nil && !given.contains(field.name) {
                guard
                    let tx = ClosingTransaction.simple(
                        funding: funding, closerScript: m.closerScriptpubkey, closeeScript: m.closeeScriptpubkey, closerMsat: balances[closer],
                        closeeMsat: balances[side], fee: m.feeSatoshis, locktime: m.locktime, variant: field.variant)
                else { continue }
                m.tlvs[keyPath: field.path] = Self.sign(funding.sighash(tx), secret)
            }
            message = .closingSig(m)
        default:
            return
        }
    }
}
