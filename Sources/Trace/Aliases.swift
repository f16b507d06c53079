import Capture

/// Names for the nodes of a trace (`--alias ADDRESS=NAME`): an address (`10.0.0.1`), an
/// endpoint (`127.0.0.1:9735`, `[::1]:9735`) or a node id (or a prefix of 8 hex digits or
/// more) named as the user knows it (`bob`). Reports then call the node by that name.
public struct Aliases: Sendable {
    private var byKey: [String: String] = [:]
    private var nodePrefixes: [(prefix: String, name: String)] = []

    public init() {}

    public var isEmpty: Bool { byKey.isEmpty && nodePrefixes.isEmpty }

    /// Parses `KEY=NAME`; `nil` when it is not of that form.
    public mutating func add(_ text: String) -> Bool {
        guard let equals = text.lastIndex(of: "="), equals != text.startIndex else { return false }
        let key = String(text[..<equals]).lowercased(), name = String(text[text.index(after: equals)...])
        guard !name.isEmpty, !key.isEmpty else { return false }
        if key.count >= 8, key.count < 66, key.allSatisfy(\.isHexDigit) {
            nodePrefixes.append((key, name))
        } else {
            byKey[key] = name
        }
        return true
    }

    /// The name of an endpoint: its own alias, else its address's (unless `shared`: the other
    /// end has the same address, as on loopback, and the address names neither alone).
    public func name(for endpoint: Endpoint, shared: Bool = false) -> String? {
        if let name = byKey[endpoint.description.lowercased()] { return name }
        return shared ? nil : byKey["\(endpoint.address)".lowercased()]
    }

    /// The name of a node id (as a log names a peer).
    public func name(forNode id: String) -> String? {
        let key = id.lowercased()
        if let name = byKey[key] { return name }
        return nodePrefixes.first { key.hasPrefix($0.prefix) }?.name
    }

    /// Every name, with what it names (for `--local NAME`).
    public var names: Set<String> { Set(byKey.values).union(nodePrefixes.map(\.name)) }
}
