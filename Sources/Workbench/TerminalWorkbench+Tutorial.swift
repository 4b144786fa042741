import CReadline

extension TerminalWorkbench {
    /// Puts the tutorial's offered cell on the input line. Called from the loop, outside
    /// readline's line handler (readline clears the line after the handler returns), and
    /// only on an empty line: typed text is never replaced.
    func offerTutorialCell() {
        guard !session.isEvaluating, !hasQueuedBytes else { return }
        guard shim_rl_end() == 0 else {
            tutorials.dropPrefill()
            return
        }
        guard let text = tutorials.takePrefill() else { return }
        rl_replace_line("", 0)
        rl_insert_text(text)
        readlineRedisplay()
    }
}
