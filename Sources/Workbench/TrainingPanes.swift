import Foundation
import Lang
import TextPlots

/// The loss pane: a job's losses on a log10 axis, raw and smoothed.
///
/// The smoothed curve is an exponential moving average of log10(loss) with TensorBoard's
/// debiasing (divided by 1 − βᵗ, so the first points are not pulled towards zero): on a
/// log axis a geometric mean is the average that follows a loss falling over decades.
public struct LossPane {
    public var job: TrainingJobSnapshot?
    public var style: CanvasStyle
    /// Whether PageUp/PageDown would scroll this pane (its title is highlighted).
    public var focused = false
    /// The smoothing factor β of the moving average.
    public static let smoothing = 0.9

    public init(job: TrainingJobSnapshot?, style: CanvasStyle) {
        self.job = job
        self.style = style
    }

    /// The debiased exponential moving average of log10(losses), back on the loss scale;
    /// non-finite and non-positive losses are skipped (NaN at their place).
    public static func smoothed(_ losses: [Double], beta: Double = smoothing) -> [Double] {
        var average = 0.0, weight = 0.0
        return losses.map { loss in
            guard loss.isFinite, loss > 0 else { return .nan }
            average = beta * average + (1 - beta) * Foundation.log10(loss)
            weight = beta * weight + (1 - beta)
            return Foundation.pow(10, average / weight)
        }
    }

    /// The pane's plot (nil before the first loss).
    public var plot: Plot? {
        guard let job, !job.losses.isEmpty else { return nil }
        var plot = Plot.lines([job.losses, LossPane.smoothed(job.losses)], names: ["loss", "smoothed"],
                              title: "", yScale: .log10)
        plot.xLabel = "iteration"
        return plot
    }

    public func render(width: Int, height: Int) -> StyledText {
        var text = StyledText(width: width, height: height)
        guard height > 0, width > 0 else { return text }
        let title = job.map { "Loss (log10) — job #\($0.id) \($0.optimizer)" } ?? "Loss (log10)"
        text.lines[0] = titleBar(title, width: width, unicode: style != .ascii, focused: focused)
        guard height > 1 else { return text }
        if let plot {
            FrameRenderer.blit(plot.render(width: width, height: height - 1, style: style), into: &text,
                               at: Rect(row: 1, column: 0, width: width, height: height - 1))
        } else {
            let hint = job == nil ? "no training yet: train(...) shows its loss here" : "waiting for the first iteration"
            text.write(String(hint.prefix(width)), row: 1 + (height - 1) / 2, column: max(0, (width - hint.count) / 2),
                       color: .brightBlack)
        }
        return text
    }
}

/// The parameter table: one row per parameter with its value and the gradient of the
/// latest loss evaluation; scrolls (`WorkbenchModel.scrollParameters`).
public struct ParameterPane {
    public var job: TrainingJobSnapshot?
    public var scroll: Int
    public var unicode: Bool
    public var focused = false

    public init(job: TrainingJobSnapshot?, scroll: Int, unicode: Bool) {
        self.job = job
        self.scroll = scroll
        self.unicode = unicode
    }

    /// The table rows a pane of `height` shows (less its title and header).
    public static func bodyRows(height: Int) -> Int { max(0, height - 2) }

    /// `0.1235`, `-2.5e-05`: at most `width` characters.
    static func number(_ x: Double, width: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        for digits in stride(from: 4, through: 1, by: -1) {
            let text = String(format: "%.\(digits)g", x)
            if text.count <= width { return text }
        }
        return String(format: "%.0e", x)
    }

    public func render(width: Int, height: Int) -> StyledText {
        var text = StyledText(width: width, height: height)
        guard height > 0, width > 1 else { return text }
        // The last column separates the table from the transcript.
        let inner = width - 1
        for row in 0..<height { text.write(unicode ? "│" : "|", row: row, column: inner, color: .brightBlack) }
        let count = job?.parameters.count ?? 0
        let rows = ParameterPane.bodyRows(height: height)
        let first = min(max(0, scroll), max(0, count - rows))
        var title = "Parameters"
        if count > rows, rows > 0 { title += " \(first + 1)–\(min(count, first + rows))/\(count)" } else if count > 0 { title += " (\(count))" }
        text.lines[0] = Array(titleBar(title, width: inner, unicode: unicode, focused: focused)) + [text.lines[0][inner]]
        guard height > 1 else { return text }
        guard let job, count > 0 else {
            text.write(String("no training yet".prefix(inner)), row: 1, column: 1, color: .brightBlack)
            return text
        }
        let nameWidth = min(max(4, job.names.prefix(first + rows).map(\.count).max() ?? 4), max(4, inner / 3))
        let valueWidth = max(5, (inner - nameWidth - 2) / 2)
        let gradientWidth = max(0, inner - nameWidth - valueWidth - 2)
        func row(_ r: Int, _ name: String, _ value: String, _ gradient: String, bold: Bool, color: PlotColor) {
            text.write(String(name.prefix(nameWidth)), row: r, column: 0, color: color, bold: bold)
            let v = String(value.prefix(valueWidth))
            text.write(v, row: r, column: nameWidth + 1 + valueWidth - v.count, color: color, bold: bold)
            let g = String(gradient.prefix(gradientWidth))
            text.write(g, row: r, column: inner - g.count, color: bold ? color : .brightBlack, bold: bold)
        }
        row(1, "name", "value", "gradient", bold: true, color: .default)
        for i in first..<min(count, first + rows) {
            let name = i < job.names.count ? job.names[i] : "θ[\(i + 1)]"
            let gradient = i < job.gradient.count ? ParameterPane.number(job.gradient[i], width: gradientWidth) : "—"
            row(2 + i - first, name, ParameterPane.number(job.parameters[i], width: valueWidth), gradient,
                bold: false, color: .default)
        }
        return text
    }
}

/// The status line's account of a job: `job #1 ▕███▌    ▏ 120/300  41 it/s  loss 3.2e-02  ETA 4 s`.
public enum JobStatus {
    /// A bar of `width` cells filled `fraction` of the way (eighths with Unicode).
    public static func bar(_ fraction: Double, width: Int, unicode: Bool) -> String {
        let f = min(max(fraction.isFinite ? fraction : 0, 0), 1)
        guard unicode else {
            let filled = Int((f * Double(width)).rounded(.down))
            return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
        }
        let eighths = Int((f * Double(width * 8)).rounded(.down))
        let full = eighths / 8, part = eighths % 8
        let partial = part > 0 ? String(Array("▏▎▍▌▋▊▉")[part - 1]) : ""
        let used = full + (part > 0 ? 1 : 0)
        return "▕" + String(repeating: "█", count: full) + partial + String(repeating: " ", count: width - used) + "▏"
    }

    /// `4 s`, `2 min 5 s`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s < 60 ? "\(s) s" : "\(s / 60) min \(s % 60) s"
    }

    /// The message for a job (any state).
    public static func text(_ job: TrainingJobSnapshot, unicode: Bool) -> String {
        let progress = job.maxiters > 0 ? Double(job.iteration) / Double(job.maxiters) : 0
        let head = "job #\(job.id) \(job.state.rawValue) " + bar(progress, width: 10, unicode: unicode)
            + " \(job.iteration)/\(job.maxiters)"
        switch job.state {
        case .queued: return "job #\(job.id) queued behind the running job"
        case .running:
            return head + "  \(Int(job.rate.rounded())) it/s  loss \(TrainingProgress.short(job.loss))"
                + (job.eta.map { "  ETA " + duration($0) } ?? "")
        case .paused:
            return head + "  loss \(TrainingProgress.short(job.loss))"
        case .done, .stopped, .failed:
            return head + "  best \(TrainingProgress.short(job.bestLoss))  \(duration(job.elapsed))"
        }
    }

    /// Key hints while the job is active.
    public static func hints(_ job: TrainingJobSnapshot) -> String {
        job.state == .paused ? ":resume  :stop" : "^C pause  :jobs"
    }
}
