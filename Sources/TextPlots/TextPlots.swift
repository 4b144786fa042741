// TextPlots: plots rendered as text.
//
// What this module will contain (shared/DESIGN.md, "Layout" and "Invariants"):
// - canvases: braille (2x4 dots per cell) by default, block and ASCII as fallbacks;
// - plots that decorate a canvas with a title, axes with "nice" ticks (powers of ten on
//   log axes), labels, limits and a legend: line, scatter, heatmap and histogram;
// - decimation of long series to the pixel width (min/max per column) before drawing;
// - SVG export of the same plot values.
//
// Plots are pure values rendered to strings, so they are tested against saved text and
// know nothing of curses or of the workbench. This module depends on nothing else in
// Fluxion.
