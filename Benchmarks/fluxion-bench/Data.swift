import Foundation

/// Why the anchors' data could not be loaded; the message names the file and the line.
enum AnchorDataError: Error, CustomStringConvertible {
    case folderNotFound(searched: [String])
    case unreadable(path: String, reason: String)
    case notANumber(path: String, line: Int, token: String)
    case wrongCount(path: String, expected: Int, found: Int)
    case raggedRow(path: String, line: Int, expected: Int, found: Int)

    var description: String {
        switch self {
        case .folderNotFound(let searched):
            return "anchors data folder not found (set FLUXION_ANCHORS to shared/anchors); looked in:\n  "
                + searched.joined(separator: "\n  ")
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .notANumber(path, line, token):
            return "\(path):\(line): '\(token)' is not a number"
        case let .wrongCount(path, expected, found):
            return "\(path): expected \(expected) numbers, found \(found)"
        case let .raggedRow(path, line, expected, found):
            return "\(path):\(line): expected \(expected) columns, found \(found)"
        }
    }
}

/// The two parameter sets of the spiral network (shared/BENCHMARKS.md).
enum SpiralParameterSet: String, CaseIterable, Sendable {
    /// The untrained network: Glorot-uniform weights, zero biases (4-5 adaptive steps).
    case initial = "init"
    /// A trained-like network (about 55 adaptive steps).
    case fitted
}

/// The anchors' data files (shared/anchors/data), found and parsed.
///
/// Files are text: `#` starts a comment line, numbers are separated by whitespace and
/// newlines and parse as Swift `Double`s (the files hold round-trip decimal text).
struct AnchorData: Sendable {
    /// The `data` folder.
    let folder: URL

    /// Finds the data folder: `$FLUXION_ANCHORS` (the anchors folder, or its `data`
    /// folder) when set, and then nowhere else; otherwise `../shared/anchors` from the
    /// current directory, then `shared/anchors` beside each folder above the executable.
    static func locate() throws -> AnchorData {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["FLUXION_ANCHORS"], !env.isEmpty {
            let anchors = URL(fileURLWithPath: env, isDirectory: true).standardizedFileURL
            candidates.append(anchors.appendingPathComponent("data", isDirectory: true))
            candidates.append(anchors)
        } else {
            let cwd = URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true)
            candidates.append(cwd.appendingPathComponent("../shared/anchors/data", isDirectory: true))
            var dir = executableURL().deletingLastPathComponent().standardizedFileURL
            while true {
                candidates.append(dir.appendingPathComponent("shared/anchors/data", isDirectory: true))
                let parent = dir.deletingLastPathComponent().standardizedFileURL
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        var searched: [String] = []
        for candidate in candidates.map(\.standardizedFileURL) where !searched.contains(candidate.path) {
            searched.append(candidate.path)
            let probe = candidate.appendingPathComponent("spiral_params_init.txt").path
            if fm.fileExists(atPath: probe) {
                return AnchorData(folder: candidate)
            }
        }
        throw AnchorDataError.folderNotFound(searched: searched)
    }

    /// The spiral network's 252 parameters, in the order W1 (50×2, row-major), b1 (50),
    /// W2 (2×50, row-major), b2 (2) (`SpiralLayout`).
    func spiralParameters(_ set: SpiralParameterSet) throws -> [Double] {
        let path = file("spiral_params_\(set.rawValue).txt")
        let values = try readNumbers(path)
        guard values.count == SpiralLayout.count else {
            throw AnchorDataError.wrongCount(path: path, expected: SpiralLayout.count, found: values.count)
        }
        return values
    }

    /// The true spiral trajectory: 30 rows `[t, u1, u2]` on (0, 1.5).
    func spiralData() throws -> [[Double]] {
        try readTable(file("spiral_data.txt"), columns: 3)
    }

    /// The tight Lotka-Volterra reference (p = [1.5, 1, 3, 1], u0 = [1, 1]): 101 rows
    /// `[t, x, y]` at t = 0, 0.1, ..., 10.
    func lvReference() throws -> [[Double]] {
        try readTable(file("lv_reference.txt"), columns: 3)
    }

    private func file(_ name: String) -> String {
        folder.appendingPathComponent(name).path
    }
}

/// Every number in a text file, in order; `#` comment lines are skipped.
func readNumbers(_ path: String) throws -> [Double] {
    try readRows(path).flatMap(\.values)
}

/// The rows of a text table with `columns` numbers per line; `#` comment lines and blank
/// lines are skipped.
func readTable(_ path: String, columns: Int) throws -> [[Double]] {
    try readRows(path).map { row in
        guard row.values.count == columns else {
            throw AnchorDataError.raggedRow(path: path, line: row.line, expected: columns,
                                            found: row.values.count)
        }
        return row.values
    }
}

private func readRows(_ path: String) throws -> [(line: Int, values: [Double])] {
    let text: String
    do {
        text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        throw AnchorDataError.unreadable(path: path, reason: error.localizedDescription)
    }
    var rows: [(line: Int, values: [Double])] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
        var values: [Double] = []
        for token in trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
            guard let value = Double(token) else {
                throw AnchorDataError.notANumber(path: path, line: index + 1, token: String(token))
            }
            values.append(value)
        }
        rows.append((index + 1, values))
    }
    return rows
}

/// The running executable's path (/proc/self/exe on Linux, else argv[0]).
private func executableURL() -> URL {
    #if os(Linux)
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        return URL(fileURLWithPath: path)
    }
    #endif
    let arg0 = CommandLine.arguments.first ?? "."
    return URL(fileURLWithPath: arg0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        .standardizedFileURL
}
