import Basics

/// A commitment transaction and its second-stage HTLC transactions, built as BOLT #3
/// §"Commitment Transaction Construction" describes, from one side's point of view (the
/// commitment's owner is "local").
public struct CommitmentTransaction: Sendable {
    public struct HTLC: Sendable, Hashable {
        /// Whether the owner offered it (an HTLC-timeout output) or received it (HTLC-success).
        public var offered: Bool
        public var amountMsat: UInt64
        public var paymentHash: [UInt8]
        public var cltvExpiry: UInt32

        public init(offered: Bool, amountMsat: UInt64, paymentHash: [UInt8], cltvExpiry: UInt32) {
            self.offered = offered
            self.amountMsat = amountMsat
            self.paymentHash = paymentHash
            self.cltvExpiry = cltvExpiry
        }
    }

    /// The per-commitment keys (BOLT #3 §"Key Derivation") and both funding keys. The two
    /// HTLC keys may be empty (not derived) when the commitment has no HTLC output.
    public struct Keys: Sendable {
        public var revocation: [UInt8]
        public var localDelayed: [UInt8]
        public var localHTLC: [UInt8]
        public var remoteHTLC: [UInt8]
        /// The `to_remote` output's key (`remotepubkey`).
        public var remotePayment: [UInt8]
        public var localFunding: [UInt8]
        public var remoteFunding: [UInt8]

        public init(
            revocation: [UInt8], localDelayed: [UInt8], localHTLC: [UInt8], remoteHTLC: [UInt8], remotePayment: [UInt8],
            localFunding: [UInt8], remoteFunding: [UInt8]
        ) {
            self.revocation = revocation
            self.localDelayed = localDelayed
            self.localHTLC = localHTLC
            self.remoteHTLC = remoteHTLC
            self.remotePayment = remotePayment
            self.localFunding = localFunding
            self.remoteFunding = remoteFunding
        }
    }

    public struct Parameters: Sendable {
        /// The funding txid in internal byte order (as in `funding_created`).
        public var fundingTxid: [UInt8]
        public var fundingOutputIndex: UInt32
        public var fundingSatoshis: UInt64
        /// The commitment number XOR the obscuring factor (``obscuringFactor(openerPaymentBasepoint:accepterPaymentBasepoint:)``).
        public var obscuredCommitmentNumber: UInt64
        /// The `to_self_delay` the other side asked for: the delay on the owner's outputs.
        public var toSelfDelay: UInt16
        /// The owner's `dust_limit_satoshis`.
        public var dustLimit: UInt64
        public var feeratePerKw: UInt32
        /// Each side's balance, after the HTLCs in flight and before the fee.
        public var toLocalMsat: UInt64
        public var toRemoteMsat: UInt64
        /// Whether the owner opened the channel (and so pays the fee and the anchors).
        public var ownerIsOpener: Bool
        public var anchors: Bool

        public init(
            fundingTxid: [UInt8], fundingOutputIndex: UInt32, fundingSatoshis: UInt64, obscuredCommitmentNumber: UInt64,
            toSelfDelay: UInt16, dustLimit: UInt64, feeratePerKw: UInt32, toLocalMsat: UInt64, toRemoteMsat: UInt64,
            ownerIsOpener: Bool, anchors: Bool
        ) {
            self.fundingTxid = fundingTxid
            self.fundingOutputIndex = fundingOutputIndex
            self.fundingSatoshis = fundingSatoshis
            self.obscuredCommitmentNumber = obscuredCommitmentNumber
            self.toSelfDelay = toSelfDelay
            self.dustLimit = dustLimit
            self.feeratePerKw = feeratePerKw
            self.toLocalMsat = toLocalMsat
            self.toRemoteMsat = toRemoteMsat
            self.ownerIsOpener = ownerIsOpener
            self.anchors = anchors
        }
    }

    /// An untrimmed HTLC and its place in the commitment.
    public struct HTLCOutput: Sendable {
        public var htlc: HTLC
        /// The caller's index of the HTLC in the list it gave.
        public var tag: Int
        public var outputIndex: Int
        public var witnessScript: [UInt8]
    }

    public let parameters: Parameters
    public let keys: Keys
    public let transaction: Transaction
    public let fundingScript: [UInt8]
    /// Untrimmed HTLCs in output order: the order of `htlc_signature` in `commitment_signed`.
    public let htlcOutputs: [HTLCOutput]
    /// The base fee the opener paid (BOLT #3 §"Fee Calculation").
    public let baseFee: UInt64

    /// The lower 48 bits of SHA256(opener's payment_basepoint || accepter's payment_basepoint).
    public static func obscuringFactor(openerPaymentBasepoint: [UInt8], accepterPaymentBasepoint: [UInt8]) -> UInt64 {
        sha256(openerPaymentBasepoint + accepterPaymentBasepoint).suffix(6).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public init(parameters p: Parameters, keys: Keys, htlcs: [HTLC]) {
        parameters = p
        self.keys = keys
        fundingScript = Script.funding(keys.localFunding, keys.remoteFunding)
        let untrimmed = htlcs.enumerated().filter { _, htlc in
            !Trimming.isTrimmed(
                amountMsat: htlc.amountMsat, dustLimit: p.dustLimit, feeratePerKw: p.feeratePerKw,
                offered: htlc.offered, anchors: p.anchors)
        }
        baseFee = Trimming.commitmentFee(untrimmedHTLCs: untrimmed.count, feeratePerKw: p.feeratePerKw, anchors: p.anchors)
        // The opener also pays both anchor outputs (BOLT #3 §"Fee Payment").
        let charge = (baseFee + (p.anchors ? 2 * Trimming.anchorSatoshis : 0)) * 1000
        func afterCharge(_ msat: UInt64, _ pays: Bool) -> UInt64 { pays ? (msat > charge ? msat - charge : 0) : msat }
        let toLocal = afterCharge(p.toLocalMsat, p.ownerIsOpener) / 1000
        let toRemote = afterCharge(p.toRemoteMsat, !p.ownerIsOpener) / 1000

        // (output, tag of the HTLC or -1, cltv for ordering, witness script)
        var outputs: [(Transaction.Output, Int, UInt32, [UInt8])] = []
        for (tag, htlc) in untrimmed {
            let script =
                htlc.offered
                ? Script.offeredHTLC(
                    revocation: keys.revocation, localHTLC: keys.localHTLC, remoteHTLC: keys.remoteHTLC,
                    paymentHash: htlc.paymentHash, anchors: p.anchors)
                : Script.receivedHTLC(
                    revocation: keys.revocation, localHTLC: keys.localHTLC, remoteHTLC: keys.remoteHTLC,
                    paymentHash: htlc.paymentHash, cltvExpiry: htlc.cltvExpiry, anchors: p.anchors)
            outputs.append((Transaction.Output(value: htlc.amountMsat / 1000, script: Script.p2wsh(script)), tag, htlc.cltvExpiry, script))
        }
        let hasLocal = toLocal >= p.dustLimit, hasRemote = toRemote >= p.dustLimit
        if hasLocal {
            let script = Script.toLocal(revocation: keys.revocation, delay: UInt64(p.toSelfDelay), delayed: keys.localDelayed)
            outputs.append((Transaction.Output(value: toLocal, script: Script.p2wsh(script)), -1, 0, script))
        }
        if hasRemote {
            let script = p.anchors ? Script.p2wsh(Script.toRemoteAnchors(keys.remotePayment)) : Script.p2wpkh(keys.remotePayment)
            outputs.append((Transaction.Output(value: toRemote, script: script), -1, 0, []))
        }
        if p.anchors {
            if hasLocal || !untrimmed.isEmpty {
                outputs.append(
                    (Transaction.Output(value: Trimming.anchorSatoshis, script: Script.p2wsh(Script.anchor(keys.localFunding))), -1, 0, []))
            }
            if hasRemote || !untrimmed.isEmpty {
                outputs.append(
                    (Transaction.Output(value: Trimming.anchorSatoshis, script: Script.p2wsh(Script.anchor(keys.remoteFunding))), -1, 0, []))
            }
        }
        // BOLT #3 §"Transaction Output Ordering": value, then script, then cltv_expiry.
        outputs.sort { a, b in
            if a.0.value != b.0.value { return a.0.value < b.0.value }
            if a.0.script != b.0.script { return a.0.script.lexicographicallyPrecedes(b.0.script) }
            return a.2 < b.2
        }
        let obscured = p.obscuredCommitmentNumber & 0xffff_ffff_ffff
        transaction = Transaction(
            inputs: [Transaction.Input(txid: p.fundingTxid, vout: p.fundingOutputIndex, sequence: 0x8000_0000 | UInt32(obscured >> 24))],
            outputs: outputs.map(\.0), locktime: 0x2000_0000 | UInt32(obscured & 0xff_ffff))
        htlcOutputs = outputs.enumerated().compactMap { index, entry in
            entry.1 < 0 ? nil : HTLCOutput(htlc: htlcs[entry.1], tag: entry.1, outputIndex: index, witnessScript: entry.3)
        }
    }

    /// What a funding-key signature of this commitment signs.
    public var sighash: [UInt8] {
        transaction.sighash(input: 0, witnessScript: fundingScript, amount: parameters.fundingSatoshis)
    }

    /// The HTLC-timeout (offered) or HTLC-success (received) transaction spending an HTLC
    /// output (BOLT #3 §"HTLC-Timeout and HTLC-Success Transactions").
    public func htlcTransaction(_ output: HTLCOutput) -> Transaction {
        let p = parameters
        let fee = Trimming.htlcFee(offered: output.htlc.offered, feeratePerKw: p.feeratePerKw, anchors: p.anchors)
        let amount = output.htlc.amountMsat / 1000
        let script = Script.toLocal(revocation: keys.revocation, delay: UInt64(p.toSelfDelay), delayed: keys.localDelayed)
        return Transaction(
            inputs: [Transaction.Input(txid: transaction.txid, vout: UInt32(output.outputIndex), sequence: p.anchors ? 1 : 0)],
            outputs: [Transaction.Output(value: amount > fee ? amount - fee : 0, script: Script.p2wsh(script))],
            locktime: output.htlc.offered ? output.htlc.cltvExpiry : 0)
    }

    /// What the remote side's `htlc_signature` for an HTLC output signs.
    public func htlcSighash(_ output: HTLCOutput) -> [UInt8] {
        htlcTransaction(output).sighash(
            input: 0, witnessScript: output.witnessScript, amount: output.htlc.amountMsat / 1000,
            type: parameters.anchors ? .singleAnyoneCanPay : .all)
    }
}
