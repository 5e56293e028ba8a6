import Foundation
import MeshtopGovernance
import MeshtopModel

extension Collector {
    /// The governance engine with the collector's intervals.
    func makeEngine(rules: RuleSet) -> GovernanceEngine {
        let governance = GovernanceConfig(
            evaluationIntervalMicros: config.evaluationIntervalMicros,
            metricFlushIntervalMicros: config.metricFlushIntervalMicros)
        return GovernanceEngine(config: governance, rules: rules)
    }

    /// The rules file's rules, or the defaults when there is none.
    func loadRules() throws -> RuleSet {
        guard let path = config.rulesPath else { return .empty }
        // Refuse an oversized file before reading it into memory (RuleSet.parse checks again).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
            size.intValue > RuleSet.maxFileBytes
        {
            throw CollectorError.rules(
                path: path,
                reason: RulesError.fileTooLarge(bytes: size.intValue, limit: RuleSet.maxFileBytes).description)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CollectorError.rules(path: path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        do {
            return try RuleSet.parse(yaml: text)
        } catch {
            throw CollectorError.rules(path: path, reason: "\(error)")
        }
    }
}
