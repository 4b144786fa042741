import CSV
import Foundation

/// One row of a delimited file: its fields and the line it starts on (1-based).
struct DelimitedRow {
    var fields: [String]
    var line: Int
}

extension Interpreter {
    /// Julia's DelimitedFiles (`readdlm`, `writedlm`) and the older `readcsv`/`writecsv`: numbers
    /// in text files, through the CSV.swift package (RFC 4180 quoting). Paths are relative to
    /// the current directory, as `save_session`'s are.
    static var delimitedFileBuiltins: [Builtin] {
        let readKeywords: Set<String> = ["header", "skipstart", "comments", "comment_char", "skipblanks"]
        return [
            Builtin(name: "readdlm", signature: "readdlm(path, delim = whitespace, T = Float64; header = false, skipstart = 0, comments = false) "
                        + "— a Matrix of numbers from a text file; with header = true, (data, header)") { call in
                try call.expect(1...3)
                try call.allowKeywords(readKeywords)
                var delimiter: Character?
                var integer = false
                for argument in call.arguments.dropFirst() {
                    switch argument {
                    case .string(let text) where text.count == 1: delimiter = text.first
                    case .type(let name) where ["Float64", "Float32"].contains(name): integer = false
                    case .type(let name) where ["Int", "Int64"].contains(name): integer = true
                    case .type(let name):
                        throw call.error("readdlm: a \(name) matrix is not available; Fluxion's matrices hold numbers",
                                         hint: "read numbers (Float64 or Int), with header = true for a line of column names")
                    default:
                        throw call.error("readdlm: the delimiter must be one character, got \(argument.repr)", hint: "readdlm(path, ',')")
                    }
                }
                return try readDelimited(call, delimiter: delimiter, integer: integer)
            },
            Builtin(name: "readcsv", signature: "readcsv(path; header = false, skipstart = 0) — readdlm(path, ',')") { call in
                try call.expect(1)
                try call.allowKeywords(readKeywords)
                return try readDelimited(call, delimiter: ",", integer: false)
            },
            Builtin(name: "writedlm", signature: "writedlm(path, A, delim = '\\t'; header = names) "
                        + "— a matrix (rows), a vector (one per line) or rows of values; written atomically") { call in
                try call.expect(2...3)
                try call.allowKeywords(["header"])
                var delimiter = "\t"
                if call.arguments.count == 3 {
                    guard case .string(let text) = call.arguments[2], !text.isEmpty else {
                        throw call.error("writedlm: the delimiter must be a string or character, got \(call.arguments[2].repr)")
                    }
                    delimiter = text
                }
                return try writeDelimited(call, delimiter: delimiter)
            },
            Builtin(name: "tempname", signature: "tempname() — a new path in the temporary directory (nothing is created)") { call in
                try call.expect(0)
                let directory = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
                return .string(directory + "/fluxion-" + UUID().uuidString.lowercased())
            },
            Builtin(name: "joinpath", signature: "joinpath(parts...) — path parts joined with /") { call in
                guard !call.arguments.isEmpty else { throw call.error("joinpath needs at least one part") }
                return .string(call.arguments.map(\.plainText).reduce("") { path, part in
                    part.hasPrefix("/") || path.isEmpty ? part : path + (path.hasSuffix("/") ? "" : "/") + part
                })
            },
            Builtin(name: "isfile", signature: "isfile(path) — whether path is an existing regular file") { call in
                try call.expect(1)
                var isDirectory: ObjCBool = false
                return .bool(FileManager.default.fileExists(atPath: call.arguments[0].plainText, isDirectory: &isDirectory) && !isDirectory.boolValue)
            },
            Builtin(name: "rm", signature: "rm(path; force = false) — removes a file (force: no error when it is missing)") { call in
                try call.expect(1)
                try call.allowKeywords(["force"])
                let path = try filePath(call)
                if case .bool(true)? = call.keyword("force"), !FileManager.default.fileExists(atPath: path) { return .nothing }
                guard unlink(path) == 0 else {
                    throw call.error("rm: cannot remove \(path): \(String(cString: strerror(errno)))")
                }
                return .nothing
            },
            Builtin(name: "writecsv", signature: "writecsv(path, A; header = names) — writedlm(path, A, ','), written atomically") { call in
                try call.expect(2)
                try call.allowKeywords(["header"])
                return try writeDelimited(call, delimiter: ",")
            },
        ]
    }

    /// The path argument: a non-empty string.
    private static func filePath(_ call: BuiltinCall) throws -> String {
        guard case .string(let path) = call.arguments[0], !path.isEmpty else {
            throw call.error("\(call.name) needs a file name (a string), got \(call.arguments[0].repr)")
        }
        return path
    }

    /// `readdlm`/`readcsv`: a Float64 (or Int) matrix, always two-dimensional as Julia's, or
    /// `(data, header)` with the header a vector of strings (Julia's is a 1 × n matrix).
    static func readDelimited(_ call: BuiltinCall, delimiter: Character?, integer: Bool) throws -> Value {
        let path = try filePath(call)
        func flag(_ key: String, _ fallback: Bool) throws -> Bool {
            guard let value = call.keyword(key) else { return fallback }
            guard case .bool(let flag) = value else { throw call.error("\(key) must be true or false, got \(value.repr)") }
            return flag
        }
        let header = try flag("header", false), comments = try flag("comments", false)
        var skipstart = 0
        if let value = call.keyword("skipstart") {
            guard let n = value.asInt, value.isNumber, n >= 0 else { throw call.error("skipstart must be a count of lines, got \(value.repr)") }
            skipstart = n
        }
        let commentMark = call.keyword("comment_char")?.plainText.first ?? "#"
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw call.error("\(call.name): cannot read \(path): " + (!exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied"),
                             hint: "a relative path is relative to the current directory, \(FileManager.default.currentDirectoryPath)")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw call.error("\(call.name): cannot read \(path): not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var rows = try delimitedRows(text, delimiter: delimiter, path: path, call)
        rows.removeAll { $0.line <= skipstart }
        if comments {
            // Everything from the comment mark on is dropped; so is a line left blank.
            rows = rows.compactMap { row in
                var fields: [String] = []
                for field in row.fields {
                    guard let mark = field.firstIndex(of: commentMark) else { fields.append(field); continue }
                    let before = String(field[..<mark])
                    if !before.trimmingCharacters(in: .whitespaces).isEmpty { fields.append(before) }
                    break
                }
                return fields.isEmpty ? nil : DelimitedRow(fields: fields, line: row.line)
            }
        }
        var names: [String]?
        if header {
            guard !rows.isEmpty else { throw call.error("\(call.name): \(path) has no header line") }
            names = rows.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let columns = names?.count ?? rows.first?.fields.count ?? 0
        var storage: [Double] = []
        storage.reserveCapacity(rows.count * columns)
        for row in rows {
            guard row.fields.count == columns else {
                let reference = names != nil ? "the header has" : "line \(rows[0].line) has"
                throw call.error("\(call.name): \(path) line \(row.line) has \(row.fields.count) fields; \(reference) \(columns)",
                                 hint: "every line needs the same number of fields (Fluxion's matrices cannot be ragged)")
            }
            for (column, field) in row.fields.enumerated() {
                let cell = field.trimmingCharacters(in: .whitespaces)
                guard let number = Double(cell) ?? ["NaN": Double.nan, "Inf": .infinity, "-Inf": -.infinity][cell] else {
                    throw call.error("\(call.name): \(path) line \(row.line), column \(column + 1): \(cell.isEmpty ? "an empty field" : "\"\(cell)\"") is not a number",
                                     hint: row.line == 1 && !header ? "a line of column names: header = true" : "Fluxion's matrices hold numbers only")
                }
                if integer, number.rounded() != number || !number.isFinite {
                    throw call.error("\(call.name): \(path) line \(row.line), column \(column + 1): \(cell) is not an integer")
                }
                storage.append(number)
            }
        }
        let matrix = Value.array(NumericArray(storage, shape: [rows.count, rows.isEmpty ? 0 : columns], isInteger: integer))
        guard let names else { return matrix }
        return .tuple([matrix, .list(ValueList(names.map { .string($0) }))])
    }

    /// The non-blank rows of `text`: fields split at `delimiter` with RFC 4180 quotes (CSV.swift),
    /// or at runs of blanks when there is no delimiter.
    static func delimitedRows(_ text: String, delimiter: Character?, path: String, _ call: BuiltinCall) throws -> [DelimitedRow] {
        guard let delimiter else {
            return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
                return fields.isEmpty ? nil : DelimitedRow(fields: fields, line: index + 1)
            }
        }
        guard let scalar = delimiter.unicodeScalars.first, delimiter.unicodeScalars.count == 1 else {
            throw call.error("\(call.name): the delimiter must be one character, got \"\(delimiter)\"")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, delimiter: scalar)
        } catch {
            throw call.error("\(call.name): cannot read \(path): \(error)")
        }
        var rows: [DelimitedRow] = []
        var line = 1
        while let fields = reader.next() {
            // A quoted field may hold line breaks: the next row starts that many lines further on.
            let breaks = fields.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == "\n" || $1 == "\r\n" ? 1 : 0) } }
            if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) {
                rows.append(DelimitedRow(fields: fields, line: line))
            }
            line += 1 + breaks
        }
        if let error = reader.error { throw call.error("\(call.name): cannot read \(path) near line \(line): \(error)") }
        return rows
    }

    /// `writedlm`/`writecsv`: the rows of a matrix, one value per line for a vector, or each
    /// element of a vector of vectors or tuples as a row; written atomically (temporary file,
    /// fsync, rename), so a failed write leaves the old file as it was.
    static func writeDelimited(_ call: BuiltinCall, delimiter: String) throws -> Value {
        let path = try filePath(call)
        var rows: [[String]] = []
        if let value = call.keyword("header") {
            rows.append(try call.interpreter.elements(value, call.span).map(\.plainText))
        }
        func cell(_ value: Value, _ row: Int, _ column: Int) throws -> String {
            switch value {
            case .int, .bool, .string, .symbol: return value.plainText
            case .float(let x): return Value.format(x)
            default:
                throw call.error("\(call.name): cannot write a \(value.typeName) (row \(row), column \(column))",
                                 hint: "write numbers, Bools or strings")
            }
        }
        let data = call.arguments[1]
        switch data {
        case .array(let array) where array.isMatrix:
            for i in 0..<array.rows {
                rows.append(try (0..<array.columns).map { j in try cell(array.element(i * array.columns + j), i + 1, j + 1) })
            }
        case .int, .float, .bool, .string, .symbol:
            rows.append([try cell(data, 1, 1)])
        default:
            guard call.interpreter.isCollection(data) || { if case .tuple = data { return true } else { return false } }() else {
                throw call.error("\(call.name): cannot write a \(data.typeName)", hint: "write a matrix, a vector, or a vector of rows")
            }
            for (i, item) in try call.interpreter.elements(data, call.span).enumerated() {
                switch item {
                case .array, .list, .tuple, .range:
                    rows.append(try call.interpreter.elements(item, call.span).enumerated().map { j, x in try cell(x, i + 1, j + 1) })
                default:
                    rows.append([try cell(item, i + 1, 1)])
                }
            }
        }
        let output = OutputStream(toMemory: ())
        var bytes: [UInt8]
        do {
            let writer = try CSVWriter(stream: output, delimiter: delimiter)
            for row in rows { try writer.write(row: row) }
            bytes = [UInt8]((output.property(forKey: .dataWrittenToMemoryStreamKey) as? Data) ?? Data())
        } catch {
            throw call.error("\(call.name): cannot format \(path): \(error)")
        }
        if !rows.isEmpty { bytes.append(0x0A) }
        // The atomic writer would create a missing directory (sessions/ is made on demand); Julia's
        // writedlm does not.
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw call.error("\(call.name): cannot write \(path): no such directory \(directory)")
        }
        do {
            try SessionFile.writeAtomically(bytes, to: path)
        } catch let error as SessionFileError {
            throw call.error("\(call.name): cannot write \(path): \(error.problem)", hint: "the file, if there was one, is unchanged")
        }
        return .nothing
    }
}
