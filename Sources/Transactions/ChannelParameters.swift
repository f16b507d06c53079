/// What both sides fixed when the channel opened, enough to build any of its commitment
/// transactions (BOLT #3 §"Commitment Transaction Construction").
public struct ChannelParameters: Sendable {
    /// One side's keys and limits, as it sent them in `open_channel` or `accept_channel`.
    public struct Party: Sendable {
        public var fundingPubkey: [UInt8]
        public var revocationBasepoint: [UInt8]
        public var paymentBasepoint: [UInt8]
        public var delayedPaymentBasepoint: [UInt8]
        public var htlcBasepoint: [UInt8]
        /// The delay this side asks for on the *other* side's outputs.
        public var toSelfDelay: UInt16
        public var dustLimit: UInt64

        public init(
            fundingPubkey: [UInt8], revocationBasepoint: [UInt8], paymentBasepoint: [UInt8], delayedPaymentBasepoint: [UInt8],
            htlcBasepoint: [UInt8], toSelfDelay: UInt16, dustLimit: UInt64
        ) {
            self.fundingPubkey = fundingPubkey
            self.revocationBasepoint = revocationBasepoint
            self.paymentBasepoint = paymentBasepoint
            self.delayedPaymentBasepoint = delayedPaymentBasepoint
            self.htlcBasepoint = htlcBasepoint
            self.toSelfDelay = toSelfDelay
            self.dustLimit = dustLimit
        }
    }

    /// An HTLC in a commitment, by who offered it.
    public struct HTLC: Sendable {
        public var offerer: Side
        public var amountMsat: UInt64
        public var paymentHash: [UInt8]
        public var cltvExpiry: UInt32

        public init(offerer: Side, amountMsat: UInt64, paymentHash: [UInt8], cltvExpiry: UInt32) {
            self.offerer = offerer
            self.amountMsat = amountMsat
            self.paymentHash = paymentHash
            self.cltvExpiry = cltvExpiry
        }
    }

    public var sides: PerSide<Party>
    /// The side that sent `open_channel` (pays the fee).
    public var opener: Side
    public var fundingTxid: [UInt8]
    public var fundingOutputIndex: UInt32
    public var fundingSatoshis: UInt64
    /// `option_static_remotekey` (or anchors): `to_remote` pays the basepoint itself.
    public var staticRemoteKey: Bool
    public var anchors: Bool

    public init(
        sides: PerSide<Party>, opener: Side, fundingTxid: [UInt8], fundingOutputIndex: UInt32, fundingSatoshis: UInt64,
        staticRemoteKey: Bool, anchors: Bool
    ) {
        self.sides = sides
        self.opener = opener
        self.fundingTxid = fundingTxid
        self.fundingOutputIndex = fundingOutputIndex
        self.fundingSatoshis = fundingSatoshis
        self.staticRemoteKey = staticRemoteKey
        self.anchors = anchors
    }

    /// `owner`'s commitment number `number` with `owner`'s per-commitment point for it;
    /// `nil` if a key does not derive (an invalid point).
    public func commitment(
        owner: Side, number: UInt64, perCommitmentPoint point: [UInt8], feeratePerKw: UInt32, balancesMsat: PerSide<UInt64>, htlcs: [HTLC]
    ) -> CommitmentTransaction? {
        let local = sides[owner], remote = sides[owner.other]
        guard let revocation = KeyDerivation.revocationPubkey(basepoint: remote.revocationBasepoint, perCommitmentPoint: point),
            let delayed = KeyDerivation.pubkey(basepoint: local.delayedPaymentBasepoint, perCommitmentPoint: point)
        else { return nil }
        // The HTLC keys appear only in HTLC outputs: a commitment without one (about half of
        // them in a payment's life) spares two point multiplications.
        let htlcOutputs = htlcs.contains {
            !Trimming.isTrimmed(
                amountMsat: $0.amountMsat, dustLimit: local.dustLimit, feeratePerKw: feeratePerKw, offered: $0.offerer == owner,
                anchors: anchors)
        }
        var localHTLC: [UInt8] = [], remoteHTLC: [UInt8] = []
        if htlcOutputs {
            guard let l = KeyDerivation.pubkey(basepoint: local.htlcBasepoint, perCommitmentPoint: point),
                let r = KeyDerivation.pubkey(basepoint: remote.htlcBasepoint, perCommitmentPoint: point)
            else { return nil }
            (localHTLC, remoteHTLC) = (l, r)
        }
        let remotePayment =
            staticRemoteKey || anchors
            ? remote.paymentBasepoint : KeyDerivation.pubkey(basepoint: remote.paymentBasepoint, perCommitmentPoint: point)
        guard let remotePayment else { return nil }
        let keys = CommitmentTransaction.Keys(
            revocation: revocation, localDelayed: delayed, localHTLC: localHTLC, remoteHTLC: remoteHTLC, remotePayment: remotePayment,
            localFunding: local.fundingPubkey, remoteFunding: remote.fundingPubkey)
        let factor = CommitmentTransaction.obscuringFactor(
            openerPaymentBasepoint: sides[opener].paymentBasepoint, accepterPaymentBasepoint: sides[opener.other].paymentBasepoint)
        let parameters = CommitmentTransaction.Parameters(
            fundingTxid: fundingTxid, fundingOutputIndex: fundingOutputIndex, fundingSatoshis: fundingSatoshis,
            obscuredCommitmentNumber: number ^ factor, toSelfDelay: remote.toSelfDelay, dustLimit: local.dustLimit,
            feeratePerKw: feeratePerKw, toLocalMsat: balancesMsat[owner], toRemoteMsat: balancesMsat[owner.other],
            ownerIsOpener: owner == opener, anchors: anchors)
        return CommitmentTransaction(
            parameters: parameters, keys: keys,
            htlcs: htlcs.map {
                CommitmentTransaction.HTLC(
                    offered: $0.offerer == owner, amountMsat: $0.amountMsat, paymentHash: $0.paymentHash,
                    cltvExpiry: $0.cltvExpiry)
            })
    }
}
