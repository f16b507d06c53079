import Basics
import Ledger
import Transactions
import Wire

extension ChannelModel {
    /// Applies a message `side` sent, after the rules have judged it against the state before.
    ///
    /// The model follows what was sent, right or wrong, so that one violation does not make
    /// every later message look wrong: it adopts the state the message implies (an add with a
    /// skipped id is an HTLC with that id; a second signing is a signing), and a message that
    /// can imply none (a revocation of nothing, a fee set by the node that does not pay it)
    /// leaves it as it was. Documentation/rules.md §"Recovery".
    mutating func apply(_ m: MessageView, from side: Side) {
        let peer = side.other
        if itxMaybePending, updateMessages.contains(m.kind) { settleMaybeItx() }
        if nextFundingAnswer[side] != nil, Self.afterNextFunding.contains(m.kind) { nextFundingAnswer[side] = nil }
        if quiescenceEnded != nil, updateMessages.contains(m.kind) || m.kind == .stfu { quiescenceEnded = nil }
        switch m.kind {
        case .openChannel, .openChannel2:
            // A new opening (after a reconnection, BOLT #2 §"The open_channel Message") starts over.
            refusal = PerSide(nil, nil)
            refusal[side.other] = OpeningRefusal.reason(m, opening: nil, proposed: nil)
            ledger.opener = side
            origin = .opened
            numbersAnchored = PerSide(true, true)
            openSeen = true
            dualFunded = m.kind == .openChannel2
            params[side] = Params(from: m)
            channelType = m.typed.channelTypeRecord ?? channelType
            fundingSatoshis = m.uint(\.fundingSatoshis)
            pushMsat = m.kind == .openChannel ? m.uint(\.pushMsat) : nil
            if let funding = fundingSatoshis, funding <= CommitmentLedger.maximumMoney, let push = pushMsat, push <= funding * 1000 {
                // Both are below 21 million bitcoin, so within Int64.
                var base = PerSide(repeating: Int64(push))
                base[side] = Int64(funding * 1000 - push)
                ledger.balanceBase = base
            }
            ledger.initialFeerate = (m.uint(\.feeratePerKw) ?? m.uint(\.commitmentFeeratePerkw)).map { UInt32(truncatingIfNeeded: $0) }
            announce = m.typed.channelFlags.map { $0 & 1 == 1 }
            if let point = m.typed.firstPerCommitmentPoint { points[side][0] = point }
            if let point = m.typed.secondPerCommitmentPoint { points[side][1] = point }
            ledger.nextHTLCID = PerSide(0, 0)
            openLocktime = m.kind == .openChannel2 ? m.uint(\.locktime).map { UInt32(truncatingIfNeeded: $0) } : nil
            openFeerate = m.kind == .openChannel2 ? m.typed.fundingFeeratePerkw : nil
            previousAttempts = []
            spliceTxidsKnown = true
            constructedFeerate = nil
            constructedFee = nil
        case .acceptChannel, .acceptChannel2:
            refusal[side.other] = refusal[side.other] ?? OpeningRefusal.reason(m, opening: opener.map { params[$0] }, proposed: channelType)
            acceptSeen = true
            params[side] = Params(from: m)
            if let type = m.typed.channelTypeRecord { channelType = type }
            if let point = m.typed.firstPerCommitmentPoint { points[side][0] = point }
            if let point = m.typed.secondPerCommitmentPoint { points[side][1] = point }
            if m.kind == .acceptChannel2 {
                acceptFundingSatoshis = m.uint(\.fundingSatoshis)
                // Each side starts with what it put in (BOLT #2 §"The open_channel2 Message": no push).
                if let opener, let opened = fundingSatoshis, let accepted = acceptFundingSatoshis,
                    opened <= CommitmentLedger.maximumMoney, accepted <= CommitmentLedger.maximumMoney
                {
                    var base = PerSide(repeating: Int64(accepted * 1000))
                    base[opener] = Int64(opened * 1000)
                    ledger.balanceBase = base
                }
            }
            if m.kind == .acceptChannel2, let opener {
                itx = InteractiveTx(kind: .open, initiator: opener)
                itx?.built = openLocktime.map(InteractiveTransaction.init(locktime:))
                itx?.feerate = openFeerate
            }
        case .fundingCreated:
            fundingCreatedSeen = true
            if let txid = m.bytes(\.fundingTxid), txid.count == 32, let index = m.uint(\.fundingOutputIndex) {
                fundingTxid = SHA256Hash(txid)
                fundingOutputIndex = UInt16(truncatingIfNeeded: index)
            }
        case .fundingSigned:
            fundingSignedSeen = true
        case .channelReady:
            readySent[side] = true
            readyOnConnection[side] = true
            if origin == .opened, let point = m.typed.secondPerCommitmentPoint { points[side][1] = point }
            if let scid = m.typed.shortChannelIDRecord {
                aliases[side].append(scid.rawValue)
            }
        case .updateAddHTLC:
            let blinded = m.typed.blindedPathRecord != nil
            if m.uint(\.id) == nil { htlcIDsUnknown = true }
            ledger.recordAdd(
                from: side, id: m.uint(\.id) ?? ledger.nextHTLCID[side] ?? 0, amountMsat: m.uint(\.amountMsat),
                paymentHash: m.bytes(\.paymentHash), cltvExpiry: m.uint(\.cltvExpiry), blinded: blinded,
                onion: m.bytes(\.onionRoutingPacket))
        case .updateFulfillHTLC, .updateFailHTLC, .updateFailMalformedHTLC:
            if m.uint(\.id) == nil { htlcIDsUnknown = true }
            ledger.recordRemove(from: side, id: m.uint(\.id), fulfilled: m.kind == .updateFulfillHTLC)
        case .updateFee:
            // Recovery (`fee-funder-only`): the node that does not pay the fee cannot set it.
            if let opener, opener != side { break }
            ledger.recordFee(from: side, m.uint(\.feeratePerKw).map { UInt32(truncatingIfNeeded: $0) })
        case .startBatch:
            if let size = m.uint(\.batchSize), size > 1 {
                batchRemaining[side] = Int(min(size, 20))
                batchSize[side] = batchRemaining[side]
            }
        case .commitmentSigned:
            owedRetransmission[side].commitment = nil
            let repeated = possibleRetransmission[side].remove(.commitmentSigned) != nil && ledger.unacknowledgedSignings(side) > 0
            let continuation = isBatchContinuation(side) || repeated
            let batched = batchRemaining[side] > 0
            if batchRemaining[side] > 0 { batchRemaining[side] -= 1 }
            if continuation {
                // One signing per batch (Documentation/channel-model.md, "The ledger").
            } else if isInitialSigning(side) {
                itx?.commitmentSignedSent[side] = true
            } else {
                recordSigning(from: side)
                lastSigningBatched[side] = batched
                if itxMaybePending, maybeItxSigning[side] == nil { maybeItxSigning[side] = ledger.signings[side].count - 1 }
            }
        case .revokeAndAck:
            owedRetransmission[side].revocation = nil
            settleMaybeItx()
            let answered = ledger.revocations[side] >= ledger.signings[peer].count
            let repeated = possibleRetransmission[side].remove(.revokeAndAck) != nil && answered
            // Recovery (`raa-solicited`): a revocation that answers no signing revokes nothing.
            let unsolicited = origin != .unknown && answered
            if !repeated && !unsolicited {
                recordRevocation(from: side, nextPoint: m.typed.nextPerCommitmentPoint, secret: m.bytes(\.perCommitmentSecret))
            }
        case .shutdown:
            shutdownSent[side] = true
            shutdownOnConnection[side] = true
            shutdownScript[side] = m.bytes(\.scriptpubkey)
        case .closingSigned:
            closingSent[side] = true
            let fee = m.uint(\.feeSatoshis)
            if let fee, closingFee[peer] == fee { closingAgreed = true }
            closingFee[side] = fee
            if let range = m.typed.feeRangeRecord { closingRange[side] = range }
        case .closingComplete:
            closingSent[side] = true
            closingCompleteOutstanding[side] = true
            closingProposal[side] = ClosingProposal(m)
        case .closingSig:
            closingCompleteOutstanding[peer] = false
            closingAgreed = true
        case .stfu:
            stfuSent[side] = true
            stfuInitiator[side] = m.uint(\.initiator).map { UInt8(truncatingIfNeeded: $0) }
        case .error:
            errorSent[side] = true
            errorOnConnection[side] = true
        case .channelReestablish:
            applyReestablish(m, from: side)
        case .spliceInit:
            let before = capacity
            previousAttempts = []
            itx = InteractiveTx(kind: .splice, initiator: side)
            itx?.capacityBefore = before
            if !spliced, let a = params.first.fundingPubkey, let b = params.second.fundingPubkey { itx?.previousFundingKeys = PerSide(a, b) }
            itx?.spliceKeys[side] = m.typed.fundingPubkey
            itx?.contributions[side] = m.typed.fundingContributionSatoshis
            itx?.built = m.uint(\.locktime).map { InteractiveTransaction(locktime: UInt32(truncatingIfNeeded: $0)) }
            itx?.feerate = m.typed.fundingFeeratePerkw
        case .txInitRBF:
            itx = InteractiveTx(kind: .rbf, initiator: side)
            itx?.built = m.uint(\.locktime).map { InteractiveTransaction(locktime: UInt32(truncatingIfNeeded: $0)) }
            // BOLT #2: a node that contributes to the funding output says how much (absent: 0).
            itx?.contributions[side] = m.decoded ? m.typed.fundingOutputContributionRecord ?? 0 : nil
            itx?.feerate = m.typed.feerate
        case .txAddInput, .txAddOutput, .txRemoveInput, .txRemoveOutput, .txComplete:
            guard var session = itx else { break }
            let complete = m.kind == .txComplete
            if complete, session.completes(with: side) {
                // Judged on the channel before the splice (`spl-complete-checks`).
                let reserveFailure = spliceReserveFailure(session, of: side)
                session.constructed = true
                if session.kind == .splice { spliced = true }
                constructedFeerate = session.feerate
                constructedFee = try? totalFee(of: session)
                // A v2 opening (or its fee bump) funds the channel with the transaction built.
                if session.kind != .splice, !spliced, dualFunded, let outpoint = v2FundingOutpoint(session) {
                    (fundingTxid, fundingOutputIndex) = outpoint
                }
                // The completer's own contributions, which its peer must now judge.
                if let failure = contributionFailure(session, of: side) ?? reserveFailure { session.mustFail[peer] = failure }
                if session.whole, session.inputs != nil, previousAttempts.count < Self.maximumAttempts {
                    previousAttempts.append(Set(session.spends.values))
                }
            }
            session.lastMover = side
            session.lastMoveWasComplete = complete
            session.moves += 1
            session.mustFail[side] = nil
            // BOLT #2: the receiver of the 4096th `tx_add_input` (or `tx_add_output`) fails.
            if m.kind == .txAddInput {
                session.addCounts[side].inputs += 1
                if session.addCounts[side].inputs == 4096 { session.mustFail[peer] = .tooManyMessages(.txAddInput) }
            } else if m.kind == .txAddOutput {
                session.addCounts[side].outputs += 1
                if session.addCounts[side].outputs == 4096 { session.mustFail[peer] = .tooManyMessages(.txAddOutput) }
            }
            if let serial = m.uint(\.serialID) {
                switch m.kind {
                case .txAddInput:
                    session.inputs = Self.adding(serial, by: side, to: session.inputs)
                    addSpend(m, serial: serial, by: side, to: &session)
                    if let prevtx = m.bytes(\.prevtx), let vout = m.uint(\.prevtxVout), let sequence = m.uint(\.sequence) {
                        session.built?.addInput(
                            serial: serial, prevtx: prevtx, sharedTxid: m.typed.sharedInputTxidRecord?.bytes, vout: UInt32(truncatingIfNeeded: vout),
                            sequence: UInt32(truncatingIfNeeded: sequence))
                    } else {
                        session.built = nil
                    }
                case .txAddOutput:
                    session.outputs = Self.adding(serial, by: side, to: session.outputs)
                    if let sats = m.uint(\.sats), let script = m.bytes(\.script) {
                        session.built?.addOutput(serial: serial, sats: sats, script: script)
                    } else {
                        session.built = nil
                    }
                    if let problem = outputAmountProblem(m, receiver: side.other) {
                        session.mustFail[side.other] = .outputAmount(serial: serial, problem: problem)
                    }
                // A removal removes only what its sender added (`itx-remove-own`).
                case .txRemoveInput where session.inputs?[serial] == side:
                    session.inputs?[serial] = nil
                    session.built?.removeInput(serial: serial)
                    if let spent = session.spends.removeValue(forKey: serial), session.spenders[spent] == serial { session.spenders[spent] = nil }
                case .txRemoveOutput where session.outputs?[serial] == side:
                    session.outputs?[serial] = nil
                    session.built?.removeOutput(serial: serial)
                default: break
                }
            }
            if session.inputs == nil || session.outputs == nil { session.built = nil }
            itx = session
        case .txSignatures:
            if itxMaybePending, itx == nil {
                // The interactive transaction the reestablish did not describe: the signings
                // since then were its commitment's, not new ones.
                for s in Side.allCases {
                    if let index = maybeItxSigning[s], index == ledger.signings[s].count - 1 {
                        ledger.signings[s].removeLast()
                        signingsOnConnection[s] = max(0, signingsOnConnection[s] - 1)
                    }
                }
                var session = InteractiveTx(kind: .splice, initiator: side)
                session.whole = false
                session.constructed = true
                session.commitmentSignedSent = PerSide(true, true)
                itx = session
                settleMaybeItx()
            }
            let signedBefore = itx?.signaturesSent == PerSide(true, true)
            if itx?.signedTxid == nil { itx?.signedTxid = m.typed.txid }
            itx?.signaturesSent[side] = true
            itx?.mustFail[side] = nil
            if let session = itx, session.signaturesSent == PerSide(true, true), session.kind == .open || (session.kind == .rbf && !spliced) {
                v2FundingSigned = true
                if session.kind == .rbf {
                    // The amounts the RBF attempt put in are not modelled.
                    v2FundingReplaced = true
                    ledger.balanceBase = nil
                }
            }
            if let session = itx, !signedBefore, session.signaturesSent == PerSide(true, true),
                session.kind == .splice || (session.kind == .rbf && spliced)
            {
                pendingSplices += 1
                if let capacity = session.newCapacity, let first = session.contributions.first, let second = session.contributions.second {
                    pendingFundings?.append(PendingFunding(capacity: capacity, contributions: PerSide(first, second)))
                } else {
                    pendingFundings = nil
                }
                if let txid = session.signedTxid { pendingSpliceTxids.insert(txid) } else { spliceTxidsKnown = false }
                if !session.whole { spliceTxidsKnown = false }
            }
            if itx?.kind != .open {
                // The receiver of a splice's tx_signatures is no longer quiescent (BOLT #2
                // §"Splice tx_signatures"); the sender stays so until it receives the peer's.
                let wasQuiescent = stfuSent[peer]
                stfuSent[peer] = false
                stfuInitiator[peer] = nil
                if wasQuiescent, stfuSent == PerSide(false, false) { quiescenceEnded = .splice }
            }

        case .spliceLocked:
            spliceLockedSent[side] = true
            if spliceLockedSent == PerSide(true, true) {
                pendingSplices = 0
                pendingFundings = []
                lockedSpliceTxid = m.typed.spliceTxid
                pendingSpliceTxids = []
                spliceLockedSent = PerSide(false, false)
                // The funding these ids named is spent: `spl-locked-effects`.
                for id in announcementShortID.both.compactMap({ $0 }) where supersededShortIDs.count < Self.maximumAttempts {
                    supersededShortIDs.insert(id)
                }
                announcementShortID = PerSide(nil, nil)
            }
        case .announcementSignatures:
            if let id = m.typed.shortChannelID { announcementShortID[side] = id }
            announcementOnConnection[side] = true
        case .txAckRBF, .spliceAck:
            itx?.acknowledged = true
            if m.kind == .txAckRBF, itx?.kind == .rbf {
                itx?.contributions[side] = m.decoded ? m.typed.fundingOutputContributionRecord ?? 0 : nil
            }
            if m.kind == .spliceAck, itx?.kind == .splice {
                itx?.spliceKeys[side] = m.typed.fundingPubkey
                itx?.contributions[side] = m.typed.fundingContributionSatoshis
            }
        case .txAbort:
            itx?.mustFail[side] = nil
            itx?.aborted = true
            itx?.abortSent[side] = true
            // Implementations resume after an aborted splice.
            stfuSent = PerSide(false, false)
            stfuInitiator = PerSide(nil, nil)
        default:
            break
        }
        // A due channel_ready is settled by sending it, or missed by a message that needs it.
        if readyDue[side] == true && (m.kind == .channelReady || ReestablishRules.needReady.contains(m.kind)) {
            readyDue[side] = nil
        }
        sentOnConnection[side] += 1
    }

    /// Whether an interactive transaction awaited signatures at the reestablish is decided.
    mutating func settleMaybeItx() {
        itxMaybePending = false
        maybeItxSigning = PerSide(nil, nil)
    }

    /// `channel_reestablish` (BOLT #2 §"Message Retransmission"): the commitment numbers
    /// bootstrap a channel first seen here; with history, a signing or revocation the peer
    /// says it never received is taken back (it will be retransmitted).
    private mutating func applyReestablish(_ m: MessageView, from side: Side) {
        let peer = side.other
        let fields = ChannelReestablishFields(
            nextCommitmentNumber: m.uint(\.nextCommitmentNumber), nextRevocationNumber: m.uint(\.nextRevocationNumber),
            yourLastSecret: m.bytes(\.yourLastPerCommitmentSecret), myCurrentPoint: m.typed.myCurrentPerCommitmentPoint,
            hasNextFunding: m.decoded ? m.typed.nextFundingRecord != nil : nil,
            hasFundingLocked: m.decoded ? m.typed.myCurrentFundingLockedRecord != nil : nil,
            nextFundingTxid: m.typed.nextFundingRecord?.nextFundingTxid, nextFundingFlags: m.typed.nextFundingRecord?.retransmitFlags)
        reestablish[side] = fields
        // BOLT #2: the receiver of `next_funding` answers it (`re-next-funding-react`); a
        // differing `next_funding` of its own makes it fail the channel instead.
        nextFundingAnswer[peer] = nil
        if case .txAbort = nextFundingAnswer[side], fields.nextFundingTxid != nil { nextFundingAnswer[side] = nil }
        if let named = fields.nextFundingTxid, let session = itx, session.whole, let latest = session.txid {
            if named == latest {
                if !session.signaturesSent[side], (fields.nextFundingFlags ?? 0) & 1 == 1 { nextFundingAnswer[peer] = .commitmentSigned(named) }
            } else if reestablish[peer]?.nextFundingTxid == nil {
                nextFundingAnswer[peer] = .txAbort(named)
            }
        }
        reestablishSent[side] = true
        owedRetransmission[peer] = Retransmission()
        defer {
            // An interactive transaction awaiting signatures that began before the trace
            // (`next_funding`): its `commitment_signed` signs that transaction's commitment,
            // not a new one.
            if fields.hasNextFunding == true, itx == nil {
                var session = InteractiveTx(kind: (fields.nextCommitmentNumber ?? 0) <= 1 ? .open : .splice, initiator: side)
                session.whole = false
                session.constructed = true
                // Whether the sender's own signing arrived is the peer's `next_funding` to say;
                // unseen, it is taken to have arrived (nothing is judged missing).
                session.commitmentSignedSent[side] = reestablish[peer] == nil
                itx = session
            }
            // The `commitment_signed` bit: whether the peer's signing for that transaction
            // arrived before the reconnection (clear: it is not sent again).
            // No `next_funding` while the peer's `tx_signatures` for the transaction went out:
            // the sender received them, so the peer's signing arrived too.
            if fields.hasNextFunding == false, let session = itx, session.constructed, session.signaturesSent[peer] {
                itx?.commitmentSignedSent[peer] = true
            }
            // One node names the transaction without asking for the other's signing (so the
            // other had signed), the other names none (so it received the first's signing
            // and `tx_signatures`): both went out before the reconnection, whatever the trace
            // shows of them.
            var namer: (side: Side, fields: ChannelReestablishFields)?
            if fields.hasNextFunding == true, reestablish[peer]?.hasNextFunding == false {
                namer = (side, fields)
            } else if fields.hasNextFunding == false, let other = reestablish[peer], other.hasNextFunding == true {
                namer = (peer, other)
            }
            if let namer, let flags = namer.fields.nextFundingFlags, flags & 1 == 0, let session = itx, session.constructed,
                session.txid == namer.fields.nextFundingTxid || !session.whole
            {
                itx?.commitmentSignedSent[namer.side] = true
                itx?.signaturesSent[namer.side] = true
            }
            if let named = fields.nextFundingTxid, let session = itx, let flags = fields.nextFundingFlags {
                if !session.whole {
                    itx?.commitmentSignedSent[peer] = flags & 1 == 0
                } else if session.txid == named, flags & 1 == 0 {
                    itx?.commitmentSignedSent[peer] = session.commitmentSignedBefore[peer]
                }
            }
        }
        guard let nc = fields.nextCommitmentNumber, let nr = fields.nextRevocationNumber, nc > 0 else {
            // What the peer may retransmit is unknown.
            if origin != .unknown, fields.nextCommitmentNumber == nil || fields.nextRevocationNumber == nil {
                possibleRetransmission[peer] = [.revokeAndAck, .commitmentSigned]
            }
            return
        }
        if origin == .unknown {
            // First sight of the channel: nothing in it is known yet.
            self = ChannelModel(bootstrapping: self)
            itxMaybePending = fields.hasNextFunding == nil
            // What either side retransmits now answers what came before the trace.
            possibleRetransmission = PerSide(repeating: [.revokeAndAck, .commitmentSigned])
        }
        let noHistory = ledger.signings.allSatisfy(\.isEmpty) && ledger.revocations == PerSide(0, 0)
        if origin == .reestablished && noHistory {
            ledger.commitmentBase[side] = nc - 1
            ledger.revocationBase[peer] = nr
            numbersAnchored[side] = true
            // `my_current_per_commitment_point` is not trusted as commitment nc−1's point:
            // the receiver "MUST ignore" it, and some nodes send a fixed dummy.
        } else {
            // History: the peer's last signing or revocation may not have arrived, and must
            // come again in the order it was first sent (BOLT #2 §"Message Retransmission").
            var owed = Retransmission()
            if let last = ledger.signings[peer].last { owed.revocationFirst = last.revocations >= ledger.revocations[peer] }
            if ledger.localCommitment(side) == nc, !ledger.signings[peer].isEmpty {
                ledger.signings[peer].removeLast()
                ledger.undoUncommitted()
                owed.commitment = nc
            }
            if ledger.nextRevoked(peer) == nr &+ 1, ledger.revocations[peer] > 0 {
                ledger.revocations[peer] -= 1
                // Not after the peer's `closing_signed` (the negotiation starts again).
                if !closingSent[side] { owed.revocation = nr }
            }
            owedRetransmission[peer] = owed
        }
        if let other = reestablish[peer], let otherNC = other.nextCommitmentNumber {
            let flags = [fields.hasFundingLocked, fields.hasNextFunding, other.hasFundingLocked, other.hasNextFunding]
            if flags.allSatisfy({ $0 != nil }) {
                let fresh = nc == 1 && otherNC == 1 && flags.allSatisfy { $0 == false }
                readyDue = PerSide(fresh, fresh)
            }
            if origin == .reestablished && ledger.signings.allSatisfy(\.isEmpty) && ledger.revocations == PerSide(0, 0) {
                // A revocation owed from before the trace: the peer's signing it answers.
                for s in Side.allCases {
                    guard let mine = reestablish[s]?.nextCommitmentNumber, let theirs = reestablish[s.other]?.nextRevocationNumber
                    else { continue }
                    if theirs &+ 2 == mine {
                        ledger.signings[s.other].append(CommitmentLedger.Signing(updates: 0, revocations: 0))
                        ledger.commitmentBase[s] = mine - 2
                    }
                }
            }
        }
    }

    /// Forgets which labels name the channel's nodes.
    mutating func resetParties() { parties = [] }

    /// A model for a channel first seen at its `channel_reestablish`, keeping its identity.
    init(bootstrapping old: ChannelModel) {
        self.init()
        for party in old.parties { _ = side(of: party) }
        serial = old.serial
        channelID = old.channelID
        label = old.label
        connection = old.connection
        reestablish = old.reestablish
        reestablishSent = old.reestablishSent
        errorOnConnection = old.errorOnConnection
        origin = .reestablished
    }

    /// Whether a `commitment_signed` from `side` now signs an interactive transaction's
    /// commitment (v2 opening or splice): commitment 0 or the current number, not a new one.
    /// Records what a `tx_add_input` spends, and the failure its receiver must answer it with
    /// (BOLT #2 §"The tx_add_input Message"): a duplicate of an input still in the
    /// transaction, or a `prevtx` that is no transaction, has no such output, or whose output
    /// is not a witness program.
    private func addSpend(_ m: MessageView, serial: UInt64, by side: Side, to session: inout InteractiveTx) {
        guard let vout = m.uint(\.prevtxVout).map({ UInt32(truncatingIfNeeded: $0) }), let prevtx = m.bytes(\.prevtx) else { return }
        let outpoint: Outpoint
        if prevtx.isEmpty {
            guard let shared = m.typed.sharedInputTxidRecord else {
                session.mustFail[side.other] = .sharedInput(serial: serial, problem: "prevtx is empty but shared_input_txid is not set")
                return
            }
            if session.spends.values.contains(where: \.shared) {
                session.mustFail[side.other] = .sharedInput(serial: serial, problem: "a shared input was already added")
            } else if !spliced, !dualFunded, let txid = fundingTxid, let index = fundingOutputIndex, shared != txid || vout != UInt32(index) {
                session.mustFail[side.other] = .sharedInput(
                    serial: serial,
                    problem:
                        "\(short(Hex.encode(shared.bytes.reversed()))):\(vout) is not the channel's funding output \(short(Hex.encode(txid.bytes.reversed()))):\(index)"
                )
            }
            outpoint = Outpoint(txid: shared.bytes, vout: vout, shared: true)
        } else {
            outpoint = Outpoint(txid: Hash.sha256d(prevtx), vout: vout, shared: false)
            do throws(TransactionReader.Problem) {
                let outputs = try TransactionReader.outputs(of: prevtx)
                if Int(vout) >= outputs.count {
                    session.mustFail[side.other] = .previousTransaction(
                        serial: serial, problem: "prevtx_vout \(vout) is past the \(outputs.count) outputs of prevtx")
                } else if !TransactionReader.isWitnessProgram(outputs[Int(vout)].script) {
                    session.mustFail[side.other] = .previousTransaction(serial: serial, problem: "the output it spends is not a witness program")
                } else if session.inputValues.count < InteractiveTx.maximumSerials {
                    session.inputValues[serial] = outputs[Int(vout)].value
                }
            } catch {
                session.mustFail[side.other] = .previousTransaction(serial: serial, problem: "prevtx is not a transaction: \(error)")
            }
        }
        if let earlier = session.spenders[outpoint] {
            session.mustFail[side.other] = .duplicateInput(serial: serial, earlier: earlier)
        } else if session.spends.count < InteractiveTx.maximumSerials {
            session.spenders[outpoint] = serial
        }
        if session.spends.count < InteractiveTx.maximumSerials, session.spends[serial] == nil { session.spends[serial] = outpoint }
    }

    /// Why the output a `tx_add_output` adds must fail the negotiation, if it must: an amount
    /// below the receiver's `dust_limit_satoshis` or above `MAX_MONEY` (BOLT #2 §"The
    /// tx_add_output Message").
    private func outputAmountProblem(_ m: MessageView, receiver: Side) -> String? {
        guard let sats = m.uint(\.sats) else { return nil }
        if sats > 2_100_000_000_000_000 { return "\(sats) sat is more than MAX_MONEY" }
        if let dust = params[receiver].dustLimit, sats < dust { return "\(sats) sat is below the receiver's dust_limit_satoshis \(dust)" }
        return nil
    }

    /// A session's inputs or outputs after `side` added `serial` (the first adder keeps a
    /// repeated id: `itx-serial-unique`); `nil` past ``InteractiveTx/maximumSerials``.
    static func adding(_ serial: UInt64, by side: Side, to serials: [UInt64: Side]?) -> [UInt64: Side]? {
        guard var serials, serials.count < InteractiveTx.maximumSerials else { return nil }
        if serials[serial] == nil { serials[serial] = side }
        return serials
    }

    func isInitialSigning(_ side: Side) -> Bool {
        guard let session = itx else { return false }
        return session.constructed && !session.commitmentSignedSent[side] && !session.aborted
    }

    /// Whether a message from `side` may repeat one sent before a reconnection that the
    /// source did not describe (see ``possibleRetransmission``).
    func mayRepeat(_ kind: MessageKind, from side: Side) -> Bool { possibleRetransmission[side].contains(kind) }

    /// Whether a `commitment_signed` from `side` now is a later member of a batch (the
    /// first member stands for the whole batch).
    func isBatchContinuation(_ side: Side) -> Bool {
        guard let size = batchSize[side] else { return false }
        return batchRemaining[side] > 0 && batchRemaining[side] < size
    }
}

extension ChannelModel.Params {
    init(from m: MessageView) {
        self.init()
        dustLimit = m.uint(\.dustLimitSatoshis)
        reserve = m.uint(\.channelReserveSatoshis)
        htlcMinimum = m.uint(\.htlcMinimumMsat)
        maxAcceptedHTLCs = m.uint(\.maxAcceptedHTLCs)
        maxInFlight = m.uint(\.maxHTLCValueInFlightMsat)
        upfrontShutdownScript = m.typed.upfrontShutdownScriptRecord
        revocationBasepoint = m.typed.revocationBasepoint
        fundingPubkey = m.typed.fundingPubkey
        paymentBasepoint = m.typed.paymentBasepoint
        delayedPaymentBasepoint = m.typed.delayedPaymentBasepoint
        htlcBasepoint = m.typed.htlcBasepoint
        toSelfDelay = m.uint(\.toSelfDelay)
    }
}
