import Foundation

/// The tutorials on disk: a directory of `NAME.flx` files.
///
/// Where it is: `$FLUXION_TUTORIALS` if set, else `tutorials/` in the working directory,
/// else `tutorials/` beside the executable or in one of its parent directories (a build in
/// `.build/debug/fluxion` finds the repository's `tutorials/`).
public struct TutorialLibrary: Sendable {
    /// The directory holding the `.flx` files.
    public var directory: String

    /// What to say when `locate()` finds no library.
    public static let notFound = "no tutorials folder found (set FLUXION_TUTORIALS to a folder of .flx files)"

    /// A library in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// The library found as the type's documentation says, or nil when there is none.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              workingDirectory: String = FileManager.default.currentDirectoryPath,
                              executable: String? = Bundle.main.executablePath ?? CommandLine.arguments.first)
        -> TutorialLibrary? {
        if let explicit = environment["FLUXION_TUTORIALS"], !explicit.isEmpty {
            return TutorialLibrary(directory: explicit)
        }
        var candidates = [(workingDirectory as NSString).appendingPathComponent("tutorials")]
        if let executable, executable.contains("/") {
            var folder = (URL(fileURLWithPath: executable).resolvingSymlinksInPath().path as NSString)
                .deletingLastPathComponent
            while folder != "/" && !folder.isEmpty {
                candidates.append((folder as NSString).appendingPathComponent("tutorials"))
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        return candidates.first(where: isDirectory).map(TutorialLibrary.init(directory:))
    }

    private static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// The tutorial names, sorted.
    public var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".flx") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// The path of tutorial `name`.
    public func path(of name: String) -> String {
        (directory as NSString).appendingPathComponent(name + ".flx")
    }

    /// Tutorial `name` from `library`, or the file `name` when it is a path (ends in `.flx`
    /// or holds a `/`), which needs no library.
    public static func tutorial(_ name: String, in library: TutorialLibrary?) throws -> Tutorial {
        if name.hasSuffix(".flx") || name.contains("/") { return try Tutorial(contentsOf: name) }
        guard let library else {
            throw TutorialError(path: "", line: nil, message: notFound)
        }
        return try library.tutorial(named: name)
    }

    /// Tutorial `name`; the error names the known tutorials when there is no such file.
    public func tutorial(named name: String) throws -> Tutorial {
        let path = path(of: name)
        guard FileManager.default.fileExists(atPath: path) else {
            let known = names.isEmpty ? "none in \(directory)" : names.joined(separator: ", ")
            throw TutorialError(path: path, line: nil, message: "no tutorial named '\(name)' (known: \(known))")
        }
        return try Tutorial(contentsOf: path)
    }

    /// Every tutorial, sorted by name, with the files that failed to read as errors.
    public func all() -> [Result<Tutorial, TutorialError>] {
        names.map { name in
            do { return .success(try tutorial(named: name)) } catch let error as TutorialError {
                return .failure(error)
            } catch {
                return .failure(TutorialError(path: path(of: name), line: nil, message: "\(error)"))
            }
        }
    }

    /// The list `fluxion tutorial` and `:tutorials` show: one line per tutorial (name and
    /// title) and, with `summaries`, the summary indented under it.
    public func menu(summaries: Bool = true) -> [String] {
        let entries = all()
        let nameWidth = entries.map { entry -> Int in
            switch entry {
            case .success(let tutorial): return tutorial.name.count
            case .failure(let error): return ((error.path as NSString).lastPathComponent as NSString)
                .deletingPathExtension.count
            }
        }.max() ?? 0
        return entries.flatMap { entry -> [String] in
            switch entry {
            case .success(let tutorial):
                let padded = tutorial.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                return ["  \(padded)  \(tutorial.title)"] + (summaries ? ["      " + tutorial.summary] : [])
            case .failure(let error):
                return ["  (unreadable) \(error)"]
            }
        }
    }
}
