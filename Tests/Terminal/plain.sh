#!/usr/bin/env bash
# End-to-end test of the plain REPL at a terminal (`fluxion --plain` in a private tmux server):
# readline edits the line, Tab completes the interpreter's names, ↑ recalls history kept in
# FLUXION_HISTORY across runs, Ctrl-C drops the typed line (and does not stop the next
# evaluation), Ctrl-C interrupts a running evaluation, and Ctrl-D quits. Run by `make test`.
# Usage: Tests/Terminal/plain.sh PATH/TO/fluxion
set -euo pipefail
export LC_ALL=C.UTF-8
fluxion="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
server="fluxion-plain-$$"
work="$(mktemp -d)"
source "$(dirname "$0")/common.sh"
cleanup() { tm kill-server >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
start() {
  tm -f /dev/null new-session -d -s w -x 100 -y 30 -c "$work" \
    "env TERM=xterm-256color FLUXION_HISTORY='$work/history' $1"
  tm set-option -g remain-on-exit on >/dev/null
}

start "'$fluxion' --plain"
wait_for '^fluxion> *$' && pass "a prompt" || fail "no prompt"
type_line 'velocity_of_light = 299792458'
wait_for '^299792458 *$' && pass "an entry is evaluated" || fail "no value shown"
# Tab completes a global and a builtin.
tm send-keys -t w -l -- 'velocity_of'; tm send-keys -t w Tab; tm send-keys -t w -l -- ' + 1'; tm send-keys -t w Enter
wait_for '^299792459 *$' && pass "Tab completes a global" || fail "Tab did not complete velocity_of"
tm send-keys -t w -l -- 'ODEProb'; tm send-keys -t w Tab
wait_for '^fluxion> ODEProblem' && pass "Tab completes a builtin" || fail "Tab did not complete ODEProb"
# Ctrl-C drops the typed line; the next entry runs normally.
tm send-keys -t w C-c
wait_for '^fluxion> ODEProblem.*\^C *$' && pass "Ctrl-C drops the line, its ^C after the typed text" || fail "Ctrl-C at the prompt showed nothing"
type_line 'sum(1:10)'
wait_for '^55 *$' && pass "the entry after Ctrl-C is not interrupted" || fail "sum(1:10) after Ctrl-C did not show 55"
# A multi-line entry continues with the continuation prompt.
type_line 'function twice(x)'
wait_for '^ +> *$' && pass "an incomplete entry continues" || fail "no continuation prompt"
type_line '2x end'
type_line 'twice(21)'
wait_for '^42 *$' && pass "the function defined over two lines works" || fail "twice(21) did not show 42"
# Ctrl-C interrupts a long evaluation and the REPL survives.
type_line 'while true; end'
sleep 0.5
tm send-keys -t w C-c
wait_for 'interrupted' && pass "Ctrl-C interrupts an evaluation" || fail "the loop was not interrupted"
type_line '1 + 1'
wait_for '^2 *$' && pass "the REPL survives the interrupt" || fail "no answer after the interrupt"
# Ctrl-D quits and the history is kept.
tm send-keys -t w C-d
wait_dead && pass "Ctrl-D quits" || fail "Ctrl-D did not quit"
grep -q '^velocity_of_light = 299792458$' "$work/history" && pass "the history file has the entries" \
  || fail "history file lacks the first entry"
tm kill-server >/dev/null 2>&1 || true

# A second run recalls the previous session's entries with ↑.
start "'$fluxion' --plain"
wait_for '^fluxion> *$' || fail "no prompt on the second run"
tm send-keys -t w Up
wait_for '^fluxion> 1 \+ 1' && pass "↑ recalls the last entry of the previous run" || fail "↑ recalled nothing"
tm send-keys -t w Enter
wait_for '^2 *$' && pass "the recalled entry runs" || fail "recalled entry did not run"
tm send-keys -t w C-d
wait_dead || fail "Ctrl-D did not quit the second run"

if [ "$failures" -ne 0 ]; then echo "plain terminal test: $failures failure(s)"; exit 1; fi
echo "plain terminal test: all passed"
