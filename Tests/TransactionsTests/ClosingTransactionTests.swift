import Basics
import Testing
import Transactions

@Suite struct ClosingTransactionTests {
    static let key = [UInt8](repeating: 0x11, count: 20)
    static let p2wpkh: [UInt8] = [0x00, 0x14] + key
    static let p2wsh: [UInt8] = [0x00, 0x20] + [UInt8](repeating: 0x22, count: 32)
    static let p2pkh: [UInt8] = [0x76, 0xa9, 0x14] + key + [0x88, 0xac]
    static let p2sh: [UInt8] = [0xa9, 0x14] + key + [0x87]
    static let p2tr: [UInt8] = [0x51, 0x20] + [UInt8](repeating: 0x33, count: 32)
    static let p2a: [UInt8] = [0x51, 0x02, 0x4e, 0x73]
    static let segwit40: [UInt8] = [0x60, 0x28] + [UInt8](repeating: 0x44, count: 40)
    static let opReturn: [UInt8] = [0x6a, 0x04, 0x01, 0x02, 0x03, 0x04]

    static let funding = ClosingTransaction.Funding(
        txid: [UInt8](repeating: 0xaa, count: 32), outputIndex: 1, satoshis: 1_000_000,
        pubkeys: PerSide([0x02] + [UInt8](repeating: 0x01, count: 32), [0x03] + [UInt8](repeating: 0x02, count: 32)))

    /// BOLT #3 §"Dust Limits" lists each threshold; Bitcoin Core's formula must give each.
    @Test func dustThresholdsAreTheSpecsList() {
        #expect(ClosingTransaction.dustThreshold(Self.p2pkh) == 546)
        #expect(ClosingTransaction.dustThreshold(Self.p2sh) == 540)
        #expect(ClosingTransaction.dustThreshold(Self.p2wpkh) == 294)
        #expect(ClosingTransaction.dustThreshold(Self.p2wsh) == 330)
        #expect(ClosingTransaction.dustThreshold(Self.p2a) == 240)
        #expect(ClosingTransaction.dustThreshold(Self.segwit40) == 354)
        #expect(ClosingTransaction.dustThreshold(Self.p2tr) == 330)
        #expect(ClosingTransaction.dustThreshold(Self.opReturn) == 0)
    }

    @Test func simpleCloseTakesTheFeeFromTheCloserAndOrdersByValue() throws {
        let tx = try #require(
            ClosingTransaction.simple(
                funding: Self.funding, closerScript: Self.p2wsh, closeeScript: Self.p2wpkh, closerMsat: 600_000_999, closeeMsat: 399_999_999,
                fee: 1_000, locktime: 850_000, variant: .closerAndCloseeOutputs))
        #expect(tx.version == 2 && tx.locktime == 850_000)
        #expect(tx.inputs == [Transaction.Input(txid: Self.funding.txid, vout: 1, sequence: 0xFFFF_FFFD)])
        // Rounded down to whole satoshis; the closee's smaller output first.
        #expect(tx.outputs == [Transaction.Output(value: 399_999, script: Self.p2wpkh), Transaction.Output(value: 599_000, script: Self.p2wsh)])
        let closerOnly = try #require(
            ClosingTransaction.simple(
                funding: Self.funding, closerScript: Self.p2wsh, closeeScript: Self.p2wpkh, closerMsat: 600_000_999, closeeMsat: 399_999_999,
                fee: 1_000, locktime: 0, variant: .closerOutputOnly))
        #expect(closerOnly.outputs == [Transaction.Output(value: 599_000, script: Self.p2wsh)])
        let closeeOnly = try #require(
            ClosingTransaction.simple(
                funding: Self.funding, closerScript: Self.p2wsh, closeeScript: Self.p2wpkh, closerMsat: 600_000_999, closeeMsat: 399_999_999,
                fee: 1_000, locktime: 0, variant: .closeeOutputOnly))
        #expect(closeeOnly.outputs == [Transaction.Output(value: 399_999, script: Self.p2wpkh)])
    }

    @Test func anOpReturnOutputCarriesNothingAndAFeeAboveTheBalanceBuildsNothing() throws {
        let tx = try #require(
            ClosingTransaction.simple(
                funding: Self.funding, closerScript: Self.opReturn, closeeScript: Self.p2wpkh, closerMsat: 500_000, closeeMsat: 900_000_000,
                fee: 300, locktime: 0, variant: .closerAndCloseeOutputs))
        #expect(tx.outputs.map(\.value) == [0, 900_000])
        #expect(
            ClosingTransaction.simple(
                funding: Self.funding, closerScript: Self.p2wpkh, closeeScript: Self.p2wpkh, closerMsat: 500_999, closeeMsat: 0, fee: 501,
                locktime: 0,
                variant: .closerOutputOnly) == nil)
    }

    @Test func legacyCloseTakesTheFeeFromTheOpenerWithLocktimeZero() throws {
        let tx = try #require(
            ClosingTransaction.legacy(
                funding: Self.funding, scripts: PerSide(Self.p2wpkh, Self.p2wsh), balancesMsat: PerSide(700_000_000, 300_000_000), opener: .first,
                fee: 2_000, include: PerSide(true, true)))
        #expect(tx.locktime == 0 && tx.inputs.map(\.sequence) == [0xFFFF_FFFF])
        #expect(tx.outputs == [Transaction.Output(value: 300_000, script: Self.p2wsh), Transaction.Output(value: 698_000, script: Self.p2wpkh)])
        let withoutSecond = try #require(
            ClosingTransaction.legacy(
                funding: Self.funding, scripts: PerSide(Self.p2wpkh, Self.p2wsh), balancesMsat: PerSide(700_000_000, 300_000_000), opener: .second,
                fee: 2_000, include: PerSide(true, false)))
        #expect(withoutSecond.outputs == [Transaction.Output(value: 700_000, script: Self.p2wpkh)])
    }

    /// Equal values are ordered by script, byte by byte, the shorter first on a common prefix.
    @Test func equalValuesAreOrderedByScript() throws {
        let tx = try #require(
            ClosingTransaction.legacy(
                funding: Self.funding, scripts: PerSide(Self.p2wsh, Self.p2wpkh), balancesMsat: PerSide(500_000_000, 500_000_000), opener: .first,
                fee: 0, include: PerSide(true, true)))
        #expect(tx.outputs.map(\.script) == [Self.p2wpkh, Self.p2wsh])
    }
}
