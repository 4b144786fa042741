import Foundation

/// Julia's limited printing: what the REPL shows of a large array fits a screen of
/// `displayRows` × `displayWidth` (Julia's default 24 × 80 less the prompt and header), with
/// `⋮`, `…` and `⋱` where rows and columns are left out. `println(x)`, `repr` and `string` print
/// everything, as Julia's do on a stream without `:limit`.
extension Value {
    /// Rows (or vector entries) shown before eliding: the first and last half of them.
    static let displayRows = 20
    /// Characters a displayed row may take.
    static let displayWidth = 80

    /// `0..<count`, or its first and last `limit / 2` with nil for the gap when longer than `limit`.
    static func shownIndices(_ count: Int, limit: Int) -> [Int?] {
        guard count > limit else { return Array(0..<count) }
        let half = limit / 2
        return Array(0..<half) + [nil] + Array((count - half)..<count)
    }

    /// Julia's `show` with `:limit => true`: arrays longer than `displayRows` as their ends
    /// around `…` (`[1, 2, …, 10  …  91, …, 100]`), inside tuples and named tuples too.
    var limitedRepr: String {
        func limited(_ items: [String]) -> String {
            guard items.count > Value.displayRows else { return items.joined(separator: ", ") }
            let half = Value.displayRows / 2
            return items.prefix(half).joined(separator: ", ") + "  …  " + items.suffix(half).joined(separator: ", ")
        }
        switch self {
        case .array(let array) where array.axes != nil:
            return ComponentAxes.describe(array) { $0.limitedRepr }
        case .array(let array) where array.storage.count > Value.displayRows:
            guard array.isMatrix else { return "[" + limited(array.storage.indices.map { array.element($0).repr }) + "]" }
            let rows = Value.shownIndices(array.rows, limit: Value.displayRows).map { row in
                row.map { row in
                    Value.shownIndices(array.columns, limit: Value.displayRows)
                        .map { $0.map { array.element(row * array.columns + $0).repr } ?? "…" }.joined(separator: " ")
                } ?? "⋮"
            }
            return "[" + rows.joined(separator: "; ") + "]"
        case .list(let list) where list.items.count > Value.displayRows:
            let prefix = repr.hasPrefix("[") ? "" : String(repr.prefix(while: { $0 != "[" }))
            return prefix + "[" + limited(list.items.map(\.limitedRepr)) + "]"
        case .tuple(let items):
            return "(" + items.map(\.limitedRepr).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .namedTuple(let names, let values):
            let fields = zip(names, values).map { "\($0) = \($1.limitedRepr)" }
            return "(" + fields.joined(separator: ", ") + (fields.count == 1 ? ",)" : ")")
        case .pair(let first, let second): return first.limitedRepr + " => " + second.limitedRepr
        case .object(let instance): return instance.type.name + "(" + instance.values.map(\.limitedRepr).joined(separator: ", ") + ")"
        case .tape(let t): return t.plain.limitedRepr
        default: return repr
        }
    }

    /// Rows of cells aligned on the decimal point, columns two spaces apart, one leading space;
    /// beyond `displayRows` rows the middle ones become a `⋮` row, and columns that would pass
    /// `displayWidth` are left out from the middle, marked `…` (`⋱` where both meet), as Julia does.
    static func alignedRows(rows: Int, columns: Int, cell: (Int, Int) -> String) -> String {
        func split(_ text: String) -> (String, String) {
            guard let dot = text.firstIndex(where: { $0 == "." || $0 == "e" }) else { return (text, "") }
            return (String(text[..<dot]), String(text[dot...]))
        }
        let shownRows = shownIndices(rows, limit: displayRows)
        // Every column's widths over the shown rows: (left of the point, from the point on).
        var widths: [(left: Int, right: Int)] = Array(repeating: (0, 0), count: columns)
        var cells: [Int: [(String, String)]] = [:]
        for row in shownRows.compactMap({ $0 }) {
            let parts = (0..<columns).map { split(cell(row, $0)) }
            cells[row] = parts
            for (column, part) in parts.enumerated() {
                widths[column] = (max(widths[column].left, part.0.count), max(widths[column].right, part.1.count))
            }
        }
        let shownColumns = elidedColumns(widths.map { $0.left + $0.right })
        let lines = shownRows.map { row -> String in
            var line = ""
            for (position, column) in shownColumns.enumerated() {
                line += position == 0 ? " " : "  "
                guard let column else {
                    line += row == nil ? "⋱" : "…"
                    continue
                }
                let width = widths[column]
                guard let row, let (left, right) = cells[row]?[column] else {
                    // The ⋮ of an elided row sits where the column's numbers end left of the point.
                    line += String(repeating: " ", count: max(width.left - 1, 0)) + "⋮"
                        + String(repeating: " ", count: width.right + (width.left == 0 ? -1 : 0))
                    continue
                }
                line += String(repeating: " ", count: width.left - left.count) + left + right
                    + String(repeating: " ", count: width.right - right.count)
            }
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }
        return lines.joined(separator: "\n")
    }

    /// The columns that fit `displayWidth` given their widths: all, or some from each end
    /// (taken alternately, as Julia does) with nil for the `…` between them.
    static func elidedColumns(_ widths: [Int]) -> [Int?] {
        let total = widths.reduce(0, +) + 2 * widths.count - 1
        guard total > displayWidth, widths.count > 2 else { return Array(widths.indices) }
        var left: [Int] = [], right: [Int] = []
        var used = 1 + 3   // the leading space and "  …"
        var (i, j) = (0, widths.count - 1)
        while i <= j {
            let fromLeft = left.count <= right.count
            let next = fromLeft ? i : j
            guard used + widths[next] + 2 <= displayWidth else { break }
            used += widths[next] + 2
            if fromLeft { left.append(i); i += 1 } else { right.append(j); j -= 1 }
        }
        if left.isEmpty { left = [0] }
        return left + [nil] + right.reversed()
    }
}
