#!/usr/bin/env bash
# End-to-end test of the tutorial player in a real terminal: a private tmux server runs
# `fluxion tutorial getting-started` at 100×30 and steps through it (Enter runs the offered
# cell, an edited cell runs as edited, own input keeps the place, :prev/:next move, the
# plot pane shows the plot), then checks the first screen of `fluxion`, the list of
# `fluxion tutorial` and the batch mode without a terminal. Run by `make test` from the
# repository's root. Usage: Tests/Terminal/tutorial.sh PATH/TO/fluxion
set -euo pipefail
export LC_ALL=C.UTF-8
fluxion="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cd "$(dirname "$0")/../.."
server="fluxion-tutorial-test-$$"
source Tests/Terminal/common.sh
wait_seconds=15
scratch="$(mktemp -d)"
cleanup() { tm kill-server >/dev/null 2>&1 || true; rm -rf "$scratch"; }
trap cleanup EXIT
# The status line once the cell is current and nothing runs.
at_cell() { wait_for " ready  tutorial getting-started — cell $1/[0-9]+ "; }
command_line() { tm send-keys -t w C-u; type_line "$1"; }
start() {
  tm kill-server >/dev/null 2>&1 || true
  tm -f /dev/null new-session -d -s w -x 100 -y 30 \
    "env TERM=xterm-256color FLUXION_HISTORY='$scratch/history' $1; echo \$? > '$scratch/status'"
  tm set-option -g remain-on-exit on >/dev/null
}

start "'$fluxion' tutorial getting-started"
at_cell 1 && wait_for '^fluxion> .*end *$' && wait_for 'Lotka–Volterra' \
  && pass "cell 1/N: the narrative shows and the cell is on the input line" || fail "tutorial did not start"

tm send-keys -t w Enter
at_cell 2 && wait_for 'lotka! \(generic function with 1 method\)' \
  && pass "Enter runs the cell and offers the next" || fail "cell 1 did not run"
tm send-keys -t w Enter
at_cell 3 && wait_for '^ODEProblem with u0 = \[1\.0, 1\.0\]' && pass "cell 2 runs: a result is visible" || fail "cell 2"

command_line ':prev'
at_cell 2 && wait_for '^fluxion> p = \[1\.5' && pass ":prev goes back a cell and offers it again" || fail ":prev"
command_line ':next'
at_cell 3 && wait_for '^fluxion> sol = solve\(prob, Tsit5\(\)\) *$' && pass ":next moves on" || fail ":next"

tm send-keys -t w Enter
at_cell 4 && wait_for '^retcode: Success' || fail "cell 3"
# Own input between cells: the line is cleared first, and the tutorial keeps its place.
command_line 'length(sol.t) > 10'
wait_for '^true *$' && at_cell 4 && pass "own input runs between cells without moving on" || fail "own input"
tm send-keys -t w Enter
at_cell 5 && wait_for 'nsteps = [0-9]+' && pass "an empty line runs the current cell" || fail "empty Enter"

# Edit the offered `sol(5.0)` into `sol(2.0)` and run it: the edited cell runs and counts.
wait_for '^fluxion> sol\(5\.0\) *$' || fail "cell 5 not offered"
tm send-keys -t w BSpace BSpace BSpace BSpace
tm send-keys -t w -l '2.0)'
wait_for '^fluxion> sol\(2\.0\) *$' || fail "editing the offered cell"
tm send-keys -t w Enter
at_cell 6 && wait_for '^fluxion> sol\(2\.0\)' && pass "an edited cell runs as edited and moves on" || fail "edited cell"

tm send-keys -t w Enter
at_cell 7 || fail "cell 6"
tm send-keys -t w Enter
at_cell 8 && wait_for 'plot shown in the plot pane' && wait_for '── Plot' \
  && screen | head -20 | grep -qP '[\x{2801}-\x{28FF}]' && screen | head -20 | grep -q 'u1(t)' \
  && pass "plot(sol) draws in the plot pane" || fail "plot not drawn"
tm send-keys -t w Enter
at_cell 9 && wait_for '^\(\[-39\.1' || fail "gradient cell"
tm send-keys -t w Enter
wait_for ' ready  tutorial getting-started — done ' && wait_for 'tutorial getting-started done' \
  && pass "the last cell's assertion holds and the tutorial is done" || fail "tutorial did not finish"

command_line ':restart'
at_cell 1 && pass ":restart goes back to cell 1" || fail ":restart"
command_line ':frobnicate'
wait_for 'error: unknown command :frobnicate — :help lists the commands' && pass "an unknown command is a clear error" \
  || fail "unknown command"

tm send-keys -t w C-u C-d
for i in $(seq 1 50); do
  [ "$(tm display-message -p -t w '#{pane_dead}')" = 1 ] && break
  sleep 0.1
done
[ "$(cat "$scratch/status" 2>/dev/null)" = 0 ] && pass "Ctrl-D quits with status 0" || fail "exit status '$(cat "$scratch/status" 2>/dev/null)'"

# The first screen of the workbench lists the tutorials; :tutorial NAME starts one.
start "'$fluxion'"
wait_for 'Tutorials — :tutorial NAME starts one' && wait_for '^  getting-started +Getting started' \
  && pass "the workbench's first screen lists the tutorials" || fail "no tutorial list on the first screen"
command_line ':tutorial getting-started'
at_cell 1 && pass ":tutorial NAME starts a tutorial" || fail ":tutorial NAME"
tm send-keys -t w C-u C-d

# Without a terminal: the list, and a tutorial run as a script.
"$fluxion" tutorial > "$scratch/list" && grep -qE '^  getting-started +Getting started' "$scratch/list" \
  && pass "fluxion tutorial lists the tutorials" || fail "fluxion tutorial: $(cat "$scratch/list")"
if "$fluxion" tutorial getting-started < /dev/null > "$scratch/out" 2>&1 \
  && grep -q '^tutorial getting-started: all [0-9]* cells ran$' "$scratch/out" \
  && grep -q '^fluxion> sol(5.0)$' "$scratch/out" && grep -qP '[\x{2801}-\x{28FF}]' "$scratch/out"; then
  pass "without a terminal the tutorial runs as a script"
else
  fail "batch run: $(tail -5 "$scratch/out")"
fi
mkdir "$scratch/tutorials"
printf '# # Broken\n# Prose.\nx = 1\n@assert x > 1 "x should exceed 1"\n' > "$scratch/tutorials/broken.flx"
status=0
FLUXION_TUTORIALS="$scratch/tutorials" "$fluxion" tutorial broken --batch > "$scratch/out" 2> "$scratch/err" || status=$?
[ "$status" = 1 ] && grep -q 'broken.flx:4:1: error: AssertionError: x should exceed 1' "$scratch/err" \
  && pass "a failed assertion exits with status 1 and says where" || fail "failing tutorial: status $status, $(cat "$scratch/err")"

if [ "$failures" -ne 0 ]; then echo "tutorial terminal test: $failures failure(s)"; exit 1; fi
echo "tutorial terminal test: all passed"
