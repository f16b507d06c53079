import Foundation
import TestSupport
import Testing

/// `lntrace diagram` (issue 16, "Ladder diagrams"): Mermaid `sequenceDiagram` text of one
/// channel around its findings and hazards.
@Suite struct DiagramTests {
    /// The part of Mermaid's `sequenceDiagram` grammar the command writes: the header,
    /// `participant ID as LABEL`, `ID->>ID: TEXT`, `Note over ID[,ID]: TEXT`. Labels and texts
    /// hold no `;` (a statement end), no `%%` (a comment), and `#` only in an entity code.
    static let statements = [
        #"^sequenceDiagram$"#,
        #"^    participant [NQ][0-9]+ as [^;\n]+$"#,
        #"^    N[0-9]+(->>|-->>)[NQ][0-9]+: [^;\n]+$"#,
        #"^    Note over [NQ][0-9]+(,[NQ][0-9]+)?: [^;\n]+$"#,
    ].map { try! NSRegularExpression(pattern: $0) }

    static func parse(_ text: String) -> (participants: Set<String>, arrows: Int, dispatches: Int, notes: [String], errors: [String]) {
        var participants = Set<String>()
        var arrows = 0
        var dispatches = 0
        var notes: [String] = []
        var errors: [String] = []
        let lines = text.split(separator: "\n").map(String.init)
        if lines.first != "sequenceDiagram" { errors.append("no sequenceDiagram header") }
        for line in lines {
            let range = NSRange(line.startIndex..., in: line)
            guard statements.contains(where: { $0.firstMatch(in: line, range: range) != nil }) else {
                errors.append("not in the grammar: \(line)")
                continue
            }
            // `#` only as an entity code (`#59;`), `%%` never.
            let withoutEntities = line.replacingOccurrences(of: #"#[0-9]+;"#, with: "", options: .regularExpression)
            if withoutEntities.contains("#") || line.contains("%%") { errors.append("unescaped # or %%: \(line)") }
            if line.hasPrefix("    participant ") { participants.insert(String(line.split(separator: " ")[1])) }
            if line.contains("->>") {
                if line.contains("-->>") { dispatches += 1 } else { arrows += 1 }
                let ends = line.trimmingCharacters(in: .whitespaces).split(separator: ":")[0].components(
                    separatedBy: line.contains("-->>") ? "-->>" : "->>")
                for end in ends where !participants.contains(end) { errors.append("undeclared participant \(end): \(line)") }
            }
            if line.hasPrefix("    Note over ") { notes.append(line) }
        }
        return (participants, arrows, dispatches, notes, errors)
    }

    /// Every finding of a capture is marked on the channel drawn, in valid Mermaid.
    @Test func aCapturesFindingsAreMarked() throws {
        let capture = "Fixtures/captures/synth/out-of-order.pcap"
        let keys = "Fixtures/captures/synth/out-of-order.keys"
        let result = try LNTraceBinary.run(["diagram", "--keylog", keys, capture])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = Self.parse(result.stdout)
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        #expect(parsed.participants.count == 2 && parsed.arrows > 5 && parsed.dispatches == 0)
        let check = try LNTraceBinary.run(["check", "--format", "jsonl", "--keylog", keys, capture])
        let rules = try JSONValue.lines(check.stdout).filter { $0["kind"]?.string == "finding" }.compactMap { $0["rule"]?.string }
        #expect(!rules.isEmpty)
        for rule in rules { #expect(parsed.notes.contains { $0.contains(rule) }, "\(rule) not marked") }
    }

    /// The lnd#8393 race in bob's lnd log: the hazard marked at the `shutdown` that may
    /// overtake the HTLC, with `--around` messages either side and the rest counted.
    @Test func theLnd8393HazardIsDrawn() throws {
        let result = try LNTraceBinary.run(["diagram", "--around", "3", "Fixtures/captures/hazards/lnd-8393.bob-lnd.log"])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = Self.parse(result.stdout)
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        #expect(parsed.notes.contains { $0.contains("hazard") && $0.contains("shutdown") })
        #expect(parsed.notes.contains { $0.contains("messages left out") })
        // Three before the mark, the marked message, three after.
        #expect(parsed.arrows == 7)
        // The receiving node hands the two messages to their queues, as lanes.
        #expect(parsed.dispatches == 2)
        #expect(parsed.participants.count == 4)
        #expect(parsed.notes.contains { $0.contains("may run shutdown before update_add_htlc") })
    }

    /// A channel the inputs do not hold is an error, not an empty diagram.
    @Test func anUnknownChannelIsAnError() throws {
        let result = try LNTraceBinary.run([
            "diagram", "--channel", "ffff", "--keylog", "Fixtures/captures/synth/out-of-order.keys", "Fixtures/captures/synth/out-of-order.pcap",
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no message of channel ffff"))
        #expect(result.stdout.isEmpty)
    }

    /// The README's diagram is what the command it names draws.
    @Test func theReadmeDiagramIsCurrent() throws {
        let readme = try String(contentsOf: Fixtures.root.appendingPathComponent("README.md"), encoding: .utf8)
        let block = try #require(readme.components(separatedBy: "```mermaid\n").dropFirst().first?.components(separatedBy: "```\n").first)
        let result = try LNTraceBinary.run(["diagram", "--around", "3", "Fixtures/captures/hazards/lnd-8393.bob-lnd.log"])
        #expect(result.stdout == block)
    }

    /// The SVG renders with a real SVG renderer (Debian's rsvg-convert, librsvg2-bin): the
    /// image is much larger, as a PNG, than a blank one of its size.
    @Test func theSVGRenders() throws {
        let result = try LNTraceBinary.run(["diagram", "--format", "svg", "--around", "3", "Fixtures/captures/hazards/lnd-8393.bob-lnd.log"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("<svg ") && result.stdout.hasSuffix("</svg>\n"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-diagram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func render(_ svg: String, _ name: String) throws -> Data {
            let input = directory.appendingPathComponent("\(name).svg")
            let output = directory.appendingPathComponent("\(name).png")
            try svg.write(to: input, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/rsvg-convert")
            process.arguments = ["-f", "png", "-o", output.path, input.path]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "rsvg-convert failed on \(name).svg (apt-get install librsvg2-bin)")
            return try Data(contentsOf: output)
        }
        let drawn = try render(result.stdout, "drawn")
        // The same size, nothing drawn.
        let size = try #require(result.stdout.split(separator: ">").first).split(separator: " ").filter {
            $0.hasPrefix("width=") || $0.hasPrefix("height=")
        }
        let blank = try render(
            "<svg xmlns='http://www.w3.org/2000/svg' \(size.joined(separator: " "))><rect width='100%' height='100%' fill='#fff'/></svg>", "blank")
        #expect(drawn.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(drawn.count > 10 * blank.count, "drawn \(drawn.count) bytes, blank \(blank.count)")
    }

    /// The README's SVG is what the command draws.
    @Test func theCommittedSVGIsCurrent() throws {
        let result = try LNTraceBinary.run(["diagram", "--format", "svg", "--around", "3", "Fixtures/captures/hazards/lnd-8393.bob-lnd.log"])
        let committed = try String(contentsOf: Fixtures.root.appendingPathComponent("Documentation/diagrams/lnd-8393-bob.svg"), encoding: .utf8)
        #expect(result.stdout == committed, "regenerate Documentation/diagrams/lnd-8393-bob.svg")
        let both = try LNTraceBinary.run([
            "diagram", "--format", "svg", "--around", "3", "Fixtures/captures/hazards/lnd-8393.alice-lnd.log",
            "Fixtures/captures/hazards/lnd-8393.bob-lnd.log",
        ])
        let joined = try String(contentsOf: Fixtures.root.appendingPathComponent("Documentation/diagrams/lnd-8393-both.svg"), encoding: .utf8)
        #expect(both.stdout == joined, "regenerate Documentation/diagrams/lnd-8393-both.svg")
    }

    /// `check`'s text report says under each finding the command that draws it; the command
    /// draws the finding's channel with the finding marked.
    @Test func checkNamesTheDiagramOfEachFinding() throws {
        let keys = "Fixtures/captures/synth/out-of-order.keys"
        let capture = "Fixtures/captures/synth/out-of-order.pcap"
        let report = try LNTraceBinary.run(["check", "--keylog", keys, capture])
        // The command may be broken over two lines to fit the width.
        let joined = report.stdout.replacingOccurrences(of: #"\n +"#, with: " ", options: .regularExpression)
        let commands = joined.components(separatedBy: "drawn by: ").dropFirst().map { $0.components(separatedBy: "\n")[0] }
        #expect(commands.count == 2, "\(report.stdout)")
        let command = try #require(commands.first).split(separator: " ").map(String.init)
        #expect(command.prefix(2) == ["lntrace", "diagram"] && command.contains("--channel") && command.last == capture)
        let drawn = try LNTraceBinary.run(Array(command.dropFirst()))
        #expect(drawn.status == 0)
        #expect(drawn.stdout.contains("rm-after-irrevocable"))
    }

    /// A channel without a finding: its first messages, from `open_channel` (named by its
    /// temporary id) on, as one channel, and the rest counted.
    @Test func aChannelWithoutFindingsShowsItsStart() throws {
        let trace = try Synthesized(Fixtures.url("rules/valid/lost-revoke-and-ack.scenario"))
        defer { trace.remove() }
        let result = try LNTraceBinary.run(["diagram", "--around", "3", "--keylog", trace.keys, trace.capture])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = Self.parse(result.stdout)
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        #expect(parsed.arrows == 6)
        #expect(result.stdout.contains("N1->>N2: open_channel") && result.stdout.contains("channel_ready"))
        #expect(parsed.notes.count == 1 && parsed.notes[0].contains("messages left out"))
    }
}
