# Helpers shared by the tmux tests (sourced): `tm` drives the private server "$server",
# whose window `w` runs the program under test; pass/fail count the checks.
tm() { tmux -L "$server" "$@"; }
failures=0
fail() { echo "FAIL: $1"; echo "--- screen ---"; tm capture-pane -p -t w 2>/dev/null || true; echo "--------------"; failures=$((failures + 1)); }
pass() { echo "ok: $1"; }
screen() { tm capture-pane -p -t w; }
# Waits up to $wait_seconds (10 unless set) for the screen to match an extended regular expression.
wait_for() {
  local pattern="$1" i
  for i in $(seq 1 $((${wait_seconds:-10} * 10))); do
    if screen | grep -qE -- "$pattern"; then return 0; fi
    sleep 0.1
  done
  return 1
}
type_line() { tm send-keys -t w -l -- "$1"; tm send-keys -t w Enter; }
# Waits up to 5 s for the program in window `w` to exit (the pane stays, dead, with remain-on-exit).
wait_dead() {
  local i
  for i in $(seq 1 50); do
    [ "$(tm display-message -p -t w '#{pane_dead}')" = 1 ] && return 0
    sleep 0.1
  done
  return 1
}
