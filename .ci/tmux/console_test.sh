#!/usr/bin/env bash
# Real-terminal test of `meshtop console` in tmux: drives every view and a trace waterfall with keys, checks what
# is on screen with capture-pane, resizes the window, quits with q and with SIGTERM, and checks the terminal is
# restored (no alternate screen, echo back on). Also starts once with TERM=vt100 (monochrome).
#
#   .ci/tmux/console_test.sh PATH/TO/meshtop PATH/TO/meshtop.db   # the real binary over a database
#   .ci/tmux/console_test.sh --command "PATH/TO/consoledev"        # any command that starts the console
#
# The database should hold at least one trace (e.g. written by `meshtop demo`); set SKIP_TRACE=1 otherwise.
# Exit status 0 when every check passed; each failure is printed with the screen it saw.
set -u

if [ "${1:-}" = "--command" ]; then
    CMD="$2"
elif [ $# -ge 2 ]; then
    CMD="$1 console --db $2 --refresh 500ms"
else
    echo "usage: $0 MESHTOP_BINARY DB_PATH | --command 'CONSOLE COMMAND'" >&2
    exit 2
fi

SOCK="meshtop-console-test-$$"
T="tmux -L $SOCK"
FAILS=0
trap '$T kill-server 2>/dev/null; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"' EXIT
# A idle session keeps this private tmux server alive between the console sessions.
$T new-session -d -s keep "sleep 3600"

screen() { $T capture-pane -p -t ct; }

# wait_for TEXT [SECONDS]: polls the screen until it shows TEXT.
wait_for() {
    local text="$1" limit="${2:-5}" i=0
    while [ "$i" -lt $((limit * 10)) ]; do
        if screen | grep -qF -- "$text"; then return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

check() {
    local what="$1" text="$2"
    if wait_for "$text" "${3:-5}"; then
        echo "ok   $what"
    else
        echo "FAIL $what: '$text' not on screen:"
        screen | sed 's/^/     | /'
        FAILS=$((FAILS + 1))
    fi
}

keys() { $T send-keys -t ct "$@"; sleep 0.2; }

# start COLS ROWS TERM: the console in a fresh session; the pane keeps a shell afterwards to inspect the tty.
start() {
    $T kill-session -t ct 2>/dev/null
    $T new-session -d -s ct -x "$1" -y "$2" \
        "env TERM=$3 LANG=C.UTF-8 LC_ALL=C.UTF-8 $CMD; echo EXIT=\$?; stty -a; sleep 600"
    $T set-option -t ct -g default-terminal "$3" >/dev/null 2>&1
}

restored() {
    local what="$1"
    check "$what: console exited" "EXIT=" 5
    local alt
    alt=$($T display -p -t ct '#{alternate_on}')
    if [ "$alt" = "0" ]; then echo "ok   $what: alternate screen off"; else
        echo "FAIL $what: alternate screen still on"; FAILS=$((FAILS + 1)); fi
    # `stty -a` runs after EXIT= is printed: on a loaded machine its lines come a moment later.
    wait_for "icanon" 10 || true
    if screen | grep -Eq '(^|[ ;])echo([ ;]|$)' && screen | grep -Eq '(^|[ ;])icanon([ ;]|$)'; then
        echo "ok   $what: echo and icanon restored"
    else
        echo "FAIL $what: stty does not show echo/icanon:"; screen | sed 's/^/     | /'; FAILS=$((FAILS + 1))
    fi
}

start 100 30 xterm-256color
check "header" "meshtop"
if [ "$FAILS" -ne 0 ]; then echo "console tmux test: the console did not start"; exit 1; fi
check "tab bar" "1 Services  2 Topology  3 Traces  4 Logs  5 Metrics  6 Breakers  7 Alerts  8 Limits"
check "services table" "SERVICE"
check "footer hints from the key table" "? help"
if [ "$($T display -p -t ct '#{alternate_on}')" = "1" ]; then echo "ok   runs on the alternate screen"; else
    echo "FAIL alternate screen not on while running"; FAILS=$((FAILS + 1)); fi
keys 2;   check "topology view" " edges, "
keys l;   check "topology list layout" " edges, list"
keys l
keys 3;   check "traces view" "Search: service="
keys 4;   check "logs view" "lines, "
keys 5;   check "metrics view" "NAME"
keys 6;   check "breakers view" "EDGE"
keys 7;   check "alerts view" "ALERT"
keys 8;   check "limits view" "BLOCK%"
keys Tab; check "Tab wraps to services" "APDEX"
keys BTab; check "Shift-Tab goes back to limits" "BLOCK%"
keys '?'; check "help screen" "Keys (? or Esc closes)"
keys Escape
keys 3 / x y z; check "filter prompt" "/xyz_"
keys Escape
keys : s i n c e Space 1 h Enter; check ":since 1h" "window 1h"
keys t;   check "t cycles the window" "window 6h"
keys Space; check "space pauses" "PAUSED"
keys Space
if [ "${SKIP_TRACE:-0}" != "1" ]; then
    keys 3 g
    # Let the search list load before opening its first trace (a wait, not a check: any database will do).
    wait_for "DURATION" 10 || true
    sleep 1
    keys Enter; check "trace waterfall" "SPAN" 5
    check "waterfall logs pane" "logs with this trace id" 5
    keys j;   check "span selection moves" "span " 5
    keys Escape; check "Esc back to the list" "Search: service="
fi
$T resize-window -t ct -x 120 -y 40
sleep 0.5
rows=$(screen | wc -l)
width=$(screen | head -1 | sed 's/[[:space:]]*$//' | awk '{ print length($0) }')
if [ "$rows" = "40" ] && [ "$width" -gt 100 ]; then echo "ok   redraws at 120x40"; else
    echo "FAIL resize to 120x40: rows=$rows header width=$width"; screen | sed 's/^/     | /'; FAILS=$((FAILS + 1)); fi
$T resize-window -t ct -x 60 -y 20
check "too small message" "terminal too small"
$T resize-window -t ct -x 100 -y 30
check "back to normal after resize" "1 Services"
keys q
restored "quit with q"

start 100 30 xterm-256color
check "second start" "SERVICE"
pane=$($T display -p -t ct '#{pane_pid}')
child=$(pgrep -P "$pane" | head -1)
if [ -n "$child" ]; then kill -TERM "$child"; fi
restored "SIGTERM"

start 80 24 vt100
check "monochrome (TERM=vt100) starts" "SERVICE"
if $T capture-pane -p -e -t ct | grep -q $'\e\[3[0-7]m\|\e\[38;5;'; then
    echo "FAIL monochrome: colour escapes on screen"; FAILS=$((FAILS + 1))
else
    echo "ok   monochrome: no colours"
fi
keys q
restored "vt100 quit"

if [ "$FAILS" -eq 0 ]; then echo "console tmux test: all checks passed"; else echo "console tmux test: $FAILS failed"; fi
[ "$FAILS" -eq 0 ]
