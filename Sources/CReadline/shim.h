// CReadline: GNU readline for Swift, with accessors for its globals.
//
// Recipe and reasons: shared/notes/workbench.md, A.2, A.3, A.5 and A.10.
// - readline.h uses FILE without including stdio.h, so stdio.h comes first.
// - Swift 6 rejects every readline global as shared mutable state: the getters and
//   setters below are the only way Swift touches them.
// - Readline runs inside curses through its callback interface, with its own terminal
//   handling switched off (shim_rl_setup_for_curses).
#ifndef FLUXION_CREADLINE_SHIM_H
#define FLUXION_CREADLINE_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>

// Configures readline to live behind curses: no signal or SIGWINCH handling, no
// LINES/COLUMNS export (ncurses would stop following resizes), no terminal prep or
// deprep, and input and redisplay routed through the given hooks.
static inline void shim_rl_setup_for_curses(rl_getc_func_t *getc_function,
                                            rl_hook_func_t *input_available,
                                            rl_voidfunc_t *redisplay) {
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_prep_term_function = NULL;
    rl_deprep_term_function = NULL;
    rl_getc_function = getc_function;
    rl_input_available_hook = input_available;
    rl_redisplay_function = redisplay;
}

// Installs the completion generator (called with state 0, 1, 2, ... until it returns
// NULL; matches must be malloc'ed) and the mandatory display hook, without which
// readline prints the match list straight to the terminal, past curses.
static inline void shim_rl_set_completion(rl_compentry_func_t *generator,
                                          rl_compdisp_func_t *display_matches) {
    rl_completion_entry_function = generator;
    rl_completion_display_matches_hook = display_matches;
}

// The plain REPL's readline (`fluxion --plain` at a terminal): readline keeps the terminal
// and SIGWINCH but leaves SIGINT to the process (a dispatch source), which cancels the line.
static inline void shim_rl_setup_plain(void) {
    rl_catch_signals = 0;
}

static inline void shim_rl_set_outstream(FILE *stream) { rl_outstream = stream; }
static inline void shim_rl_set_instream(FILE *stream) { rl_instream = stream; }

static inline char *shim_rl_line_buffer(void) { return rl_line_buffer; }
static inline char *shim_rl_display_prompt(void) { return rl_display_prompt; }
static inline int shim_rl_point(void) { return rl_point; }
static inline int shim_rl_end(void) { return rl_end; }
static inline int shim_history_length(void) { return history_length; }

// Completion results: the list handed to the display hook.
static inline int shim_rl_completion_query_items(void) { return rl_completion_query_items; }

// Cancels the line being edited (Ctrl-C on a non-empty line) and redraws the prompt.
static inline void shim_rl_cancel_line(void) {
    rl_callback_sigcleanup();
    rl_free_line_state();
    rl_replace_line("", 0);
    rl_point = 0;
    rl_end = 0;
    rl_mark = 0;
    rl_forced_update_display();
}

#endif
