/// A foreground colour from the terminal's basic palette: the 8 ANSI colours, their 8 bright
/// variants, and the terminal's default.
///
/// The palette is deliberately small: it is what every terminal (and curses with 8 or 16
/// colour pairs) can show. SVG export maps each case to a fixed RGB value (`svgHex`).
public enum PlotColor: Sendable, Hashable, CaseIterable {
    /// The terminal's default foreground (no colour escape).
    case `default`
    /// The 8 basic ANSI colours (SGR 30–37, curses 0–7).
    case black, red, green, yellow, blue, magenta, cyan, white
    /// The 8 bright variants (SGR 90–97, curses 8–15).
    case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite

    /// The colours given to series that do not choose one, in order (then repeated).
    public static let seriesCycle: [PlotColor] = [.blue, .red, .green, .magenta, .cyan, .yellow]

    /// The ANSI colour number 0–15 (as curses numbers them), or nil for `.default`.
    public var ansiIndex: Int? {
        switch self {
        case .default: return nil
        case .black: return 0
        case .red: return 1
        case .green: return 2
        case .yellow: return 3
        case .blue: return 4
        case .magenta: return 5
        case .cyan: return 6
        case .white: return 7
        case .brightBlack: return 8
        case .brightRed: return 9
        case .brightGreen: return 10
        case .brightYellow: return 11
        case .brightBlue: return 12
        case .brightMagenta: return 13
        case .brightCyan: return 14
        case .brightWhite: return 15
        }
    }

    /// The SGR parameter that selects this foreground: 39 (default), 30–37, or 90–97 (bright).
    public var sgrForeground: Int {
        guard let index = ansiIndex else { return 39 }
        return index < 8 ? 30 + index : 90 + (index - 8)
    }

    /// The colour used for this case in SVG output, as `#rrggbb` (readable on white).
    public var svgHex: String {
        switch self {
        case .default: return "#222222"
        case .black: return "#000000"
        case .red: return "#d62728"
        case .green: return "#2ca02c"
        case .yellow: return "#bcbd22"
        case .blue: return "#1f77b4"
        case .magenta: return "#9467bd"
        case .cyan: return "#17becf"
        case .white: return "#7f7f7f"
        case .brightBlack: return "#555555"
        case .brightRed: return "#ff4136"
        case .brightGreen: return "#3dd13d"
        case .brightYellow: return "#e8b600"
        case .brightBlue: return "#4a90e2"
        case .brightMagenta: return "#e377c2"
        case .brightCyan: return "#39cccc"
        case .brightWhite: return "#aaaaaa"
        }
    }

    /// The `n`-th colour of `seriesCycle` (any `n`, negative included).
    public static func cycled(_ n: Int) -> PlotColor {
        let count = seriesCycle.count
        let index = ((n % count) + count) % count
        return seriesCycle[index]
    }
}
