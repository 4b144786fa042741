/// An RGB colour for SVG output.
public struct RGB: Sendable, Hashable {
    /// Red channel.
    public var red: UInt8
    /// Green channel.
    public var green: UInt8
    /// Blue channel.
    public var blue: UInt8

    /// A colour from its three 8-bit channels.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// `#rrggbb`.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for v in [red, green, blue] {
            s.append(digits[Int(v >> 4)])
            s.append(digits[Int(v & 0x0F)])
        }
        return s
    }
}

/// A map from values scaled to [0, 1] to colours: a few terminal colours for text, linearly
/// interpolated RGB stops for SVG. In text, a heatmap cell also gets a shade character
/// (`shade(at:unicode:)`), so the picture survives without colour.
///
/// References: the RGB stops sample matplotlib's viridis and inferno maps (S. van der Walt,
/// N. Smith, 2015) and ColorBrewer's RdBu (C. Brewer, 2002).
public struct ColorScale: Sendable, Hashable {
    /// Its name.
    public var name: String
    /// Terminal colours from low to high, chosen by equal bands of [0, 1].
    public var terminalColors: [PlotColor]
    /// RGB stops from low to high, equally spaced on [0, 1].
    public var stops: [RGB]

    /// A colour scale from its colours (empty lists fall back to grey).
    public init(name: String, terminalColors: [PlotColor], stops: [RGB]) {
        self.name = name
        self.terminalColors = terminalColors.isEmpty ? [.default] : terminalColors
        self.stops = stops.isEmpty ? [RGB(0, 0, 0), RGB(255, 255, 255)] : stops
    }

    /// Dark purple through blue and green to yellow; perceptually uniform. The default.
    public static let viridis = ColorScale(
        name: "viridis", terminalColors: [.magenta, .blue, .cyan, .green, .yellow],
        stops: [RGB(68, 1, 84), RGB(59, 82, 139), RGB(33, 145, 140), RGB(94, 201, 98), RGB(253, 231, 37)])
    /// Black through red and orange to pale yellow.
    public static let heat = ColorScale(
        name: "heat", terminalColors: [.brightBlack, .red, .brightRed, .yellow, .brightYellow],
        stops: [RGB(0, 0, 4), RGB(86, 16, 110), RGB(187, 55, 84), RGB(249, 142, 9), RGB(252, 255, 164)])
    /// Blue through white to red, for values with a sign (set symmetric `valueLimits`).
    public static let diverging = ColorScale(
        name: "diverging", terminalColors: [.blue, .cyan, .white, .yellow, .red],
        stops: [RGB(33, 102, 172), RGB(103, 169, 207), RGB(247, 247, 247), RGB(239, 138, 98), RGB(178, 24, 43)])
    /// Black to white.
    public static let gray = ColorScale(
        name: "gray", terminalColors: [.brightBlack, .white, .brightWhite],
        stops: [RGB(0, 0, 0), RGB(255, 255, 255)])

    /// The terminal colour at `t` (clamped to [0, 1]; NaN gives the lowest).
    public func terminalColor(at t: Double) -> PlotColor {
        let n = terminalColors.count
        return terminalColors[clampedFloor(ColorScale.unit(t) * Double(n), 0, n - 1)]
    }

    /// The RGB colour at `t` (clamped to [0, 1]; NaN gives the lowest), interpolated.
    public func rgb(at t: Double) -> RGB {
        let u = ColorScale.unit(t) * Double(stops.count - 1)
        let i = clampedFloor(u, 0, max(stops.count - 2, 0))
        guard stops.count > 1 else { return stops[0] }
        let f = u - Double(i), a = stops[i], b = stops[i + 1]
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 {
            UInt8(clampedInt(Double(x) + (Double(y) - Double(x)) * f, 0, 255))
        }
        return RGB(mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
    }

    /// Shade characters from low to high.
    static let unicodeShades: [Character] = ["░", "▒", "▓", "█"]
    static let asciiShades: [Character] = [".", ":", "-", "=", "+", "*", "#", "%", "@"]

    /// The shade character at `t`: light to full block, or `.:-=+*#%@` in ASCII.
    public static func shade(at t: Double, unicode: Bool) -> Character {
        let shades = unicode ? unicodeShades : asciiShades
        return shades[clampedFloor(unit(t) * Double(shades.count), 0, shades.count - 1)]
    }

    static func unit(_ t: Double) -> Double {
        t == t ? min(max(t, 0), 1) : 0
    }
}
