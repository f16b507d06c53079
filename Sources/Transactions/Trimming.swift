/// The fee arithmetic of BOLT #3 §"Fee Calculation" that decides which outputs a commitment
/// transaction has (§"Trimmed Outputs"): the expected weights of the commitment and of its
/// second-stage HTLC transactions, and the fees they give at a feerate.
public enum Trimming {
    /// Weight of an HTLC-timeout transaction (an HTLC the commitment's owner offered).
    public static let htlcTimeoutWeight: UInt64 = 663
    /// Weight of an HTLC-success transaction (an HTLC the owner received).
    public static let htlcSuccessWeight: UInt64 = 703
    /// Weight of a commitment transaction before its HTLC outputs, without and with
    /// `option_anchors` (two anchor outputs more).
    public static let commitmentWeight: UInt64 = 724
    public static let anchorsCommitmentWeight: UInt64 = 1124
    /// Weight each untrimmed HTLC output adds to a commitment transaction.
    public static let htlcOutputWeight: UInt64 = 172
    /// The value of each anchor output (`to_local_anchor`, `to_remote_anchor`), in satoshis.
    public static let anchorSatoshis: UInt64 = 330

    /// The fee of an HTLC's second-stage transaction in satoshis: HTLC-timeout for an HTLC
    /// the owner offered, HTLC-success for one it received. Zero with `option_anchors`
    /// (the transactions are zero-fee and bring their own fee when spent).
    public static func htlcFee(offered: Bool, feeratePerKw: UInt32, anchors: Bool) -> UInt64 {
        anchors ? 0 : UInt64(feeratePerKw) * (offered ? htlcTimeoutWeight : htlcSuccessWeight) / 1000
    }

    /// Whether an HTLC gets no output in its owner's commitment: its amount in satoshis,
    /// less the fee of its second-stage transaction, is below the owner's
    /// `dust_limit_satoshis`. `offered`: whether the commitment's owner offered it.
    public static func isTrimmed(amountMsat: UInt64, dustLimit: UInt64, feeratePerKw: UInt32, offered: Bool, anchors: Bool) -> Bool {
        let (threshold, overflow) = dustLimit.addingReportingOverflow(htlcFee(offered: offered, feeratePerKw: feeratePerKw, anchors: anchors))
        return overflow || amountMsat / 1000 < threshold
    }

    /// The base fee of a commitment transaction with `untrimmedHTLCs` HTLC outputs, in
    /// satoshis (what the opener pays, before trimmed amounts and anchors).
    public static func commitmentFee(untrimmedHTLCs: Int, feeratePerKw: UInt32, anchors: Bool) -> UInt64 {
        let weight = (anchors ? anchorsCommitmentWeight : commitmentWeight) + htlcOutputWeight * UInt64(untrimmedHTLCs)
        return UInt64(feeratePerKw) * weight / 1000
    }
}
