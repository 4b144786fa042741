// Workbench: the interactive terminal front end of Fluxion.
//
// What this module will contain (shared/DESIGN.md and shared/notes/workbench.md):
// - panes (parameters and status, live plots of trajectories and the loss, the REPL
//   transcript) drawn through a small screen interface with two implementations:
//   ncurses (CCurses) for people and a headless one that renders frames for snapshot
//   tests;
// - the readline bridge (CReadline, callback interface, a byte queue for escape and
//   multibyte sequences), persistent history and completion;
// - background jobs (training on its own thread, publishing events the UI redraws from
//   at no more than 30 Hz; only the UI thread calls curses);
// - sessions saved atomically with a format version, and the tutorials player;
// - a plain line mode when stdin or stdout is not a terminal.
//
// It depends on Lang, TextPlots, CCurses and CReadline.
