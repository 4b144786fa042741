import DiffEq
import Foundation
import TextPlots

extension Interpreter {
    /// `plot`, `plot!`, `scatter`, `scatter!`: Plots.jl's names, drawing with TextPlots. A plot
    /// is a value that prints as its text rendering; nothing here touches a terminal.
    static var plotBuiltins: [Builtin] { [
        Builtin(name: "plot", signature: "plot(sol), plot(sim), plot(EnsembleSummary(sim)), plot(y), plot(x, y); title, xlabel, ylabel, label, yscale") { call in
            try makePlot(call, kind: .line)
        },
        Builtin(name: "scatter", signature: "scatter(y), scatter(x, y); title, xlabel, ylabel, label, yscale") { call in
            try makePlot(call, kind: .scatter)
        },
        Builtin(name: "plot!", signature: "plot!(p, x, y), plot!(p, sol), plot!(x, y); label, ...") { call in
            try addToPlot(call, kind: .line)
        },
        Builtin(name: "scatter!", signature: "scatter!(p, x, y), scatter!(x, y); label, ...") { call in
            try addToPlot(call, kind: .scatter)
        },
        Builtin(name: "occursin", signature: "occursin(needle, haystack)") { call in
            try call.expect(2)
            return .bool(call.arguments[1].plainText.contains(call.arguments[0].plainText))
        },
    ] }

    /// Keywords the plot functions understand; the `ignoredPlotKeywords` are accepted and
    /// have no effect on a text plot.
    static let plotKeywords: Set<String> = ["title", "xlabel", "ylabel", "label", "yscale", "xscale", "xlims", "ylims", "legend", "idxs"]
    /// Styling keywords of Plots.jl that a text plot cannot show; accepted so pasted code runs.
    static let ignoredPlotKeywords: Set<String> = [
        "lw", "linewidth", "linestyle", "ls", "color", "c", "markersize", "ms", "markershape", "alpha", "dpi", "size",
        "framestyle", "grid", "marker", "seriescolor", "fmt",
    ]

    /// `plot(...)`, `scatter(...)`: a new plot, which becomes the current one.
    static func makePlot(_ call: BuiltinCall, kind: SeriesKind) throws -> Value {
        try call.allowKeywords(plotKeywords.union(ignoredPlotKeywords))
        // plot(p) of a plot (Plots.jl's `display(plot(plt))`): that plot, with any settings applied.
        if call.arguments.count == 1, case .engine(.plot(let object)) = call.arguments[0] {
            var plot = object.plot
            try applySettings(call, &plot)
            object.plot = plot
            call.interpreter.currentPlot = object
            call.interpreter.plotted?(object.plot)
            return .engine(.plot(object))
        }
        if call.keyword("idxs") != nil, !isTimeSeries(call.arguments.first) {
            throw call.error("plot: idxs selects components of a solution", hint: "plot(sol, idxs = 1)")
        }
        var plot = Plot()
        if kind == .scatter { plot.xLimits = .auto }
        for series in try seriesFrom(call, call.arguments, kind: kind, existing: 0) { plot.add(series) }
        if isTimeSeries(call.arguments.first), call.keyword("xlabel") == nil { plot.xLabel = "t" }
        try applySettings(call, &plot)
        let object = PlotObject(plot: plot, style: call.interpreter.unicode ? .braille : .ascii)
        call.interpreter.currentPlot = object
        call.interpreter.plotted?(object.plot)
        return .engine(.plot(object))
    }

    /// `plot!(p, ...)`, `scatter!(p, ...)`: adds series to `p` (or to the current plot).
    static func addToPlot(_ call: BuiltinCall, kind: SeriesKind) throws -> Value {
        try call.allowKeywords(plotKeywords.union(ignoredPlotKeywords))
        var arguments = call.arguments
        let object: PlotObject
        if case .engine(.plot(let given)) = arguments.first {
            object = given
            arguments.removeFirst()
        } else if let current = call.interpreter.currentPlot {
            object = current
        } else {
            throw call.error("\(call.name) has no plot to add to", hint: "make one first: p = plot(...), then \(call.name)(p, x, y)")
        }
        var plot = object.plot
        for series in try seriesFrom(call, arguments, kind: kind, existing: plot.series.count) { plot.add(series) }
        try applySettings(call, &plot)
        object.plot = plot
        call.interpreter.currentPlot = object
        call.interpreter.plotted?(object.plot)
        return .engine(.plot(object))
    }

    /// The series `plot(sol)`, `plot(y)`, `plot(x, y)` describe (a matrix `y` gives one
    /// series per column, as in Plots.jl), named from `label` or `y1`, `y2`, ….
    static func seriesFrom(_ call: BuiltinCall, _ arguments: [Value], kind: SeriesKind, existing: Int) throws -> [Series] {
        if arguments.count == 1, let series = try ensembleSeries(call, arguments[0], kind: kind) { return series }
        var x: [Double]?
        var columns: [[Double]] = []
        var names: [String] = []
        switch arguments.count {
        case 0: return []
        case 1:
            if case .engine(.solution(let wrapper)) = arguments[0] {
                (x, columns) = solutionCurves(wrapper.solution)
                names = (1...max(columns.count, 1)).map { "u\($0)(t)" }
                let picked = try pickedComponents(call, width: columns.count)
                columns = picked.map { columns[$0] }
                names = picked.map { names[$0] }
            } else {
                columns = try plotColumns(arguments[0], call)
            }
        case 2:
            x = try plotColumns(arguments[0], call).first
            columns = try plotColumns(arguments[1], call)
            if let x, let length = columns.first?.count, x.count != length {
                throw call.error("plot: x has \(x.count) points and y has \(length)")
            }
        default:
            throw call.error("MethodError: no method matching \(call.name) with \(arguments.count) data arguments",
                             hint: "call it as \(call.signature)")
        }
        if let label = call.keyword("label") {
            switch label {
            case .string(let text): names = columns.count == 1 ? [text] : columns.indices.map { "\(text)\($0 + 1)" }
            case .nothing, .bool(false): names = columns.map { _ in "" }
            default: names = try call.interpreter.elements(label, call.span).map(\.plainText)
            }
        }
        if names.isEmpty { names = columns.indices.map { "y\(existing + $0 + 1)" } }
        return columns.enumerated().map { index, y in
            let name = index < names.count ? names[index] : ""
            if let x { return Series(name: name, x: x, y: y, kind: kind) }
            return Series(name: name, y: y, kind: kind)
        }
    }

    /// Whether `value` is drawn against time (a solution, an ensemble, an ensemble summary).
    static func isTimeSeries(_ value: Value?) -> Bool {
        switch value {
        case .engine(.solution)?, .engine(.ensembleSolution)?, .engine(.ensembleSummary)?: return true
        default: return false
        }
    }

    /// Plots.jl's `idxs`: the components to draw (0-based here), all of them when not given.
    static func pickedComponents(_ call: BuiltinCall, width: Int) throws -> [Int] {
        guard let value = call.keyword("idxs") else { return Array(0..<width) }
        let wanted = value.isNumber ? [value] : try call.interpreter.elements(value, call.span)
        return try wanted.map { item -> Int in
            guard let i = item.asInt, i >= 1, i <= width else {
                throw call.error("plot: idxs \(item.repr) is not a component 1:\(width) of the solution")
            }
            return i - 1
        }
    }

    /// `plot(sim)`: every trajectory's components (only the first trajectory's are named, so
    /// the legend names the components once); `plot(EnsembleSummary(sim))`: each component's
    /// mean between its two quantiles. Nil for other values.
    static func ensembleSeries(_ call: BuiltinCall, _ value: Value, kind: SeriesKind) throws -> [Series]? {
        switch value {
        case .engine(.ensembleSolution):
            let sim = try ensembleSolutions(BuiltinCall(interpreter: call.interpreter, name: call.name, signature: call.signature,
                                                        arguments: [value], keywords: [], span: call.span))
            let picked = try pickedComponents(call, width: sim[0].width)
            return sim.enumerated().flatMap { k, solution in
                let (x, columns) = solutionCurves(solution)
                return picked.map { j in Series(name: k == 0 ? "u\(j + 1)(t)" : "", x: x, y: columns[j], kind: kind) }
            }
        case .engine(.ensembleSummary(let summary)):
            let picked = try pickedComponents(call, width: summary.width)
            func column(_ values: [Double], _ j: Int) -> [Double] { (0..<summary.t.count).map { values[$0 * summary.width + j] } }
            let (lo, hi) = (Value.format(summary.quantiles.0), Value.format(summary.quantiles.1))
            return picked.flatMap { j in [
                Series(name: "u\(j + 1) mean", x: summary.t, y: column(summary.mean, j), kind: kind),
                Series(name: "u\(j + 1) q\(lo)", x: summary.t, y: column(summary.low, j), kind: kind),
                Series(name: "u\(j + 1) q\(hi)", x: summary.t, y: column(summary.high, j), kind: kind),
            ] }
        default: return nil
        }
    }

    /// A solution's components against time: its dense output at 400 points when it has
    /// one (as Plots.jl plots the interpolation), else the saved points.
    static func solutionCurves(_ solution: ODESolution) -> ([Double], [[Double]]) {
        let n = solution.width
        if solution.hasDenseOutput, let first = solution.t.first, let last = solution.t.last, first != last {
            let count = 400
            let times = (0..<count).map { first + (last - first) * Double($0) / Double(count - 1) }
            let states = solution(times)
            if states.allSatisfy({ $0 != nil }) {
                let columns = (0..<n).map { j in states.map { $0?[j] ?? .nan } }
                return (times, columns)
            }
        }
        return (solution.t, (0..<n).map(solution.component))
    }

    /// A vector as one column, a matrix as its columns.
    static func plotColumns(_ value: Value, _ call: BuiltinCall) throws -> [[Double]] {
        if case .array(let array) = value, array.isMatrix {
            return (0..<array.columns).map { column in (0..<array.rows).map { array.storage[$0 * array.columns + column] } }
        }
        if case .engine(.solution(let wrapper)) = value { return (0..<wrapper.solution.width).map(wrapper.solution.component) }
        guard call.interpreter.isCollection(value) || { if case .tuple = value { return true } else { return false } }() else {
            throw call.error("cannot plot \(value.typeName)", hint: "plot a vector, a matrix or a solution")
        }
        let items = try call.interpreter.elements(value, call.span)
        return [try items.map { item in
            guard let number = item.asDouble else { throw call.error("cannot plot \(item.typeName) values", hint: "plot numbers") }
            return number
        }]
    }

    /// `title`, `xlabel`, `ylabel`, `xscale`/`yscale` (`:log10`, `:identity`), `xlims`/`ylims`, `legend`.
    static func applySettings(_ call: BuiltinCall, _ plot: inout Plot) throws {
        if let value = call.keyword("title") { plot.title = value.plainText }
        if let value = call.keyword("xlabel") { plot.xLabel = value.plainText }
        if let value = call.keyword("ylabel") { plot.yLabel = value.plainText }
        func scale(_ key: String) throws -> AxisScale? {
            guard let value = call.keyword(key) else { return nil }
            switch value.plainText.trimmingCharacters(in: CharacterSet(charactersIn: ":")) {
            case "log10", "log": return .log10
            case "identity", "linear": return .linear
            default: throw call.error("\(key) must be :log10 or :identity, got \(value.repr)")
            }
        }
        if let value = try scale("xscale") { plot.xScale = value }
        if let value = try scale("yscale") { plot.yScale = value }
        func limits(_ key: String) throws -> AxisLimits? {
            guard let value = call.keyword(key) else { return nil }
            let ends = try call.interpreter.elements(value, call.span).compactMap(\.asDouble)
            guard ends.count == 2 else { throw call.error("\(key) must be a pair (low, high), got \(value.repr)") }
            return .fixed(ends[0], ends[1])
        }
        if let value = try limits("xlims") { plot.xLimits = value }
        if let value = try limits("ylims") { plot.yLimits = value }
        if let value = call.keyword("legend") {
            if case .bool(let flag) = value { plot.showLegend = flag } else { plot.showLegend = value.plainText != ":none" }
        }
    }
}
