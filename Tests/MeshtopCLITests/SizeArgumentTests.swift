import ArgumentParser
import Foundation
import Testing

@testable import MeshtopCLI

/// Sizes on the command line (`SizeArgument`): the grammar, and usage errors that name the flag and the forms.
@Suite struct SizeArgumentTests {
    @Test func acceptsBytesAndBinaryUnitsInAnyCase() {
        let cases: [(String, Int64)] = [
            ("0", 0), ("4096", 4_096), ("512b", 512), ("512k", 524_288), ("512K", 524_288), ("1KB", 1_024),
            ("1KiB", 1_024), ("16M", 16 << 20), ("16mb", 16 << 20), ("32MiB", 32 << 20), ("2GiB", 2 << 30),
            ("1.5g", 3 << 29), ("1t", 1 << 40), ("1.5", 1),
        ]
        for (text, bytes) in cases {
            #expect(SizeArgument(argument: text)?.bytes == bytes, "\(text)")
            #expect(SizeArgument(argument: text)?.text == text)
        }
    }

    @Test func rejectsWhatIsNotASize() {
        for text in ["", "k", "12x", "-1", "1 MiB", " 1k", "1.2.3", ".5k", "5.k", "1e3", "1kk", "0x10", "١٢"] {
            #expect(SizeArgument(argument: text) == nil, "\(text)")
        }
        // Larger than Int64 bytes: refused, never a crash.
        #expect(SizeArgument(argument: "99999999999999999999t") == nil)
        #expect(SizeArgument(argument: "8388608t") == nil)
    }

    @Test func parserNamesTheFlagTheValueAndTheAcceptedForms() throws {
        let parse = SizeArgument.parser("--queue-bytes", in: 65_536...Int64.max, example: "32MiB")
        #expect(try parse("32MiB").bytes == 32 << 20)
        #expect(try parse("64k").bytes == 65_536)
        let bad = #expect(throws: ValidationError.self) { try parse("lots") }
        #expect(bad?.message == "--queue-bytes lots: not a size; expected \(SizeArgument.forms)")
        let small = #expect(throws: ValidationError.self) { try parse("1k") }
        #expect(small?.message == "--queue-bytes 1k: expected a size of at least 64KiB, e.g. 32MiB")
        let request = SizeArgument.parser("--max-request-size", in: 1_024...(1 << 30), example: "16MiB")
        let big = #expect(throws: ValidationError.self) { try request("2GiB") }
        #expect(big?.message == "--max-request-size 2GiB: expected a size from 1KiB to 1GiB, e.g. 16MiB")
    }

    @Test func collectAndAgentReadTheirSizesOnce() throws {
        let collect = try CollectCommand.parse([
            "--queue-bytes", "1M", "--max-request-size", "512k", "--max-db-size", "2GiB",
        ])
        let config = try collect.makeConfig()
        #expect(config.queueBytes == 1 << 20)
        #expect(config.maxRequestBytes == 512 << 10)
        #expect(config.maxDatabaseBytes == 2 << 30)
        let defaults = try CollectCommand.parse([]).makeConfig()
        #expect(defaults.queueBytes == 32 << 20)
        #expect(defaults.maxRequestBytes == 16 << 20)
        #expect(defaults.maxDatabaseBytes == nil)
        #expect(throws: (any Error).self) { try CollectCommand.parse(["--queue-bytes", "12x"]) }
        #expect(throws: (any Error).self) { try AgentCommand.parse(["--stdin", "--max-line", "100k"]) }
        #expect(try AgentCommand.parse(["--stdin", "--max-line", "1k"]).maxLine.bytes == 1_024)
    }

    @Test func readCoalesceTakesADurationOrZeroUpTo100ms() throws {
        #expect(try CollectCommand.parse([]).makeConfig().readCoalesceMicros == 1_000)
        #expect(try CollectCommand.parse(["--read-coalesce", "0"]).makeConfig().readCoalesceMicros == 0)
        #expect(try CollectCommand.parse(["--read-coalesce", "250us"]).makeConfig().readCoalesceMicros == 250)
        #expect(throws: (any Error).self) { try CollectCommand.parse(["--read-coalesce", "1s"]) }
        #expect(throws: (any Error).self) { try CollectCommand.parse(["--read-coalesce", "soon"]) }
    }

    @Test func aBadSizeIsAUsageErrorNamingTheFlag() throws {
        let error = Self.error { _ = try CollectCommand.parse(["--max-db-size", "big"]) }
        #expect(CollectCommand.exitCode(for: error) == .validationFailure)  // exit 2 (MeshtopMain)
        #expect(CollectCommand.fullMessage(for: error).contains("--max-db-size big: not a size"))
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try runMeshtop(bin, ["collect", "--db", dir + "/x.db", "--queue-bytes", "12x"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("--queue-bytes 12x: not a size; expected bytes (4096)"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.db"))
    }

    private static func error(_ body: () throws -> Void) -> any Error {
        do {
            try body()
            return ValidationError("no error")
        } catch {
            return error
        }
    }
}
