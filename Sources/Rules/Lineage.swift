/// Roots and follow-ons: which finding a later one follows from.
///
/// After a violation the channel model recovers (``ChannelModel/apply(_:from:)``), so one
/// fault rarely makes later messages look wrong. What still does is marked: a finding
/// `follows` the root finding it comes from when
///
/// 1. it is on the same message as an earlier finding (the message is the one fault; the
///    most severe of its findings is the root);
/// 2. its rule already fired on the same channel (or, without a channel, connection) and has
///    not passed since: the same condition persists (`close-when-clean` on every
///    `closing_signed` of a channel that still holds an HTLC);
/// 3. it is a rule of the commitment ledger (HTLCs, signings, revocations) and an earlier
///    ledger root on the channel is not yet resolved: the model may be out of step with
///    the nodes since. A signature that verifies (`commit-sig-valid`) or a consistent
///    `channel_reestablish` (`re-numbers-consistent`) shows the model in step again.
///
/// Documentation/rules.md §"Roots and follow-ons".
struct Lineage {
    /// Per rule: the root of its last finding, while the rule has not passed since.
    private var open: [String: Int] = [:]
    /// The root of a ledger fault the model has not been seen to recover from.
    private var ledger: Int?

    /// Rules whose verdicts depend on the model's commitment ledger (not `add-id-increment`:
    /// the model takes each add's id, so a skipped id does not carry over).
    static let ledgerRules: Set<String> = [
        "add-max-accepted", "add-max-inflight",
        "rm-id-known", "rm-once", "rm-after-irrevocable", "fulfill-preimage", "malformed-sha",
        "commit-has-updates", "commit-one-outstanding", "commit-num-htlcs", "commit-sig-valid",
        "raa-solicited", "raa-secret", "raa-shachain", "raa-next-point",
        "stfu-no-pending", "sd-no-pending-updates", "close-when-clean",
        "re-numbers-consistent", "re-secret-zero",
    ]

    /// Rules whose passing shows the ledger in step with both nodes.
    static let resynchronising: Set<String> = ["commit-sig-valid", "re-numbers-consistent"]

    mutating func passed(_ rule: String) {
        if ledger == nil && open.isEmpty { return }
        open[rule] = nil
        if Self.resynchronising.contains(rule) { ledger = nil }
    }

    /// Numbers one message's findings and links each to its root. The most severe finding
    /// of the message comes first.
    mutating func assign(_ findings: inout [Finding], nextID: inout Int) {
        guard !findings.isEmpty else { return }
        findings = findings.enumerated().sorted {
            $0.element.severity != $1.element.severity ? $0.element.severity > $1.element.severity : $0.offset < $1.offset
        }.map(\.element)
        for i in findings.indices {
            let rule = findings[i].rule.id
            findings[i].id = nextID
            nextID += 1
            if i > 0 {
                findings[i].follows = findings[0].follows ?? findings[0].id
            } else if let root = open[rule] ?? (Self.ledgerRules.contains(rule) ? ledger : nil) {
                findings[i].follows = root
            }
            let root = findings[i].follows ?? findings[i].id
            open[rule] = root
            if Self.ledgerRules.contains(rule), findings[i].follows == nil { ledger = root }
        }
    }
}
