import Foundation
import TestSupport
import Testing
import Transactions

@Suite struct SideTests {
    @Test func sidesAreEachOthersPeer() {
        #expect(Side.first.other == .second && Side.second.other == .first)
        #expect(Side.allCases.map(\.other.other) == Side.allCases)
        #expect(Side(index: 0) == .first && Side(index: 1) == .second && Side(index: 2) == nil)
        #expect(Side.first < Side.second)
    }

    @Test func perSideIsReadAndWrittenBySide() {
        var counts = PerSide(repeating: 0)
        counts[.second] += 3
        counts[.first] = 1
        #expect(counts == PerSide(1, 3))
        #expect(counts.map { $0 * 2 } == PerSide(2, 6))
        #expect(PerSide { $0 == .first ? "a" : "b" }.both == ["a", "b"])
        #expect(counts.contains(3) && !counts.contains(2))
        #expect(counts.allSatisfy { $0 > 0 } && !counts.contains(where: { $0 > 3 }))
        var lists = PerSide<[Int]>(repeating: [])
        lists[.first].append(7)
        #expect(lists.first == [7] && lists.second.isEmpty)
    }
}

/// BOLT #3 §"Trimmed Outputs" and §"Fee Calculation", with the numbers of its example.
@Suite struct TrimmingTests {
    @Test func theFeeCalculationExample() {
        // feerate_per_kw 5000, dust_limit_satoshis 546.
        #expect(Trimming.htlcFee(offered: true, feeratePerKw: 5000, anchors: false) == 3315)
        #expect(Trimming.htlcFee(offered: false, feeratePerKw: 5000, anchors: false) == 3515)
        func trimmed(_ sat: UInt64, offered: Bool) -> Bool {
            Trimming.isTrimmed(amountMsat: sat * 1000, dustLimit: 546, feeratePerKw: 5000, offered: offered, anchors: false)
        }
        #expect(!trimmed(5000, offered: true))
        #expect(trimmed(1000, offered: true))
        #expect(!trimmed(7000, offered: false))
        #expect(trimmed(800, offered: false))
        // Two untrimmed HTLC outputs: weight 724 + 2·172 = 1068, fee 5340 sat.
        #expect(Trimming.commitmentFee(untrimmedHTLCs: 2, feeratePerKw: 5000, anchors: false) == 5340)
    }

    @Test func theThresholdIsTheDustLimitPlusTheSecondStageFee() {
        // 546 + 3315 = 3861 sat: at the threshold an HTLC keeps its output, a millisatoshi less it does not.
        #expect(!Trimming.isTrimmed(amountMsat: 3_861_000, dustLimit: 546, feeratePerKw: 5000, offered: true, anchors: false))
        #expect(Trimming.isTrimmed(amountMsat: 3_860_999, dustLimit: 546, feeratePerKw: 5000, offered: true, anchors: false))
        #expect(Trimming.isTrimmed(amountMsat: .max, dustLimit: .max, feeratePerKw: 1, offered: true, anchors: false))
    }

    @Test func anchorsMakeSecondStageTransactionsFeeless() {
        #expect(Trimming.htlcFee(offered: true, feeratePerKw: 5000, anchors: true) == 0)
        #expect(Trimming.htlcFee(offered: false, feeratePerKw: 5000, anchors: true) == 0)
        #expect(!Trimming.isTrimmed(amountMsat: 1_000_000, dustLimit: 546, feeratePerKw: 5000, offered: true, anchors: true))
        #expect(!Trimming.isTrimmed(amountMsat: 800_000, dustLimit: 546, feeratePerKw: 5000, offered: false, anchors: true))
        #expect(Trimming.isTrimmed(amountMsat: 545_999, dustLimit: 546, feeratePerKw: 5000, offered: false, anchors: true))
        // Weight 1124 + 172.
        #expect(Trimming.commitmentFee(untrimmedHTLCs: 1, feeratePerKw: 1000, anchors: true) == 1296)
    }
}

/// BOLT #3 Appendix D, extracted from the spec by `Scripts/extract-spec-vectors.py`.
@Suite struct PerCommitmentSecretTests {
    static func vectors() throws -> [String: Any] {
        let json = try Fixtures.json("spec/bolt3-vectors.json") as? [String: Any] ?? [:]
        return json["per_commitment_secrets"] as? [String: Any] ?? [:]
    }

    @Test func generationVectors() throws {
        let generation = try Self.vectors()["generation"] as? [[String: Any]] ?? []
        #expect(generation.count == 5)
        for v in generation {
            let seed = [UInt8](hexString: v["seed"] as? String ?? "") ?? []
            let index = UInt64(v["index"] as? Int ?? -1)
            #expect(PerCommitmentSecret.generate(seed: seed, index: index).hex == v["output"] as? String, "\(v["name"] ?? "")")
        }
    }

    @Test func commitmentNumbersCountDownFromTheFirstIndex() throws {
        let seed = [UInt8](repeating: 0xff, count: 32)
        #expect(PerCommitmentSecret.index(commitment: 0) == 281_474_976_710_655)
        #expect(PerCommitmentSecret.secret(seed: seed, commitment: 0).hex == "7cc854b54e3e0dcdb010d7a3fee464a9687be6e8db3be6854c475621e007a5dc")
        #expect(PerCommitmentSecret.secret(seed: seed, commitment: 7) == PerCommitmentSecret.generate(seed: seed, index: 281_474_976_710_648))
    }

    @Test func storageVectors() throws {
        let storage = try Self.vectors()["storage"] as? [[String: Any]] ?? []
        #expect(storage.count == 9)
        for test in storage {
            let name = test["name"] as? String ?? ""
            var store = PerCommitmentSecretStore()
            var outcomes: [Bool] = []
            var expected: [Bool] = []
            for step in test["steps"] as? [[String: Any]] ?? [] {
                let secret = [UInt8](hexString: step["secret"] as? String ?? "") ?? []
                expected.append(step["ok"] as? Bool ?? false)
                do {
                    try store.insert(secret, index: UInt64(step["index"] as? Int ?? -1))
                    outcomes.append(true)
                } catch {
                    outcomes.append(false)
                }
            }
            #expect(outcomes == expected, "\(name)")
        }
    }

    @Test func storedSecretsDeriveEveryEarlierOne() throws {
        let seed = [UInt8](repeating: 0xff, count: 32)
        var store = PerCommitmentSecretStore()
        for number in UInt64(0)..<100 {
            try store.insert(PerCommitmentSecret.secret(seed: seed, commitment: number), index: PerCommitmentSecret.index(commitment: number))
        }
        for number in UInt64(0)..<100 {
            #expect(store.secret(index: PerCommitmentSecret.index(commitment: number)) == PerCommitmentSecret.secret(seed: seed, commitment: number))
        }
        #expect(store.secret(index: PerCommitmentSecret.index(commitment: 100)) == nil)
        #expect(throws: PerCommitmentSecretStore.InsertError.malformed) { try store.insert([1, 2, 3], index: 5) }
    }

    @Test func aSecretOfAnotherSeedConflictsWithTheKeptOnesUntilTheyAreRemoved() throws {
        let seed = [UInt8](repeating: 0xff, count: 32)
        var store = PerCommitmentSecretStore()
        for number in UInt64(0)..<3 {
            try store.insert(PerCommitmentSecret.secret(seed: seed, commitment: number), index: PerCommitmentSecret.index(commitment: number))
        }
        // Commitment 2 took bucket 0 from commitment 0; commitment 1 holds bucket 1.
        #expect(store.indices == [PerCommitmentSecret.index(commitment: 2), PerCommitmentSecret.index(commitment: 1)])
        let other = PerCommitmentSecret.secret(seed: [UInt8](repeating: 0x11, count: 32), commitment: 3)
        let index = PerCommitmentSecret.index(commitment: 3)
        #expect(store.conflicts(with: other, index: index).map(\.index) == store.indices)
        #expect(store.conflicts(with: PerCommitmentSecret.secret(seed: seed, commitment: 3), index: index).isEmpty)
        #expect(throws: PerCommitmentSecretStore.InsertError.doesNotDeriveEarlier(index: index)) { try store.insert(other, index: index) }
        for kept in store.indices { store.remove(index: kept) }
        try store.insert(other, index: index)
        #expect(store.indices == [index])
    }
}
