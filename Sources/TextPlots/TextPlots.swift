/// TextPlots: plots as pure values, rendered to styled text and to SVG.
///
/// - `Canvas` turns pixels into characters: braille (2 × 4 dots per cell), block (2 × 2) or
///   ASCII (2 × 3) for terminals without UTF-8.
/// - `Plot` decorates a canvas with title, axes with nice ticks (powers of ten on log axes),
///   labels and a legend: line, scatter, step, bar and phase plots. `Heatmap` shows a matrix
///   (u(x, t) of a PDE) with a colour bar; `Histogram` and `Density` show samples (SDE
///   ensembles, FFJORD).
/// - Rendering gives `StyledText` (cells with colour and bold), printed plain or with SGR
///   escapes, or drawn by the workbench through curses; `svg` and `savefig` export files.
///
/// The module knows nothing of terminals or of the rest of Fluxion.
public protocol PlotRenderable: Sendable {
    /// Renders to exactly `height` lines of `width` cells with the given canvas style.
    func render(width: Int, height: Int, style: CanvasStyle) -> StyledText
    /// A standalone SVG document of `width` × `height` pixels (clamped to 64...16384).
    func svg(width: Int, height: Int) -> String
    /// The size in cells and style used by `render()` and by `savefig` to text.
    var preferredSize: (width: Int, height: Int, style: CanvasStyle) { get }
}

extension PlotRenderable {
    /// Renders at the preferred size and style.
    public func render() -> StyledText {
        let size = preferredSize
        return render(width: size.width, height: size.height, style: size.style)
    }
}

extension Plot: PlotRenderable {
    /// `width`, `height` and `style`.
    public var preferredSize: (width: Int, height: Int, style: CanvasStyle) { (width, height, style) }
}
