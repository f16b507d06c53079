/// The commitment-transaction arithmetic of BOLT #3 that message rules need.
public enum Bolt3 {
    /// Weight of an HTLC-timeout transaction (an HTLC the commitment's owner offered).
    public static let htlcTimeoutWeight: UInt64 = 663
    /// Weight of an HTLC-success transaction (an HTLC the owner received).
    public static let htlcSuccessWeight: UInt64 = 703

    /// Whether an HTLC gets no output in a commitment (BOLT #3 §"Trimmed Outputs"): its
    /// amount in satoshis, less the fee of its second-stage transaction (zero with
    /// `option_anchors`), is below the owner's `dust_limit_satoshis`.
    public static func isTrimmed(
        amountMsat: UInt64, dustLimit: UInt64, feeratePerKw: UInt32, offeredByOwner: Bool, anchors: Bool
    ) -> Bool {
        let weight = offeredByOwner ? htlcTimeoutWeight : htlcSuccessWeight
        let fee = anchors ? 0 : UInt64(feeratePerKw) * weight / 1000
        let (threshold, overflow) = dustLimit.addingReportingOverflow(fee)
        return overflow || amountMsat / 1000 < threshold
    }
}
