import Foundation
import MeshtopGovernance

/// A rules file read by a reader for a what-if (`query services --rules`, `replay --rules`): the same bounds and
/// messages as the collector's; an unusable file is a usage error (exit 2) naming the line.
enum RulesFile {
    static func load(_ path: String, flag: String = "--rules") throws(MeshtopError) -> RuleSet {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
            size.intValue > RuleSet.maxFileBytes
        {
            let e = RulesError.fileTooLarge(bytes: size.intValue, limit: RuleSet.maxFileBytes)
            throw .usage("\(flag) \(path): \(e.description)")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .usage("\(flag) \(path): cannot read the file (\(error.localizedDescription)); check the path")
        }
        do {
            return try RuleSet.parse(yaml: text)
        } catch {
            throw .usage("\(flag) \(path): \(error.description)")
        }
    }
}
