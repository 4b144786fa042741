#!/usr/bin/env bash
# End-to-end test of sessions: `:save` in the curses workbench (a private tmux server at
# 120×40), then a fresh `fluxion open` showing the restored transcript and value; a refused
# damaged file; and a writer killed with SIGKILL in the middle of a save, which must leave
# the previous file whole. Run by `make test`.
# Usage: Tests/Terminal/sessions.sh PATH/TO/fluxion
set -euo pipefail
export LC_ALL=C.UTF-8
fluxion="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
server="fluxion-sessions-$$"
work="$(mktemp -d)"
source "$(dirname "$0")/common.sh"
cleanup() { tm kill-server >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
start() {
  tm -f /dev/null new-session -d -s w -x 120 -y 40 -c "$work" \
    "env TERM=xterm-256color FLUXION_HISTORY='$work/history' $1"
  tm set-option -g remain-on-exit on >/dev/null
}

# 1. Save in the workbench.
start "'$fluxion'"
wait_for '^fluxion>' || fail "no prompt"
type_line 'z = 41 + 1'
wait_for '^42 *$' || fail "z = 41 + 1 did not show 42"
type_line 'plot([1.0, 4.0, 2.0], title="saved plot")'
wait_for 'plot shown in the plot pane' || fail "plot not shown"
type_line ':save tmux'
wait_for 'saved sessions/tmux.json: 1 variable, 2 cells' && [ -f "$work/sessions/tmux.json" ] \
  && pass ":save writes sessions/tmux.json" || fail ":save did not report or write the file"
tm send-keys -t w C-d
wait_dead || fail "Ctrl-D did not quit"
tm kill-server >/dev/null 2>&1 || true

# 2. A fresh process opens it: the transcript, the plot and the value are back.
start "'$fluxion' open tmux"
wait_for 'opened sessions/tmux.json: 1 variable restored, 2 cells' && pass "fluxion open reports what it restored" \
  || fail "no open report"
screen | grep -qE '^fluxion> z = 41 \+ 1 *$' && screen | grep -qE '^42 *$' \
  && pass "the saved transcript is shown again" || fail "transcript not restored"
screen | grep -q 'saved plot' && pass "the saved plot is in the plot pane" || fail "plot not restored"
type_line 'z * 2'
wait_for '^84 *$' && pass "the restored value z is live (z * 2 = 84)" || fail "z not restored"
tm send-keys -t w C-d
wait_dead || fail "Ctrl-D did not quit"
tm kill-server >/dev/null 2>&1 || true

# 3. A damaged copy is refused with a message naming it; the status is 1.
sed 's/41 + 1/41 + 2/' "$work/sessions/tmux.json" > "$work/damaged.json"
if out=$(cd "$work" && "$fluxion" open damaged.json --plain < /dev/null 2>&1); then
  fail "a damaged file was opened: $out"
else
  echo "$out" | grep -q 'cannot open session damaged.json: damaged: the checksum does not match' \
    && pass "a damaged file is refused with a message" || fail "message for a damaged file: $out"
fi

# 4. SIGKILL in the middle of a save leaves the previous file whole.
cp "$work/sessions/tmux.json" "$work/before.json"
printf 'w = 7\nsave_session("tmux")\n' > "$work/writer.flx"
(cd "$work" && exec env FLUXION_SESSION_SAVE_PAUSE=30 "$fluxion" --plain < writer.flx > writer.out 2>&1) &
writer=$!
temporary="$work/sessions/.tmux.json.tmp-$writer"
for i in $(seq 1 100); do [ -s "$temporary" ] && break; sleep 0.1; done
[ -s "$temporary" ] && pass "the writer is paused half way through its temporary file" || fail "no temporary file"
kill -KILL "$writer"
wait "$writer" 2>/dev/null || true
cmp -s "$work/before.json" "$work/sessions/tmux.json" && pass "after SIGKILL the previous file is unchanged" \
  || fail "the session file changed"
out=$(cd "$work" && printf 'z\nw\n' | "$fluxion" open tmux --plain 2>&1)
echo "$out" | grep -q '^opened sessions/tmux.json' && echo "$out" | grep -qE '^42$' && echo "$out" | grep -q 'UndefVarError: `w`' \
  && pass "the previous session loads (z = 42, no w), not the killed writer's" || fail "open after SIGKILL: $out"
[ -e "$temporary" ] && [ "$(ls -A "$work/sessions" | grep -c '\.json$')" = 1 ] \
  && pass "the leftover temporary file is hidden and not a .json" || fail "sessions/: $(ls -A "$work/sessions" | tr '\n' ' ')"
if (cd "$work" && "$fluxion" open "sessions/.tmux.json.tmp-$writer" --plain < /dev/null > /dev/null 2>&1); then
  fail "the half-written temporary file was accepted"
else
  pass "the half-written temporary file is refused"
fi

if [ "$failures" -ne 0 ]; then echo "sessions terminal test: $failures failure(s)"; exit 1; fi
echo "sessions terminal test: all passed"
