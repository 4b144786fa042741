import TextPlots

/// Renders a whole frame from the model: the layout for the size, each pane into its
/// rectangle, and the cursor on the input line. Pure: the same model and size give the
/// same frame, so every frame can be checked in a test.
public enum FrameRenderer {
    /// The frame for `model` on a screen of `size`.
    public static func render(_ model: WorkbenchModel, size: ScreenSize) -> Frame {
        let layout = Layout(size: size, kind: model.layout)
        var text = StyledText(width: size.width, height: size.height)
        let unicode = model.plotStyle != .ascii
        if let rect = layout.plot {
            let pane = PlotPane(plot: model.plot, style: model.plotStyle)
            blit(pane.render(width: rect.width, height: rect.height), into: &text, at: rect)
        }
        if let rect = layout.loss {
            let pane = LossPane(job: model.job, style: model.plotStyle)
            blit(pane.render(width: rect.width, height: rect.height), into: &text, at: rect)
        }
        if let rect = layout.parameters {
            var pane = ParameterPane(job: model.job, scroll: model.parameterScroll, unicode: unicode)
            pane.focused = model.focus == .parameters
            blit(pane.render(width: rect.width, height: rect.height), into: &text, at: rect)
        }
        // Clamped here too: a resize can leave less to scroll back over.
        let scrollBack = model.scrollBack > 0 ? min(model.scrollBack, model.maximumScrollBack(screen: size)) : 0
        var transcript = TranscriptPane(lines: model.transcript, scrollBack: scrollBack,
                                        showsTitle: !layout.isCompact, unicode: unicode)
        transcript.focused = model.focus == .transcript && layout.parameters != nil
        blit(transcript.render(width: layout.transcript.width, height: layout.transcript.height),
             into: &text, at: layout.transcript)
        if !layout.status.isEmpty {
            blit(statusLine(model, scrollBack: scrollBack).render(width: layout.status.width), into: &text, at: layout.status)
        }
        var cursorColumn = 0
        if !layout.input.isEmpty {
            let (line, column) = inputLine(prompt: model.prompt, text: model.inputText,
                                           cursor: model.inputCursor, width: layout.input.width)
            blit(line, into: &text, at: layout.input)
            cursorColumn = column
        }
        return Frame(text: text, cursorRow: max(0, layout.input.row), cursorColumn: cursorColumn)
    }

    /// The status line: a job's progress while one is active (unless an error or a notice
    /// is to be shown), else the last result.
    static func statusLine(_ model: WorkbenchModel, scrollBack: Int) -> StatusLine {
        var status = StatusLine(mode: model.mode, lastResult: model.lastResult, error: model.error,
                                notice: WorkbenchModel.scrollNotice(scrollBack) ?? model.notice, context: model.context)
        if let job = model.job, job.state.isActive {
            status.lastResult = JobStatus.text(job, unicode: model.plotStyle != .ascii)
            status.hints = JobStatus.hints(job)
        }
        return status
    }

    /// The input line: the prompt and the text, scrolled horizontally (with a `…` marker)
    /// so that the cursor stays visible; returns the cells and the cursor's column.
    public static func inputLine(prompt: String, text: String, cursor: Int, width: Int) -> (StyledText, Int) {
        var line = StyledText(width: width, height: 1)
        guard width > 0 else { return (line, 0) }
        let promptCells = Array(prompt.prefix(max(0, width - 2)))
        line.write(String(promptCells), row: 0, column: 0, color: .green, bold: true)
        let characters = Array(text)
        let point = min(max(0, cursor), characters.count)
        var start = promptCells.count, first = 0
        if start + point > width - 1 {
            // Scrolled: a marker, then as much text before the cursor as fits.
            line.write("…", row: 0, column: start, color: .brightBlack)
            start += 1
            first = min(point, max(0, point - (width - 1 - start)))
        }
        let shown = characters[first...].prefix(max(0, width - start))
        line.write(String(shown), row: 0, column: start)
        return (line, min(width - 1, start + point - first))
    }

    /// Copies `block` into `text` at `rect`, clipped to the rectangle.
    static func blit(_ block: StyledText, into text: inout StyledText, at rect: Rect) {
        for (r, row) in block.lines.enumerated() where r < rect.height {
            for (c, cell) in row.enumerated() where c < rect.width {
                text.put(cell, row: rect.row + r, column: rect.column + c)
            }
        }
    }
}
