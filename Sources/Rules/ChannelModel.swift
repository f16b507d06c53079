import Ledger
import Provenance
import Trace
import Transactions
import Wire

/// One channel as the trace shows it: the parameters negotiated when it opened, both
/// sides' updates and commitment signings, the HTLCs in each commitment, per-commitment
/// points by number, and the close and quiescence state (Documentation/channel-model.md, "The ledger").
///
/// A value: copying it and replaying messages in another order is how hazard analysis asks
/// "what if these had been processed the other way round". One channel's model never
/// reads another's.
public struct ChannelModel: Sendable {
    /// A side of the channel, in the order the nodes first appear.
    public typealias Side = Transactions.Side

    public struct Params: Sendable {
        public var dustLimit: UInt64?
        public var reserve: UInt64?
        public var htlcMinimum: UInt64?
        public var maxAcceptedHTLCs: UInt64?
        public var maxInFlight: UInt64?
        public var upfrontShutdownScript: [UInt8]?
        public var revocationBasepoint: Point?
        public var fundingPubkey: Point?
        public var paymentBasepoint: Point?
        public var delayedPaymentBasepoint: Point?
        public var htlcBasepoint: Point?
        /// The delay this side asks for on the other side's outputs.
        public var toSelfDelay: UInt64?
    }

    /// The ledger's types, as the rules name them.
    public typealias HTLC = CommitmentLedger.HTLC
    public typealias Contents = CommitmentLedger.Contents

    /// Where the model's knowledge starts.
    public enum Origin: Sendable, Equatable {
        /// Opened in the trace: everything is known.
        case opened
        /// Reestablished in the trace: commitment numbers are known, HTLCs added before are not.
        case reestablished
        /// Neither: only per-message and per-direction-order facts are known.
        case unknown
    }

    // MARK: Identity

    /// The engine's number for the channel (stable while its keys change from temporary id
    /// to `channel_id`).
    public internal(set) var serial = 0
    /// The two nodes, as the trace labels them (index = `Side`).
    public internal(set) var parties: [String] = []
    public var temporaryID: ChannelID?
    public var channelID: ChannelID?
    /// The source's label when no `channel_id` is known (CLN's `chan#N`).
    public var label: String?
    public var origin: Origin = .unknown

    // MARK: Establishment

    /// The side that sent `open_channel` (the ledger's: it decides whose `update_fee` counts).
    public var opener: Side? { ledger.opener }
    public var openSeen = false
    public var acceptSeen = false
    public var fundingCreatedSeen = false
    public var fundingSignedSeen = false
    public var dualFunded = false
    @Indirect public var params = PerSide(Params(), Params())
    public var channelType: [UInt8]?
    /// Why each side must fail the opening, from the opening message it received
    /// (``OpeningRefusal``): the first reason.
    public var refusal = PerSide<String?>(nil, nil)
    public var fundingTxid: SHA256Hash?
    /// The `locktime` of `open_channel2`: the v2 funding transaction's.
    public var openLocktime: UInt32?
    /// The `funding_feerate_perkw` of `open_channel2`.
    public var openFeerate: UInt32?
    /// The outputs each earlier construction of the current funding (a v2 opening or a splice,
    /// and their RBFs) spent, when the trace holds it whole: an RBF must double-spend each.
    public var previousAttempts: [Set<Outpoint>] = []
    static let maximumAttempts = 32
    /// Whether a v2 opening's funding transaction (or an RBF of it) is signed both ways.
    public var v2FundingSigned = false
    /// Whether an RBF of a v2 opening was signed (its contributions may differ from the
    /// opening's, so the capacity is not known).
    public var v2FundingReplaced = false
    /// The `funding_satoshis` of `accept_channel2` (the accepter's contribution).
    public var acceptFundingSatoshis: UInt64?
    /// The feerate of the last interactive transaction whose construction completed (an RBF
    /// must pay at least 25/24 of it: `itx-rbf-feerate`).
    public var constructedFeerate: UInt32?
    /// The fees the last constructed transaction paid, in satoshis, when the trace gives
    /// every amount (`itx-rbf-fees`).
    public var constructedFee: Int64?
    public var fundingOutputIndex: UInt16?
    public var fundingSatoshis: UInt64?
    public var readySent = PerSide(false, false)
    /// Whether each side sent `channel_ready` on the current connection.
    public var readyOnConnection = PerSide(false, false)
    public var pushMsat: UInt64?

    // MARK: Normal operation (Documentation/channel-model.md)

    /// Both sides' updates, signings and revocations, and the HTLCs, feerate and balances of
    /// each commitment they make (the ledger shared with `lntrace synth`).
    @Indirect public internal(set) var ledger = CommitmentLedger()
    /// Whether an add or a removal came without its HTLC id (a log summary).
    public var htlcIDsUnknown = false
    /// Per-commitment points by absolute commitment number, per side.
    public var points = PerSide<[UInt64: Point]>([:], [:])
    /// The per-commitment secrets each side revealed, in BOLT #3's compact store: each new
    /// one must derive those before it (`raa-shachain`).
    public var revealedSecrets = PerSide(RevealedSecrets(), RevealedSecrets())

    // MARK: Close, quiescence, errors

    public var shutdownSent = PerSide(false, false)
    public var shutdownScript = PerSide<[UInt8]?>(nil, nil)
    public var closingSent = PerSide(false, false)
    /// A `closing_complete` awaiting its `closing_sig`, per sender.
    public var closingCompleteOutstanding = PerSide(false, false)
    /// Each side's latest `closing_complete`, which the peer's `closing_sig` answers (`cs-echo`,
    /// `cs-one-sig`).
    @Indirect public var closingProposal = PerSide<ClosingProposal?>(nil, nil)
    /// The `fee_satoshis` of each side's latest `closing_signed`.
    public var closingFee = PerSide<UInt64?>(nil, nil)
    /// The `fee_range` of each side's latest `closing_signed` on the connection.
    public var closingRange = PerSide<FeeRange?>(nil, nil)
    /// Whether a closing transaction is signed by both sides: a `closing_signed` repeating the
    /// peer's fee, or a `closing_sig` (BOLT #2 §"Channel Close"). The channel then takes no
    /// more updates (`close-terminal`).
    public var closingAgreed = false
    /// Whether a `closing_signed` of the current negotiation carried a `fee_range` (the
    /// negotiation then follows the ranges, not "strictly between").
    public var closingRanged: Bool { closingRange.contains { $0 != nil } }
    public var stfuSent = PerSide(false, false)
    public var stfuInitiator = PerSide<UInt8?>(nil, nil)
    /// How the channel's last quiescence ended, until the next update message (which the
    /// receiver must accept: `spl-quiescence-end`, `stfu-disconnect-ends`).
    public var quiescenceEnded: QuiescenceEnd?
    /// When both nodes had sent `stfu` (the trace's time of the second), while they still have.
    public var quiescentAt: Timestamp?
    /// The time of the channel's previous message, if the trace gives times.
    public var lastMessageAt: Timestamp?
    public enum QuiescenceEnd: Sendable { case splice, disconnection }
    public var errorSent = PerSide(false, false)
    /// Whether the channel is announced (`open_channel`'s `announce_channel` bit).
    public var announce: Bool?
    /// `short_channel_id` aliases each side sent in `channel_ready`.
    public var aliases = PerSide<[UInt64]>([], [])
    public var itx: InteractiveTx?
    /// First seen at a `channel_reestablish` whose source does not say whether an interactive
    /// transaction awaits signatures (a log gives no `next_funding`): each side's first
    /// `commitment_signed` after it may sign that transaction's commitment rather than a new
    /// one. Settled by the first update or revocation (it was not) or `tx_signatures` (it was).
    var itxMaybePending = false
    /// The signing (its index) each side made while ``itxMaybePending``.
    var maybeItxSigning = PerSide<Int?>(nil, nil)
    /// Whether a splice built a new funding transaction (its outpoint is not modelled).
    public var spliced = false
    /// Splice transactions both sides signed (`tx_signatures` both ways, a splice or its RBF)
    /// and not yet locked by `splice_locked` from both (BOLT #2 §"Batching channel messages":
    /// while there are N, each signing is a batch of N + 1 `commitment_signed`).
    public var pendingSplices = 0
    /// The funding of each pending splice, as its commitments see it: the new capacity and
    /// what each side put in (or took out), in satoshis (BOLT #2 §"Splice tx_complete": each
    /// side's balance is its previous one plus its `funding_contribution_satoshis`). `nil`
    /// once a pending splice's amounts are not known (an RBF, or a channel spliced before).
    public var pendingFundings: [PendingFunding]? = []

    public struct PendingFunding: Sendable, Equatable {
        public var capacity: UInt64
        public var contributions: PerSide<Int64>
    }
    /// The txids (as `tx_signatures` named them) of the splice transactions both sides signed
    /// and not yet locked, and of the last one locked (`spl-locked-txid`); known only for a
    /// channel opened in the trace whose every splice named its txid.
    public var pendingSpliceTxids: Set<SHA256Hash> = []
    public var lockedSpliceTxid: SHA256Hash?
    public var spliceTxidsKnown = false
    public var spliceLockedSent = PerSide(false, false)
    /// The `short_channel_id` each side's `announcement_signatures` named (cleared when a
    /// splice locks: the spliced channel is announced anew).
    public var announcementShortID = PerSide<ShortChannelID?>(nil, nil)
    /// Whether each side sent `announcement_signatures` on the current connection.
    public var announcementOnConnection = PerSide(false, false)
    /// The short channel ids `announcement_signatures` named for a funding that a locked
    /// splice has since replaced.
    public var supersededShortIDs: Set<ShortChannelID> = []
    /// Whether each side's commitment and revocation numbers are anchored in the trace: from
    /// the opening, or from the side's own first `channel_reestablish` of a channel first seen
    /// at a reconnection (`re-nc-mismatch`, `re-nr-mismatch` compare later ones with them).
    public var numbersAnchored = PerSide(false, false)
    /// `commitment_signed` messages still to come in the side's current batch (`start_batch`).
    public var batchRemaining = PerSide(0, 0)
    public var batchSize = PerSide<Int?>(nil, nil)
    /// Whether each side's latest signing was a batch of `commitment_signed` (one
    /// `revoke_and_ack` answers it: `raa-single-per-batch`).
    public var lastSigningBatched = PerSide(false, false)

    // MARK: Per connection

    /// The connection the channel was last used on (an engine token).
    public var connection: Int?
    /// Whether the channel was opened on the current connection (no reestablish needed).
    public var openedOnConnection = false
    public var reestablishSent = PerSide(false, false)
    /// Whether the channel was opened or reestablished on the current connection (BOLT #2
    /// §"Message Retransmission": its other messages need one of the two first).
    public var knownOnConnection: Bool { openedOnConnection || reestablishSent.contains(true) }
    /// Whether each side sent an `error` for the channel on the current connection (BOLT #1:
    /// the sender has failed the channel).
    public var errorOnConnection = PerSide(false, false)
    @Indirect public var reestablish = PerSide<ChannelReestablishFields?>(nil, nil)
    /// Channel messages sent on the current connection, per side.
    public var sentOnConnection = PerSide(0, 0)
    /// Signings since the last reconnection, per side (the first may be a retransmission).
    public var signingsOnConnection = PerSide(0, 0)
    public var shutdownOnConnection = PerSide(false, false)
    /// Messages of each side that may be retransmissions the trace cannot recognise: after a
    /// reconnection whose `channel_reestablish` numbers the source does not give (a log
    /// summary), the side's first `revoke_and_ack` and `commitment_signed` may repeat ones
    /// sent before the disconnection.
    public var possibleRetransmission = PerSide<Set<MessageKind>>([], [])
    /// What each side must send again, as the peer's `channel_reestablish` and the history
    /// in the trace show (`re-raa-retransmit`, `re-commit-retransmit`, `re-retransmit-order`).
    public var owedRetransmission = PerSide(Retransmission(), Retransmission())
    public var nextFundingAnswer = PerSide<NextFundingAnswer?>(nil, nil)
    /// The messages that answer a peer's `next_funding`, or go on with the channel instead.
    static let afterNextFunding: Set<MessageKind> = updateMessages.union([
        .commitmentSigned, .revokeAndAck, .txSignatures, .txAbort, .shutdown, .closingSigned, .closingComplete, .closingSig, .stfu,
        .spliceInit, .spliceAck, .txInitRBF, .txAckRBF, .txAddInput, .txAddOutput, .txComplete,
    ])

    /// A side's `revoke_and_ack` and `commitment_signed` that did not arrive before a
    /// disconnection (BOLT #2 §"Message Retransmission"), until the side sends them again.
    public struct Retransmission: Sendable, Equatable {
        /// The commitment number its lost `revoke_and_ack` revoked.
        public var revocation: UInt64?
        /// The commitment number its lost `commitment_signed` signed.
        public var commitment: UInt64?
        /// Whether the `revoke_and_ack` was sent before the `commitment_signed`.
        public var revocationFirst = true
    }
    /// After both `channel_reestablish`: whether the side must retransmit `channel_ready`
    /// (`true`) or must not (`false`); `nil` once it has sent another channel message.
    public var readyDue = PerSide<Bool?>(nil, nil)

    public struct ChannelReestablishFields: Sendable {
        public var nextCommitmentNumber: UInt64?
        public var nextRevocationNumber: UInt64?
        public var yourLastSecret: [UInt8]?
        public var myCurrentPoint: Point?
        /// Whether the TLVs are present; `nil` when the source does not give TLVs.
        public var hasNextFunding: Bool?
        public var hasFundingLocked: Bool?
        /// `next_funding_txid` of the `next_funding` TLV, when the source gives it.
        public var nextFundingTxid: SHA256Hash? = nil
        /// Its `retransmit_flags`.
        public var nextFundingFlags: UInt8? = nil
    }

    /// What a side must answer a peer's `next_funding` with before the channel moves on
    /// (BOLT #2 §"Message Retransmission": the receiving node), `re-next-funding-react`.
    public enum NextFundingAnswer: Sendable, Equatable {
        /// Its `commitment_signed` for the interactive transaction named (the
        /// `commitment_signed` bit was set), or `tx_abort`.
        case commitmentSigned(SHA256Hash)
        /// `tx_abort`: the txid named is not the latest interactive transaction.
        case txAbort(SHA256Hash)
    }

    /// An interactive transaction construction session (BOLT #2 §"Interactive Transaction
    /// Construction"): v2 opening, RBF or splice.
    public struct InteractiveTx: Sendable {
        public enum Kind: String, Sendable { case open = "v2 opening", rbf = "RBF", splice }
        public var kind: Kind
        /// The side that started the session (`open_channel2`, `tx_init_rbf` or `splice_init` sender).
        public var initiator: Side
        /// The side that made the last move (`tx_add_*`, `tx_remove_*`, `tx_complete`).
        public var lastMover: Side?
        public var lastMoveWasComplete = false
        public var moves = 0
        /// Both sides sent consecutive `tx_complete`: construction is over.
        public var constructed = false
        public var commitmentSignedSent = PerSide(false, false)
        /// Which sides had sent `commitment_signed` for it before a reconnection: what
        /// `next_funding` says (`re-next-funding-set`).
        public var commitmentSignedBefore = PerSide(false, false)
        public var signaturesSent = PerSide(false, false)
        public var aborted = false
        /// Which sides sent `tx_abort` for this session (`itx-abort-echo`).
        public var abortSent = PerSide(false, false)
        /// Whether the recipient accepted the session's start (`tx_ack_rbf` to `tx_init_rbf`,
        /// `splice_ack` to `splice_init`; a v2 opening starts accepted by `accept_channel2`).
        public var acknowledged = false
        /// The inputs and outputs in the transaction, by `serial_id`, with the side that
        /// added each; `nil` once a session holds more than ``maximumSerials`` (a hostile
        /// trace must not grow the model), when uniqueness and removals are no longer judged.
        public var inputs: [UInt64: Side]? = [:]
        public var outputs: [UInt64: Side]? = [:]
        public static let maximumSerials = 10_000
        /// What each input spends, by `serial_id`, and the inputs by what they spend (kept,
        /// like ``inputs``, up to ``maximumSerials``): `itx-no-echo`, `itx-dup-input`.
        public var spends: [UInt64: Outpoint] = [:]
        public var spenders: [Outpoint: UInt64] = [:]
        /// A move of the side's peer that the side must answer by failing the negotiation
        /// (BOLT #2: "MUST fail the negotiation if …"), until the side's next message in it.
        public var mustFail = PerSide<Failure?>(nil, nil)
        /// Whether the session's start is in the trace, and so every input and output added
        /// to it (a session rebuilt after a reconnection or seen from its end is not).
        public var whole = true
        /// What each input adds, in satoshi, read from its `prevtx` (an input whose amount is
        /// not known, such as a splice's shared input, has none): `itx-sigs-order`.
        public var inputValues: [UInt64: UInt64] = [:]
        /// A splice's previous channel capacity, which counts as its initiator's contribution.
        public var capacityBefore: UInt64?
        /// The `funding_pubkey`s of the output a splice spends, when the model knows them (the
        /// opening's, for a channel not spliced before): `spl-shared-sig`.
        public var previousFundingKeys: PerSide<Point>?
        /// A splice's new `funding_pubkey`s and `funding_contribution_satoshis`, per side (from
        /// `splice_init` and `splice_ack`): its funding output's script and amount.
        public var spliceKeys = PerSide<Point?>(nil, nil)
        public var contributions = PerSide<Int64?>(nil, nil)

        /// A splice's new capacity: the previous one plus both contributions, in satoshis;
        /// `nil` when one is not known, or the sum overflows or is not positive.
        public var newCapacity: UInt64? {
            guard let before = capacityBefore, let first = contributions.first, let second = contributions.second,
                case let total = Int64(clamping: before).addingReportingOverflow(first), !total.overflow,
                case let capacity = total.partialValue.addingReportingOverflow(second), !capacity.overflow, capacity.partialValue > 0
            else { return nil }
            return UInt64(capacity.partialValue)
        }
        /// The transaction as built so far, when its `locktime` is known and the model keeps
        /// every input and output (`itx-sigs-txid`).
        public var built: InteractiveTransaction?
        /// The txid the session's first `tx_signatures` named.
        public var signedTxid: SHA256Hash?

        /// The transaction's id: the one the model built, or the first `tx_signatures` named.
        public var txid: SHA256Hash? { built.map { SHA256Hash(unchecked: $0.txid) } ?? signedTxid }
        /// How many `tx_add_input` and `tx_add_output` each side sent in the session.
        public var addCounts = PerSide(repeating: (inputs: 0, outputs: 0))
        /// The feerate the session's start set (`funding_feerate_perkw` of `open_channel2` or
        /// `splice_init`, `feerate` of `tx_init_rbf`).
        public var feerate: UInt32?

        /// The inputs `side` added, as far as the model keeps them, and how many of those
        /// spend the shared (previous funding) output.
        public func inputCount(of side: Side) -> (all: Int, shared: Int)? {
            guard let inputs else { return nil }
            let own = inputs.filter { $0.value == side }.map(\.key)
            return (own.count, own.filter { spends[$0]?.shared == true }.count)
        }

        /// Whether a `tx_complete` from `side` ends the construction: the peer's last move was
        /// a `tx_complete` too (consecutive `tx_complete`s).
        public func completes(with side: Side) -> Bool { lastMover == side.other && lastMoveWasComplete }

        /// Whether the session's start still waits for the recipient's answer (`splice_ack`,
        /// `tx_ack_rbf` or `tx_abort`): nothing answered it and no move was made (a session
        /// rebuilt after a reconnection is past that).
        public var awaitingAnswer: Bool { !aborted && !acknowledged && moves == 0 && !constructed }
    }

    /// The output an interactive transaction's input spends: the txid of its `prevtx` (or the
    /// shared input's `shared_input_txid`) and `prevtx_vout`.
    public struct Outpoint: Hashable, Sendable {
        public var txid: [UInt8]
        public var vout: UInt32
        /// Named by `shared_input_txid` (the previous funding output, `prevtx_len` 0).
        public var shared: Bool
    }

    /// Why the receiver of an interactive transaction's move must fail the negotiation.
    public enum Failure: Sendable, Equatable {
        /// An input spends what another input still in the transaction spends.
        case duplicateInput(serial: UInt64, earlier: UInt64)
        /// `prevtx` is no transaction, `prevtx_vout` is past its outputs, or the output is
        /// not a witness program.
        case previousTransaction(serial: UInt64, problem: String)
        /// An output's amount is below the receiver's dust limit or above `MAX_MONEY`.
        case outputAmount(serial: UInt64, problem: String)
        /// The peer's 4096th `tx_add_input` or `tx_add_output` of the session.
        case tooManyMessages(MessageKind)
        /// A shared input (`prevtx_len` 0) without `shared_input_txid`, not spending the
        /// channel's funding output, or a second one.
        case sharedInput(serial: UInt64, problem: String)
        /// The completed transaction takes more out for the peer (its share of the funding
        /// output included) than the peer's inputs put in, in satoshis.
        case unbalanced(inputs: UInt64, outputs: UInt64)
        /// The peer's fee is below the agreed feerate over the least its contributions weigh.
        case underpaid(fee: UInt64, minimum: UInt64, weight: UInt64, feerate: UInt32)
        /// The peer added an output of its own to a splice and is left with a balance below
        /// the reserve the new capacity asks, in satoshis.
        case belowReserve(balance: Int64, reserve: UInt64)
    }

    /// What a `closing_complete` proposed: the fields its `closing_sig` must repeat, and which
    /// of the three signature records it carried (TLV types 1, 2, 3).
    public struct ClosingProposal: Sendable, Equatable {
        public var closerScript: [UInt8]?
        public var closeeScript: [UInt8]?
        public var fee: UInt64?
        public var locktime: UInt64?
        public var signatures: Set<Int>

        init(_ m: MessageView) {
            closerScript = m.bytes(\.closerScriptpubkey)
            closeeScript = m.bytes(\.closeeScriptpubkey)
            fee = m.uint(\.feeSatoshis)
            locktime = m.uint(\.locktime)
            signatures = Self.signatureRecords(m.typed)
        }

        /// The signature records a `closing_complete` or `closing_sig` carries.
        static func signatureRecords(_ typed: TypedMessage) -> Set<Int> {
            Set(ClosingTransactionRules.signatures(typed).map(\.variant.rawValue))
        }
    }

    public init() {}

    /// The side of a node, registering it while the channel has fewer than two; `nil` for
    /// a third label (a node the trace names differently on another connection).
    public mutating func side(of party: String) -> Side? {
        if let index = parties.firstIndex(of: party) { return Side(index: index) }
        guard parties.count < 2 else { return nil }
        parties.append(party)
        return Side(index: parties.count - 1)
    }

    public func knownSide(of party: String) -> Side? { parties.firstIndex(of: party).flatMap(Side.init(index:)) }

    /// The key a report uses for the channel.
    public var key: String { channelID?.hex ?? temporaryID?.hex ?? label ?? "?" }

    /// Whether anchors are in use (BOLT 3: zero-fee HTLC transactions).
    public var anchors: Bool {
        guard let type = channelType else { return false }
        // Bit 22 (option_anchors) in the big-endian bitmap.
        let byte = type.count - 1 - 22 / 8
        return byte >= 0 && type[byte] & (1 << (22 % 8)) != 0
    }

    /// Whether an HTLC is trimmed from `owner`'s commitment (BOLT #3 §"Trimmed Outputs").
    public func isTrimmed(_ htlc: HTLC, in owner: Side, feerate: UInt32) -> Bool? {
        guard let dust = params[owner].dustLimit, let amount = htlc.amountMsat else { return nil }
        return Trimming.isTrimmed(amountMsat: amount, dustLimit: dust, feeratePerKw: feerate, offered: htlc.offerer == owner, anchors: anchors)
    }

    /// How many of `htlcs` get an output in `owner`'s commitment at `feerate`; `nil` when an
    /// amount or the dust limit is not known.
    public func untrimmedCount(_ htlcs: [HTLC], in owner: Side, feerate: UInt32) -> Int? {
        var count = 0
        for htlc in htlcs {
            guard let trimmed = isTrimmed(htlc, in: owner, feerate: feerate) else { return nil }
            if !trimmed { count += 1 }
        }
        return count
    }

    // MARK: Applying messages

    mutating func recordSigning(from side: Side) {
        ledger.recordSigning(from: side)
        signingsOnConnection[side] += 1
    }

    mutating func recordRevocation(from side: Side, nextPoint: Point?, secret: [UInt8]?) {
        let revoked = ledger.nextRevoked(side)
        ledger.recordRevocation(from: side)
        if let secret, origin != .unknown {
            revealedSecrets[side].reveal(secret, commitment: revoked, point: points[side][revoked])
        }
        if let nextPoint { points[side][revoked &+ 2] = nextPoint }
        // Only the last revoked point (for the next channel_reestablish) and later ones are needed.
        if revoked > 0 { points[side].removeValue(forKey: revoked - 1) }
    }

    // MARK: Bounded memory

    /// Folds the ledger's history when the channel is quiet (``CommitmentLedger/compact()``),
    /// so that memory follows the HTLCs in flight, not the channel's age.
    public mutating func compact() { ledger.compact() }

    /// Folds the ledger once its history is long (``CommitmentLedger/compactIfLong()``).
    public mutating func compactIfLong() { ledger.compactIfLong() }

    /// A new connection: per-connection state starts again, quiescence ends, and updates
    /// the peer never signed for are undone (BOLT #2 §"Message Retransmission": "MUST
    /// reverse any uncommitted updates sent by the other side").
    mutating func reconnected(connection: Int) {
        self.connection = connection
        openedOnConnection = false
        readyOnConnection = PerSide(false, false)
        reestablishSent = PerSide(false, false)
        errorOnConnection = PerSide(false, false)
        reestablish = PerSide(nil, nil)
        sentOnConnection = PerSide(0, 0)
        signingsOnConnection = PerSide(0, 0)
        shutdownOnConnection = PerSide(false, false)
        announcementOnConnection = PerSide(false, false)
        readyDue = PerSide(nil, nil)
        possibleRetransmission = PerSide(repeating: [])
        if stfuSent == PerSide(true, true) { quiescenceEnded = .disconnection }
        stfuSent = PerSide(false, false)
        stfuInitiator = PerSide(nil, nil)
        closingCompleteOutstanding = PerSide(false, false)
        // A legacy negotiation starts again after a reconnection; an agreed close stays.
        closingFee = PerSide(nil, nil)
        closingRange = PerSide(nil, nil)
        if itx?.signaturesSent == PerSide(true, true) || itx?.aborted == true {
            itx = nil
        } else if itx?.constructed == true {
            // An unsigned interactive transaction: its commitment_signed is retransmitted
            // (BOLT #2 §"Message Retransmission", `next_funding`).
            if let sent = itx?.commitmentSignedSent, sent != PerSide(false, false) { itx?.commitmentSignedBefore = sent }
            itx?.commitmentSignedSent = PerSide(false, false)
        }
        ledger.undoUncommitted()
    }
}
