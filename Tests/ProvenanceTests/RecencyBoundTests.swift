import Provenance
import Testing

/// The tables that follow channels and peers stay bounded (README "Limits").
@Suite struct RecencyBoundTests {
    @Test func dropsTheLeastRecentlyUsedQuarterPastTheLimit() {
        var bound = RecencyBound<Int>(limit: 8)
        for key in 0..<8 { #expect(bound.use(key).isEmpty) }
        // 0 used again: 1 and 2 are now the least recently used.
        #expect(bound.use(0).isEmpty)
        #expect(bound.use(100) == [1, 2])
        #expect(bound.count == 7)
        // A dropped key comes back as new.
        #expect(bound.use(1).isEmpty)
        #expect(bound.count == 8)
        bound.remove(1)
        #expect(bound.count == 7)
    }

    /// Using the latest key again changes no order (the fast path must not hide a use).
    @Test func reusingTheLatestKeyKeepsTheOrder() {
        var bound = RecencyBound<Int>(limit: 4)
        for key in [1, 2, 3, 4, 4, 4] { #expect(bound.use(key).isEmpty) }
        #expect(bound.use(5) == [1])
        // 2 used again after other keys: it is no longer the least recent.
        #expect(bound.use(2).isEmpty)
        #expect(bound.use(2).isEmpty)
        #expect(bound.use(6) == [3])
        // The latest key removed and used again comes back as new.
        bound.remove(6)
        #expect(bound.use(6).isEmpty)
        #expect(bound.count == 4)
    }

    @Test func neverDropsTheKeyJustUsed() {
        var bound = RecencyBound<String>(limit: 1)
        #expect(bound.use("a").isEmpty)
        #expect(bound.use("b") == ["a"])
        #expect(bound.use("b").isEmpty)
        #expect(bound.count == 1)
    }
}
