import Foundation
import MeshtopGovernance

/// A rules file read by a reader for a what-if (`query services --rules`, `replay --rules`): the same bounds and
/// messages as the collector's; an unusable file exits 2 (usage) naming the line.
enum RulesFile {
    static func load(_ path: String, flag: String = "--rules") -> RuleSet {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
            size.intValue > RuleSet.maxFileBytes
        {
            let e = RulesError.fileTooLarge(bytes: size.intValue, limit: RuleSet.maxFileBytes)
            fail("\(flag) \(path): \(e.description)", code: MeshtopExit.usage)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            fail("\(flag) \(path): cannot read the file (\(error.localizedDescription)); check the path",
                code: MeshtopExit.usage)
        }
        do {
            return try RuleSet.parse(yaml: text)
        } catch {
            fail("\(flag) \(path): \(error.description)", code: MeshtopExit.usage)
        }
    }
}
