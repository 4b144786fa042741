#!/usr/bin/env bash
# End-to-end test of background training in the curses workbench: a private tmux server
# runs `fluxion` at 120×40, trains the spiral of LANGUAGE.md (small) as a job, and reads the
# loss pane, the parameter table and the status line back while typing goes on. Also
# measures the workbench's idle CPU from /proc. Run by `make test`.
# Usage: Tests/Terminal/jobs.sh PATH/TO/fluxion
set -euo pipefail
# Character classes and substrings below count characters, not bytes.
export LC_ALL=C.UTF-8
fluxion="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
server="fluxion-jobs-$$"
source "$(dirname "$0")/common.sh"
cleanup() { tm kill-server >/dev/null 2>&1 || true; rm -f "${status_file:-}" "${history_file:-}"; }
trap cleanup EXIT

status_file="$(mktemp)"
history_file="$(mktemp)"
tm -f /dev/null new-session -d -s w -x 120 -y 40 \
  "env TERM=xterm-256color FLUXION_HISTORY='$history_file' '$fluxion'; echo \$? > '$status_file'"
tm set-option -g remain-on-exit on >/dev/null
wait_for '^fluxion>' && wait_for ' ready ' && pass "the workbench starts" || fail "no prompt"

# The status line's iteration count (`job #1 running ▕██  ▏ 120/2000`), or 0.
iteration() { screen | grep -oE 'job #1 [a-z]+ .{12} [0-9]+/' | grep -oE '[0-9]+/$' | tr -d / | tail -1 || echo 0; }
# The row (0-based) of the leftmost and of the rightmost braille cell in the loss pane
# (columns 61–120, rows 1–19): a decreasing curve starts higher than it ends.
loss_curve_falls() {
  local row=0 first_col=999 first_row=-1 last_col=-1 last_row=-1 line col ch
  while IFS= read -r line; do
    if [ "$row" -ge 1 ] && [ "$row" -le 19 ]; then
      for ((col = 66; col < ${#line}; col++)); do
        ch="${line:col:1}"
        if [[ "$ch" == [⠁-⣿] ]]; then
          if [ "$col" -lt "$first_col" ]; then first_col=$col; first_row=$row; fi
          if [ "$col" -gt "$last_col" ]; then last_col=$col; last_row=$row; fi
        fi
      done
    fi
    row=$((row + 1))
  done < <(screen)
  [ "$first_row" -ge 0 ] && [ "$last_col" -gt $((first_col + 10)) ] && [ "$first_row" -lt "$last_row" ]
}

# The spiral of LANGUAGE.md, small: 20 saved points and a 2-10-2 network.
lines=(
  'u0 = [2.0, 0.0]; tspan = (0.0, 1.5); tsteps = range(0.0, 1.5, length=20)'
  'A = [-0.1 2.0; -2.0 -0.1]'
  "truth(u, p, t) = ((u.^3)'A)'"
  'ode_data = Array(solve(ODEProblem(truth, u0, tspan), Tsit5(), saveat=tsteps))'
  'dudt = Chain(x -> x.^3, Dense(2, 10, tanh), Dense(10, 2))'
  'node = NeuralODE(dudt, tspan, Tsit5(), saveat=tsteps)'
  'θ = initial_params(node)'
  'predict(θ) = Array(node(u0, θ))'
  'loss(θ) = sum(abs2, ode_data .- predict(θ))'
)
for line in "${lines[@]}"; do
  type_line "$line"
  wait_for '^loss \(generic function|^(predict|θ|node|dudt|ode_data|A|tsteps|truth)' >/dev/null || true
done
wait_for '^loss \(generic function with 1 method\)' || fail "the spiral set-up did not finish"

type_line 'job = train(loss, θ, Adam(0.05), maxiters=2000)'
wait_for 'TrainingJob #1: Adam\(0.05\), 2000 iterations' && pass "train returns a job at once" || fail "no job value"
wait_for 'Loss \(log10\) — job #1 Adam\(0.05\)' && wait_for 'job #1 running ' \
  && pass "the training layout shows the loss pane and the job's status line" || fail "no loss pane or job status"
wait_seconds=15 wait_for '^θ\[1\] +-?[0-9.e+-]+ +-?[0-9.e+-]+ *│' && wait_for '^θ\[12\] ' \
  && pass "the parameter table is filled with values and gradients" || fail "parameter table empty"
first=$(iteration)
sleep 2
second=$(iteration)
[ "$second" -gt "$first" ] && pass "the status line advances ($first → $second iterations)" || fail "status did not advance ($first → $second)"
wait_seconds=15
for i in $(seq 1 30); do loss_curve_falls && break; sleep 0.5; done
loss_curve_falls && pass "the loss pane shows a decreasing curve" || fail "no decreasing loss curve"

type_line '1+1'
wait_for '│2 *$' && wait_for 'job #1 running ' && pass "1+1 shows 2 while the job trains" || fail "1+1 did not answer during training"

tm resize-window -t w -x 70 -y 20 2>/dev/null || tm resize-pane -t w -x 70 -y 20
sleep 1
small=$(screen)
width=$(echo "$small" | wc -L)
rows=$(echo "$small" | wc -l)
echo "$small" | sed -n '1p' | grep -q '── Plot ─.*── Loss (log10)' \
  && echo "$small" | grep -qE '^── Parameters .*│── ▸ REPL' \
  && echo "$small" | sed -n '19p' | grep -qE '^ [a-z]+ +job #1 running' \
  && echo "$small" | sed -n '20p' | grep -q '^fluxion>' \
  && [ "$width" -le 70 ] && [ "$rows" -le 20 ] \
  && pass "resized to 70×20: plot, loss, parameters, REPL, status and input all fit" || fail "layout after resize (width $width, rows $rows)"
tm resize-window -t w -x 120 -y 40 2>/dev/null || tm resize-pane -t w -x 120 -y 40

tm send-keys -t w C-o
wait_for '^── ▸ Parameters 1–16/52 ' && tm send-keys -t w NPage && wait_for '^── ▸ Parameters 16–31/52 ' \
  && wait_for '^θ\[16\] ' && pass "Ctrl-O focuses the parameter table and PageDown scrolls it" || fail "focus or table scroll"
tm send-keys -t w C-o
wait_for '│── ▸ REPL ' && pass "Ctrl-O gives the focus back to the REPL" || fail "focus did not return to the REPL"

tm send-keys -t w C-c
wait_for 'job #1 paused \(Ctrl-C\)' && wait_for 'job #1 paused ' && pass "Ctrl-C with no evaluation running pauses the job" \
  || fail "Ctrl-C did not pause the job"
# The pause takes effect at the next iteration boundary: the iteration in flight may still finish.
paused=$(iteration)
for i in 1 2 3 4 5; do sleep 0.3; now=$(iteration); [ "$now" = "$paused" ] && break; paused=$now; done
sleep 1
[ "$(iteration)" = "$paused" ] && pass "a paused job stays at iteration $paused" || fail "the paused job moved on ($paused → $(iteration))"

type_line ':resume'
wait_for 'job #1 resumed' && sleep 1 && [ "$(iteration)" -gt "$paused" ] && wait_for 'job #1 running ' \
  && pass ":resume goes on" || fail ":resume did not restart the job"

type_line ':jobs'
wait_for '#1   running +[0-9]+/2000' && pass ":jobs lists the job" || fail ":jobs"

type_line ':stop'
wait_for 'job #1 stopped' && pass ":stop ends the job" || fail ":stop"
type_line 'job.state, length(job.u) == length(θ)'
wait_for '\(:stopped, true\)' && pass "a stopped job keeps its parameters as its result" || fail "stopped job result"

# Idle CPU: no job and no evaluation running, measured from /proc over 5 s (utime + stime
# in clock ticks): under 1 % of one core.
pid=$(pgrep -P "$(tm display-message -p -t w '#{pane_pid}')" | head -1)
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
sleep 1
before=$(ticks)
sleep 5
after=$(ticks)
idle=$(awk -v d=$((after - before)) -v hz="$hz" 'BEGIN { printf "%.2f", 100 * d / hz / 5 }')
echo "idle CPU: $idle % ($((after - before)) ticks in 5 s)"
awk -v p="$idle" 'BEGIN { exit !(p < 1) }' && pass "idle CPU $idle % < 1 %" || fail "idle CPU $idle %"

type_line 'job2 = train(loss, job.u, Adam(0.01), maxiters=100000)'
wait_for 'job #2 running ' || fail "second job did not start"
tm send-keys -t w C-d
wait_for 'Ctrl-D again quits' && [ "$(tm display-message -p -t w '#{pane_dead}')" = 0 ] \
  && pass "Ctrl-D while a job runs asks first" || fail "Ctrl-D did not ask"
tm send-keys -t w C-d
for i in $(seq 1 50); do
  [ "$(tm display-message -p -t w '#{pane_dead}')" = 1 ] && break
  sleep 0.1
done
[ "$(tm display-message -p -t w '#{pane_dead}')" = 1 ] && pass "a second Ctrl-D quits" || fail "the second Ctrl-D did not quit"
[ "$(cat "$status_file")" = 0 ] && pass "exit status 0" || fail "exit status '$(cat "$status_file")'"
[ "$(tm display-message -p -t w '#{alternate_on}')" = 0 ] && pass "the terminal is restored (alternate screen off)" || fail "alternate screen still on"

if [ "$failures" -ne 0 ]; then echo "jobs terminal test: $failures failure(s)"; exit 1; fi
echo "jobs terminal test: all passed"
