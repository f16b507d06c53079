import Basics
import Secp256k1
import Wire

/// What in an opening message its receiver "MUST fail the channel" for, as far as the
/// message itself shows it (BOLT #2 §"The open_channel Message" Requirements, "The
/// receiving node MUST fail the channel if"; §"The accept_channel Message": "Other fields
/// have the same requirements as their counterparts in `open_channel`"; §"The
/// open_channel2 Message": "Requirements are the same as for `open_channel`").
///
/// The sender's side of each condition is its own rule (`v1-points-valid`, `v1-max-htlcs`,
/// …); this is the receiver's: the channel model keeps the first reason per opening message
/// so that `v1-accept-common` and `v2-open-inherits` can judge a receiver that goes on.
enum OpeningRefusal {
    /// Why the receiver of `m` (an `open_channel`, `accept_channel`, `open_channel2` or
    /// `accept_channel2`) must fail the channel, or `nil`. For an acceptance, `opening` and
    /// `proposed` are the opening's parameters and `channel_type`. Fields the source does not
    /// give count as fine.
    static func reason(_ m: MessageView, opening: ChannelModel.Params?, proposed: [UInt8]?) -> String? {
        let keys: [KeyPath<TypedMessage, Point?>] = [
            \.fundingPubkey, \.revocationBasepoint, \.paymentBasepoint, \.delayedPaymentBasepoint, \.htlcBasepoint,
        ]
        for key in keys {
            if let point = m.bytes(key), !Secp256k1.isValidPoint(point) {
                return "`\(TypedMessage.fieldName(key) ?? "key")` is not a valid secp256k1 point"
            }
        }
        if let max = m.uint(\.maxAcceptedHTLCs), max > 483 { return "max_accepted_htlcs \(max) is greater than 483" }
        if let dust = m.uint(\.dustLimitSatoshis) {
            if dust < 354 { return "dust_limit_satoshis \(dust) is smaller than 354" }
            if let reserve = m.uint(\.channelReserveSatoshis), dust > reserve {
                return "dust_limit_satoshis \(dust) is greater than channel_reserve_satoshis \(reserve)"
            }
        }
        if m.kind == .acceptChannel, let opening {
            // BOLT #2 §"The accept_channel Message": the reserves against the other side's dust limit.
            if let reserve = m.uint(\.channelReserveSatoshis), let dust = opening.dustLimit, reserve < dust {
                return "channel_reserve_satoshis \(reserve) is less than the open_channel's dust_limit_satoshis \(dust)"
            }
            if let reserve = opening.reserve, let dust = m.uint(\.dustLimitSatoshis), reserve < dust {
                return "the open_channel's channel_reserve_satoshis \(reserve) is less than dust_limit_satoshis \(dust)"
            }
        }
        if m.kind == .openChannel, let funding = m.uint(\.fundingSatoshis), let push = m.uint(\.pushMsat) {
            let (limit, overflow) = funding.multipliedReportingOverflow(by: 1000)
            if !overflow && push > limit { return "push_msat \(push) exceeds 1000 × funding_satoshis" }
        }
        guard m.decoded else { return nil }
        guard let type = m.typed.channelTypeRecord else { return "it has no `channel_type`" }
        if m.kind == .acceptChannel || m.kind == .acceptChannel2, let proposed, type != proposed {
            return "its channel_type \(Hex.encode(type)) is not the opening's \(Hex.encode(proposed))"
        }
        return nil
    }
}
