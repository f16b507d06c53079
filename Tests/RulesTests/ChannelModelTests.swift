import Testing
@testable import Rules

@Suite struct ChannelModelTests {
    @Test func placeholder() {}
}
