@testable import Transactions
import Testing

/// Script pushes are minimal (BIP 62) at every size, so a key of any length from a log
/// line still gives a well-formed script instead of stopping the program.
@Suite struct ScriptPushTests {
    @Test func pushesAreMinimalAtEverySize() {
        #expect(Script.push([]) == [0x00])
        #expect(Script.push([UInt8](repeating: 2, count: 33)).prefix(1) == [33])
        #expect(Script.push([UInt8](repeating: 1, count: 75)).prefix(1) == [75])
        #expect(Script.push([UInt8](repeating: 1, count: 76)).prefix(2) == [0x4c, 76])
        #expect(Script.push([UInt8](repeating: 1, count: 255)).prefix(2) == [0x4c, 255])
        #expect(Script.push([UInt8](repeating: 1, count: 256)).prefix(3) == [0x4d, 0x00, 0x01])
        #expect(Script.push([UInt8](repeating: 1, count: 0x1_0000)).prefix(5) == [0x4e, 0x00, 0x00, 0x01, 0x00])
        #expect(Script.push([UInt8](repeating: 1, count: 300)).count == 303)
    }
}
