/// A minimal SVG document builder: elements appended as text, attribute values and text
/// escaped, coordinates written with at most two decimals.
struct SVGWriter {
    let width: Int
    let height: Int
    private var parts: [String] = []

    /// A document of `width` × `height` pixels on a white background.
    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        parts.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        parts.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"DejaVu Sans Mono, Menlo, monospace\" font-size=\"12\">")
        parts.append("<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>")
    }

    /// The finished document, ending with a newline.
    func finish() -> String {
        (parts + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    /// Opens a group with a class name (closed by `close`).
    mutating func open(_ className: String, attributes: String = "") {
        parts.append("<g class=\"\(SVGWriter.escape(className))\"\(attributes.isEmpty ? "" : " " + attributes)>")
    }

    /// Closes the innermost group.
    mutating func close() {
        parts.append("</g>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                       stroke: String = "#222222", width: Double = 1) {
        parts.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" "
            + "stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double,
                       fill: String, stroke: String? = nil) {
        let s = stroke.map { " stroke=\"\($0)\"" } ?? ""
        parts.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(w, 0)))\" height=\"\(n(max(h, 0)))\" "
            + "fill=\"\(fill)\"\(s)/>")
    }

    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String) {
        parts.append("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"\(fill)\"/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        guard points.count >= 2 else { return }
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        parts.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" "
            + "stroke-width=\"\(n(width))\" stroke-linejoin=\"round\"/>")
    }

    /// Text at (x, y); `anchor` is start, middle or end; `rotate` turns it about its anchor.
    mutating func text(_ string: String, _ x: Double, _ y: Double, anchor: String = "start",
                       size: Int = 12, bold: Bool = false, fill: String = "#222222", rotate: Double = 0) {
        var attributes = "x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if size != 12 { attributes += " font-size=\"\(size)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        if rotate != 0 { attributes += " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\"" }
        parts.append("<text \(attributes)>\(SVGWriter.escape(string))</text>")
    }

    /// A raw element, already well-formed.
    mutating func raw(_ element: String) {
        parts.append(element)
    }

    /// `s` with XML's special characters escaped and characters XML 1.0 forbids removed.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with at most two decimals; non-finite values become 0 (callers clip first).
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "0" }
        let hundredths = clampedInt(d * 100, -1_000_000_000, 1_000_000_000)
        let sign = hundredths < 0 ? "-" : ""
        let m = hundredths.magnitude
        let whole = m / 100, fraction = m % 100
        if fraction == 0 { return m == 0 ? "0" : "\(sign)\(whole)" }
        let digits = fraction % 10 == 0 ? "\(fraction / 10)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")
        return "\(sign)\(whole).\(digits)"
    }

    private func n(_ d: Double) -> String { SVGWriter.number(d) }
}
