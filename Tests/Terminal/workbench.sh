#!/usr/bin/env bash
# End-to-end test of the curses workbench in a real terminal: a private tmux server runs
# `fluxion` at 120×40, types into it and reads the screen back. Run by `make test`.
# Usage: Tests/Terminal/workbench.sh PATH/TO/fluxion
set -euo pipefail
# Character classes and widths below count characters, not bytes.
export LC_ALL=C.UTF-8
fluxion="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
server="fluxion-test-$$"
source "$(dirname "$0")/common.sh"
cleanup() { tm kill-server >/dev/null 2>&1 || true; rm -f "${status_file:-}" "${history_file:-}"; }
trap cleanup EXIT

status_file="$(mktemp)"
# A private history file, seeded with one entry from an earlier session.
history_file="$(mktemp)"
echo '6*7' > "$history_file"
# The shell records fluxion's exit status (tmux's pane_dead_status can miss it when the
# terminal closes before the process is reaped).
tm -f /dev/null new-session -d -s w -x 120 -y 40 \
  "env TERM=xterm-256color FLUXION_HISTORY='$history_file' '$fluxion'; echo \$? > '$status_file'"
tm set-option -g remain-on-exit on >/dev/null
wait_for '^fluxion>' && wait_for 'ready' && pass "the workbench starts with a prompt and a status line" || fail "no prompt"

tm send-keys -t w Up
wait_for '^fluxion> 6\*7 *$' && pass "Up recalls history from an earlier session" || fail "history not loaded"
tm send-keys -t w C-u
wait_for '^fluxion> *$' || fail "Ctrl-U did not clear the recalled line"

[ "$(tm display-message -p -t w '#{alternate_on}')" = 1 ] && pass "the workbench uses the alternate screen" || fail "alternate screen not on"

type_line '1+1'
wait_for '^2 *$' && pass "1+1 shows 2 in the transcript" || fail "1+1 did not show 2"

type_line 'plot([sin(0.2*i) for i in 1:60])'
wait_for 'plot shown in the plot pane' && screen | grep -qP '[\x{2801}-\x{28FF}]' && pass "plot() draws braille in the plot pane" \
  || fail "plot not drawn"

type_line 'undefined_thing'
wait_for 'error: UndefVarError' && pass "an error reaches the transcript and status line" || fail "error not shown"
type_line '3*7'
wait_for '^21 *$' && pass "the workbench carries on after an error" || fail "no result after an error"
# Tab completes the interpreter's names: a variable defined just now, and a builtin.
type_line 'tabcompletable_value = 5'
wait_for '^5 *$' || fail "no result for the assignment"
tm send-keys -t w -l -- 'tabcompleta'
tm send-keys -t w Tab
tm send-keys -t w -l -- ' * 2'
tm send-keys -t w Enter
wait_for '^10 *$' && pass "Tab completes a variable's name" || fail "Tab did not complete tabcompletable_value"
tm send-keys -t w -l -- 'initial_par'
tm send-keys -t w Tab
wait_for '^fluxion> initial_params *$' && pass "Tab completes a builtin's name" || fail "Tab did not complete initial_params"
tm send-keys -t w C-u

type_line 'while true; end'
sleep 0.5
tm send-keys -t w C-c
wait_for 'interrupted' && pass "Ctrl-C interrupts a running evaluation" || fail "Ctrl-C did not interrupt"
type_line '40+2'
wait_for '^42 *$' && pass "the workbench survives Ctrl-C" || fail "no result after Ctrl-C"

# Evaluation runs on its own thread: output shows line by line while the status ticks.
# (No sleep in the language: each pause is a busy loop of about a second.)
type_line 'for i in 1:3; println("tick ", i); s = 0; for j in 1:600000; s += j; end; end'
wait_for '^tick 1 *$' && live=$(screen) && echo "$live" | grep -qE ' evaluating [0-9]+\.[0-9] s ' \
  && ! echo "$live" | grep -q '^tick 3 *$' \
  && pass "the first line shows while the loop runs, with a ticking evaluating status" || fail "no live output while evaluating"
type_line '6*9'
wait_for 'busy — Ctrl-C to interrupt' && pass "Enter while evaluating keeps the line (busy)" || fail "no busy notice"
wait_for '^tick 3 *$' && wait_for '^54 *$' && wait_for ' ready ' \
  && pass "the loop finishes, then the typed-ahead line runs" || fail "loop end or typeahead missing"
type_line '1+1'
wait_for '^fluxion> 1\+1 *$' && sleep 0.3 && screen | grep -A1 -E '^fluxion> 1\+1 *$' | tail -1 | grep -qE '^2 *$' \
  && pass "1+1 works after the loop" || fail "1+1 after the loop"

type_line 'for i in 1:30; println("row ", i); end'
wait_for '^row 30 *$' || fail "for loop output missing"
tm send-keys -t w PPage
wait_for 'scrolled back [0-9]+ lines' && ! screen | grep -q '^row 30 *$' \
  && pass "PageUp scrolls the transcript back" || fail "PageUp did not scroll"
tm send-keys -t w NPage
wait_for '^row 30 *$' && wait_for ' ready ' && ! screen | grep -q 'scrolled back' \
  && pass "PageDown returns to the bottom" || fail "PageDown did not return"
tm send-keys -t w PPage
wait_for 'scrolled back' || fail "second PageUp did not scroll"
type_line '2+2'
wait_for '^4 *$' && ! screen | grep -q 'scrolled back' && pass "Enter snaps the transcript back to the bottom" \
  || fail "no snap-back on Enter"

tm resize-window -t w -x 70 -y 20 2>/dev/null || tm resize-pane -t w -x 70 -y 20
sleep 0.5
type_line '5+5'
wait_for '^10 *$' && rows=$(screen | wc -l) && [ "$rows" -le 20 ] && screen | grep -q '^fluxion>' \
  && pass "resized to 70×20: the prompt and results still show" || fail "layout after resize"
width=$(screen | wc -L)
[ "$width" -le 70 ] && pass "no line wider than 70 columns after resize" || fail "lines wider than the terminal ($width)"

tm send-keys -t w C-d
for i in $(seq 1 50); do
  [ "$(tm display-message -p -t w '#{pane_dead}')" = 1 ] && break
  sleep 0.1
done
[ "$(tm display-message -p -t w '#{pane_dead}')" = 1 ] && pass "Ctrl-D quits" || fail "Ctrl-D did not quit"
[ "$(cat "$status_file")" = 0 ] && pass "exit status 0" || fail "exit status '$(cat "$status_file")'"
[ "$(tm display-message -p -t w '#{alternate_on}')" = 0 ] && pass "the terminal is restored (alternate screen off)" || fail "alternate screen still on"
grep -qx '40+2' "$history_file" && grep -qx '6\*7' "$history_file" && [ "$(grep -cx '40+2' "$history_file")" = 1 ] \
  && pass "the history file keeps earlier entries and gains typed lines" || fail "history file: $(tr '\n' '|' < "$history_file")"

if [ "$failures" -ne 0 ]; then echo "workbench terminal test: $failures failure(s)"; exit 1; fi
echo "workbench terminal test: all passed"
