import Foundation
import XCTest

/// Snapshot testing of rendered text against files in `Snapshots/` next to this file.
///
/// Each snapshot is the `plainString` of a rendering plus a final newline, stored as
/// `Snapshots/<name>.txt`. A mismatch fails the test with a line diff (`-` expected,
/// `+` actual). To re-record every snapshot after an intended change, run the tests with
/// `FLUXION_RECORD_SNAPSHOTS=1` in the environment:
///
///     FLUXION_RECORD_SNAPSHOTS=1 swift test --skip-build --scratch-path .build-plots --filter TextPlotsTests
///
/// Recording writes the files and fails each recorded test (so a recording run is never
/// mistaken for a passing one); the next normal run must pass. A missing snapshot is recorded
/// the same way.
enum Snapshot {
    /// The folder holding the snapshot files.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots", isDirectory: true)

    /// Whether this run re-records snapshots.
    static var isRecording: Bool {
        let value = ProcessInfo.processInfo.environment["FLUXION_RECORD_SNAPSHOTS"] ?? ""
        return !value.isEmpty && value != "0"
    }

    /// Compares `text` with the snapshot `name` (or records it).
    static func assert(_ text: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
        let url = directory.appendingPathComponent(name + ".txt")
        let actual = text + "\n"
        let existing = try? String(contentsOf: url, encoding: .utf8)
        if isRecording || existing == nil {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
                XCTFail("recorded snapshot \(name).txt; run again without FLUXION_RECORD_SNAPSHOTS to check it\n\(text)",
                        file: file, line: line)
            } catch {
                XCTFail("cannot record snapshot \(url.path): \(error)", file: file, line: line)
            }
            return
        }
        guard let expected = existing, expected != actual else { return }
        XCTFail("snapshot \(name).txt differs (- expected, + actual); "
                + "set FLUXION_RECORD_SNAPSHOTS=1 to re-record:\n"
                + lineDiff(expected: expected, actual: actual), file: file, line: line)
    }

    /// A unified-style diff of two texts by lines (longest common subsequence), with line
    /// numbers of the expected text; unchanged lines are shown as context with two spaces.
    static func lineDiff(expected: String, actual: String) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                out.append(String(format: "%4d   ", i + 1) + a[i])
                i += 1
                j += 1
            } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
                out.append("     + " + b[j])
                j += 1
            } else {
                out.append(String(format: "%4d - ", i + 1) + a[i])
                i += 1
            }
        }
        return out.joined(separator: "\n")
    }
}

/// Deterministic pseudo-random numbers for test data (a 64-bit LCG, Knuth's MMIX constants).
struct TestRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
