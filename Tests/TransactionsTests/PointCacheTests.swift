import Basics
import Secp256k1
import Testing
import Transactions

/// Points are parsed once and remembered (a 1,024-slot table in `Secp256k1`): results with
/// the table full and evicting must equal the arithmetic done on secrets, and a point that
/// shares a cached point's slot but is not on the curve stays invalid.
struct PointCacheTests {
    @Test func derivedKeysMatchTheSecretsThroughEvictions() throws {
        var points: [[UInt8]] = []
        var secrets: [[UInt8]] = []
        for i in 0..<3000 {
            let secret = sha256(Array("secret \(i)".utf8))
            secrets.append(secret)
            points.append(try #require(Secp256k1.publicKey(secret: secret)))
        }
        let perCommitment = try #require(Secp256k1.publicKey(secret: sha256(Array("per-commitment".utf8))))
        // Twice over the same points: the second pass reads the table (where not evicted).
        for _ in 0..<2 {
            for (secret, point) in zip(secrets, points).prefix(1500) {
                let derived = KeyDerivation.pubkey(basepoint: point, perCommitmentPoint: perCommitment)
                let fromSecret = KeyDerivation.privkey(basepointSecret: secret, basepoint: point, perCommitmentPoint: perCommitment)
                    .flatMap { Secp256k1.publicKey(secret: $0) }
                #expect(derived != nil && derived == fromSecret)
            }
        }
    }

    @Test func aPointOffTheCurveSharingASlotStaysInvalid() throws {
        let valid = try #require(Secp256k1.publicKey(secret: sha256(Array("valid".utf8))))
        #expect(Secp256k1.isValidPoint(valid))
        // Same first three bytes (the table's slot), other x: about half of them are not on the curve.
        var invalid: [[UInt8]] = []
        for last in 0...255 {
            var point = valid
            point[32] = UInt8(last)
            if point != valid, !Secp256k1.isValidPoint(point) { invalid.append(point) }
        }
        #expect(invalid.count > 50)
        #expect(Secp256k1.isValidPoint(valid))
        for point in invalid { #expect(KeyDerivation.pubkey(basepoint: point, perCommitmentPoint: valid) == nil) }
    }
}
