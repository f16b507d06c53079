import ArgumentParser
import Report
import Rules
import Session
import Trace

/// `lntrace diagram`: a channel's messages as a ladder diagram, around its findings and
/// hazards (issue 16).
struct DiagramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagram",
        abstract: "Draw a channel's messages as a ladder (sequence) diagram, around its findings and hazards.",
        discussion: """
            The inputs are checked as `lntrace check` checks them; the channel drawn is the \
            one --channel names, else the channel of the first finding or hazard, else the \
            first channel. Each finding and hazard is marked at its message, with the \
            --around messages before and after it; gaps say how many messages were left out. \
            Without a finding the channel's first messages are drawn.

            --format mermaid writes Mermaid `sequenceDiagram` text, which GitHub renders in \
            issues and Markdown (in a ```mermaid block); --format svg a self-contained SVG \
            image for anything else.

            Exit status: 0 a diagram was drawn from inputs read completely; 2 usage error, an \
            input not read completely, or no channel message to draw.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, svg
    }

    @OptionGroup var input: InputOptions

    @Option(
        help: ArgumentHelp("The diagram's format: mermaid (Mermaid sequenceDiagram text) or svg (a self-contained SVG image).", valueName: "format"))
    var format: Format = .mermaid

    @Option(help: ArgumentHelp("The channel to draw: a channel_id or temporary_channel_id prefix, or a log's channel label.", valueName: "id"))
    var channel: String?

    @Option(help: ArgumentHelp("How many of the channel's messages before and after each finding or hazard are drawn.", valueName: "n"))
    var around: Int = 8

    @Option(
        help: ArgumentHelp(
            "Find reorder hazards under a dispatch profile (as for check); none to turn off.", valueName: "profile"),
        transform: { try HazardChoice(parsing: $0) })
    var hazards: HazardChoice?

    func validate() throws {
        if around < 1 { throw ValidationError("--around takes a number of messages, 1 or more") }
    }

    func run() throws {
        let (captureOptions, keyLogProblems) = input.captureOptions()
        for problem in keyLogProblems { Output.standardError.line("lntrace: \(problem)") }
        var session = CheckSession(inputs: input.inputs.map(CheckInput.path), captureOptions: captureOptions)
        session.format = input.inputFormat
        session.zone = input.zone
        session.aliases = input.aliases
        session.join = !input.noJoin
        session.hazards = hazards ?? .automatic
        let collector = DiagramCollector(around: around, channel: channel)
        let outcome = session.run(writer: collector)
        guard let diagram = collector.result else {
            Output.standardError.line(
                channel.map { "lntrace: no message of channel \($0) in the inputs" } ?? "lntrace: no channel message in the inputs to draw")
            Output.standardError.flush()
            throw ExitCode(2)
        }
        switch format {
        case .mermaid: Output.standardOutput.write(diagram.mermaid())
        case .svg: Output.standardOutput.write(diagram.svg())
        }
        Output.standardOutput.flush()
        if collector.truncated {
            Output.standardError.line("lntrace: the diagram stops at \(DiagramCollector.maximumRows) messages; --around or --channel draw less")
        }
        Output.standardError.flush()
        if outcome.incomplete || !keyLogProblems.isEmpty { throw ExitCode(2) }
    }
}
