import CCurses
import Foundation
import TextPlots

/// The screen people see: ncursesw on the controlling terminal.
///
/// Set up as shared/notes/workbench.md (A.5) prescribes: `newterm` rather than `initscr`
/// (which exits on failure), Unicode line drawing instead of the VT100 alternate charset,
/// `cbreak`/`noecho`/`nonl`, no `keypad` (readline must see raw escape sequences), and
/// colour pairs over the terminal's own background. Cells are drawn one by one as wide
/// characters (`setcchar` + `mvwadd_wch`), so braille and box drawing need the wide library
/// (the module map links ncursesw). Only the UI thread may use it.
public final class CursesScreen: Screen {
    private let terminal: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private var cursor: (row: Int32, column: Int32) = (0, 0)
    private var ended = false
    /// Whether colours are used (the terminal has them and colours were asked for).
    public let colors: Bool
    /// Colours the terminal has (8 or 16 or more); bright colours become bold below 16.
    private let paletteSize: Int

    /// Takes over the terminal; nil when curses cannot start (unknown TERM, no terminal).
    /// `colors == false` (NO_COLOR, no colour support) draws in the default colour only.
    public init?(colors wantColors: Bool) {
        setenv("NCURSES_NO_UTF8_ACS", "1", 0)
        guard let terminal = newterm(nil, shim_stdout(), shim_stdin()) else { return nil }
        set_term(terminal)
        guard let window = shim_stdscr() else {
            endwin()
            delscreen(terminal)
            return nil
        }
        self.terminal = terminal
        self.window = window
        cbreak()
        noecho()
        nonl()
        intrflush(window, false)
        nodelay(window, true)
        curs_set(1)
        if wantColors, has_colors() {
            start_color()
            use_default_colors()
            paletteSize = min(16, Int(shim_colors()))
            for index in 0..<paletteSize where Int32(index + 1) < shim_color_pairs() {
                init_pair(Int16(index + 1), Int16(index), -1)
            }
            colors = paletteSize > 0
        } else {
            paletteSize = 0
            colors = false
        }
    }

    deinit { end() }

    /// Gives the terminal back (endwin, delscreen); safe to call more than once.
    public func end() {
        guard !ended else { return }
        ended = true
        endwin()
        delscreen(terminal)
    }

    /// The next key code from the terminal without waiting: a byte, `KEY_RESIZE`, or nil.
    public func nextKey() -> Int32? {
        let code = wgetch(window)
        return code == ERR ? nil : code
    }

    public var size: ScreenSize {
        var rows: Int32 = 0, columns: Int32 = 0
        shim_getmaxyx(window, &rows, &columns)
        return ScreenSize(width: Int(columns), height: Int(rows))
    }

    public func draw(_ text: StyledText, row: Int, column: Int) {
        let size = self.size
        for (dy, line) in text.lines.enumerated() {
            let r = row + dy
            guard r >= 0, r < size.height else { continue }
            for (dx, cell) in line.enumerated() {
                let c = column + dx
                guard c >= 0, c < size.width else { continue }
                put(cell, row: Int32(r), column: Int32(c))
            }
        }
    }

    private func put(_ cell: StyledCell, row: Int32, column: Int32) {
        var characters: [wchar_t] = cell.character.unicodeScalars.prefix(4).map { wchar_t(bitPattern: $0.value) }
        characters.append(0)
        var bold = cell.bold
        var pair: Int16 = 0
        if colors, var index = cell.color.ansiIndex {
            if index >= paletteSize, index >= 8 {
                index -= 8
                bold = true
            }
            if index < paletteSize { pair = Int16(index + 1) }
        }
        let attributes = attr_t(UInt32(bitPattern: bold ? shim_a_bold() : shim_a_normal()))
        var wide = cchar_t()
        _ = characters.withUnsafeBufferPointer { buffer in
            setcchar(&wide, buffer.baseAddress, attributes, pair, nil)
        }
        // The bottom-right cell returns ERR (the cursor cannot advance) but is drawn.
        _ = mvwadd_wch(window, row, column, &wide)
    }

    public func clear() { werase(window) }

    public func setCursor(row: Int, column: Int) {
        cursor = (Int32(clamping: row), Int32(clamping: column))
    }

    public func flush() {
        wmove(window, cursor.row, cursor.column)
        wnoutrefresh(window)
        doupdate()
    }

    /// Makes curses repaint everything at the next flush (Ctrl-L, after a resize).
    public func repaintAll() {
        clearok(window, true)
    }
}
