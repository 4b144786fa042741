// CCurses: ncursesw for Swift, plus static inline accessors for what Swift cannot import.
//
// Recipe and reasons: shared/notes/workbench.md, A.2 and A.3.
// - SwiftPM drops pkg-config's -D flags, so the wide-character API is switched on here.
// - Swift 6 rejects C globals (stdscr, LINES, COLS, COLORS, ...) as shared mutable
//   state, and does not import expression macros (A_BOLD, getmaxyx, ...): the functions
//   below stand in for them.
// - The module map links ncursesw (the wide library). The header is shared with the
//   narrow library, so only the link line decides; narrow draws UTF-8 as junk.
#ifndef FLUXION_CCURSES_SHIM_H
#define FLUXION_CCURSES_SHIM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncursesw/curses.h>

// wcwidth is declared by glibc's wchar.h only under _XOPEN_SOURCE, which SwiftPM drops
// and which cannot reach a system header that the Clang importer has already built as a
// module. A matching redeclaration is harmless either way.
extern int wcwidth(wchar_t c);

// MARK: globals

static inline WINDOW *shim_stdscr(void) { return stdscr; }
static inline WINDOW *shim_curscr(void) { return curscr; }
static inline int shim_lines(void) { return LINES; }
static inline int shim_cols(void) { return COLS; }
static inline int shim_colors(void) { return COLORS; }
static inline int shim_color_pairs(void) { return COLOR_PAIRS; }
static inline int shim_escdelay(void) { return ESCDELAY; }

// stdio streams for newterm(NULL, stdout, stdin).
static inline FILE *shim_stdout(void) { return stdout; }
static inline FILE *shim_stdin(void) { return stdin; }
static inline FILE *shim_stderr(void) { return stderr; }

// MARK: macros that assign to lvalues

static inline void shim_getmaxyx(WINDOW *win, int *y, int *x) {
    int yy, xx;
    getmaxyx(win, yy, xx);
    *y = yy;
    *x = xx;
}
static inline void shim_getyx(WINDOW *win, int *y, int *x) {
    int yy, xx;
    getyx(win, yy, xx);
    *y = yy;
    *x = xx;
}
static inline void shim_getbegyx(WINDOW *win, int *y, int *x) {
    int yy, xx;
    getbegyx(win, yy, xx);
    *y = yy;
    *x = xx;
}

// MARK: attributes (expression macros built on NCURSES_BITS)

static inline int shim_a_normal(void) { return (int)A_NORMAL; }
static inline int shim_a_bold(void) { return (int)A_BOLD; }
static inline int shim_a_dim(void) { return (int)A_DIM; }
static inline int shim_a_reverse(void) { return (int)A_REVERSE; }
static inline int shim_a_underline(void) { return (int)A_UNDERLINE; }
static inline int shim_a_standout(void) { return (int)A_STANDOUT; }
static inline int shim_a_italic(void) { return (int)A_ITALIC; }
static inline int shim_a_color(void) { return (int)A_COLOR; }
static inline int shim_color_pair(int n) { return (int)COLOR_PAIR(n); }

// MARK: text width

// Display columns of the first `nbytes` bytes of a UTF-8 string (readline's rl_point is a
// byte offset). Uses the current locale's mbrtowc/wcwidth; invalid bytes and
// non-printable characters count as one column, a truncated sequence at the end as one.
static inline int shim_strnwidth(const char *s, size_t nbytes) {
    mbstate_t state;
    memset(&state, 0, sizeof state);
    int columns = 0;
    size_t i = 0;
    while (i < nbytes && s[i] != '\0') {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s + i, nbytes - i, &state);
        if (n == (size_t)-1 || n == (size_t)-2) {
            memset(&state, 0, sizeof state);
            columns += 1;
            i += 1;
            continue;
        }
        if (n == 0) break;
        int w = wcwidth(wc);
        columns += (w < 0) ? 1 : w;
        i += n;
    }
    return columns;
}

#endif
