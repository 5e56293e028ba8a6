import Foundation

/// Scenarios compiled into the binary, so `meshtop demo` works with nothing else installed. The text is the
/// same as `samples/scenarios/NAME.yaml` (a test keeps them equal).
public enum BuiltinScenarios {
    public static var names: [String] { ["shop"] }

    public static func yaml(named name: String) -> String? {
        switch name {
        case "shop": return shopYAML
        default: return nil
        }
    }

    /// A builtin name or a path to a YAML file.
    public static func load(_ nameOrPath: String) throws -> Scenario {
        if let text = yaml(named: nameOrPath) { return try Scenario.load(yaml: text) }
        guard FileManager.default.fileExists(atPath: nameOrPath),
            let text = try? String(contentsOfFile: nameOrPath, encoding: .utf8)
        else { throw ScenarioError.notFound(nameOrPath) }
        return try Scenario.load(yaml: text)
    }
}
