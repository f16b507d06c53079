import Foundation
@testable import Report
import Testing

/// Text from a trace cannot forge report lines or drive the terminal.
struct TerminalTextTests {
    static func written(_ text: String, color: Bool = false) -> String {
        var buffer: [UInt8] = []
        TerminalText.append(text, to: &buffer, keepingColor: color)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func controlCharactersAreShownNotObeyed() {
        #expect(Self.written("plain text, tab\there, § and ü") == "plain text, tab\there, § and ü")
        #expect(Self.written("reason\r\nfake: no findings") == "reason\\x0d\\x0afake: no findings")
        // A window title (OSC), a cursor move (CSI) and a bell.
        #expect(Self.written("\u{1B}]0;owned\u{07}\u{1B}[2Jx") == "\\x1b]0;owned\\x07\\x1b[2Jx")
        #expect(Self.written("del\u{7F} c1\u{9B}31m") == "del\\x7f c1\\u{9b}31m")
        #expect(TerminalText.visible("log\u{1B}[2J.txt") == "log\\x1b[2J.txt")
    }

    @Test func colourEscapesStayOnlyWhenTheReportPaints() {
        let painted = "\u{1B}[1;31merror\u{1B}[0m"
        #expect(Self.written(painted, color: true) == painted)
        #expect(Self.written(painted, color: false) == "\\x1b[1;31merror\\x1b[0m")
        // Only SGR: a cursor movement is escaped even in a painted report.
        #expect(Self.written("\u{1B}[1;31mred\u{1B}[0m\u{1B}[1A", color: true) == "\u{1B}[1;31mred\u{1B}[0m\\x1b[1A")
    }
}
