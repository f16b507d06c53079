import Foundation

/// A JSON Schema (draft 2020-12) validator for the keywords lntrace's schemas use: `type`,
/// `const`, `enum`, `required`, `properties`, `additionalProperties`, `items`, `maxItems`,
/// `minimum`, `pattern`, local `$ref`, `allOf`, `oneOf`. The CI cross-check validates the
/// same output with the `jsonschema` package as well.
public struct JSONSchema {
    let root: [String: Any]

    public init(_ data: Data) throws {
        root = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// Errors of `value` (parsed with JSONSerialization) against the schema at `pointer`
    /// (`#` or `#/$defs/NAME`); empty when valid.
    public func errors(_ value: Any, at pointer: String = "#") -> [String] {
        var out: [String] = []
        validate(value, resolve(pointer), "$", &out)
        return out
    }

    func resolve(_ ref: String) -> Any {
        var node: Any = root
        for part in ref.dropFirst(2).split(separator: "/") where !part.isEmpty {
            node = (node as? [String: Any])?[String(part)] ?? [:]
        }
        return node
    }

    static func typeName(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let n as NSNumber:
            // JSONSerialization makes booleans NSNumbers of Objective-C type `c`.
            if String(cString: n.objCType) == "c" { return "boolean" }
            return n.doubleValue == n.doubleValue.rounded() ? "integer" : "number"
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "unknown"
        }
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as String, y as String): return x == y
        case let (x as NSNumber, y as NSNumber): return x == y
        default: return false
        }
    }

    func validate(_ value: Any, _ schemaNode: Any, _ path: String, _ out: inout [String]) {
        if let flag = schemaNode as? Bool {
            if !flag { out.append("\(path): not allowed") }
            return
        }
        guard let schema = schemaNode as? [String: Any] else { return }
        if let ref = schema["$ref"] as? String { validate(value, resolve(ref), path, &out) }
        for sub in schema["allOf"] as? [Any] ?? [] { validate(value, sub, path, &out) }
        if let options = schema["oneOf"] as? [Any] {
            let matching = options.filter { option in
                var errors: [String] = []
                validate(value, option, path, &errors)
                return errors.isEmpty
            }
            if matching.count != 1 { out.append("\(path): matches \(matching.count) of oneOf") }
        }
        let type = Self.typeName(value)
        if let expected = schema["type"] {
            let allowed = (expected as? [String]) ?? [(expected as? String) ?? ""]
            if !allowed.contains(type) && !(type == "integer" && allowed.contains("number")) {
                out.append("\(path): \(type), expected \(allowed.joined(separator: " or "))")
            }
        }
        if let constant = schema["const"], !Self.equal(value, constant) { out.append("\(path): not \(constant)") }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal(value, $0) }) {
            out.append("\(path): \(value) not one of \(options)")
        }
        if let minimum = schema["minimum"] as? NSNumber, let n = value as? NSNumber, n.doubleValue < minimum.doubleValue {
            out.append("\(path): \(n) below \(minimum)")
        }
        if let pattern = schema["pattern"] as? String, let text = value as? String,
            text.range(of: pattern, options: .regularExpression) == nil
        {
            out.append("\(path): '\(text)' does not match \(pattern)")
        }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { out.append("\(path): missing '\(key)'") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, member) in object {
                if let sub = properties[key] {
                    validate(member, sub, "\(path).\(key)", &out)
                } else if let additional = schema["additionalProperties"] {
                    validate(member, additional, "\(path).\(key)", &out)
                }
            }
        }
        if let array = value as? [Any] {
            if let maximum = schema["maxItems"] as? Int, array.count > maximum { out.append("\(path): more than \(maximum) items") }
            if let items = schema["items"] {
                for (index, element) in array.enumerated() { validate(element, items, "\(path)[\(index)]", &out) }
            }
        }
    }
}
