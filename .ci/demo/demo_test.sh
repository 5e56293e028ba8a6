#!/usr/bin/env bash
# Real-terminal test of `meshtop demo` in tmux: starts the demo (collector + simulated shop + console) in a detached
# 160x45 session, waits for the Services view to list the shop's services, switches to the topology, quits with q
# and checks that the demo exited cleanly and the terminal was restored (no alternate screen, echo back on).
#
#   .ci/demo/demo_test.sh PATH/TO/meshtop
#
# Exit status 0 when every check passed; each failure is printed with the screen it saw.
set -u

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH/TO/meshtop   (build it with: swift build -c release)" >&2
    exit 2
fi
BIN="$1"
command -v tmux >/dev/null || { echo "demo tmux test: tmux is not installed (apt-get install tmux)" >&2; exit 2; }

SOCK="meshtop-demo-test-$$"
T="tmux -L $SOCK"
FAILS=0
DIR=$(mktemp -d)
trap '$T kill-server 2>/dev/null; rm -rf "$DIR"' EXIT

screen() { $T capture-pane -p -t dt 2>/dev/null; }

fail() {
    echo "FAIL $1"
    screen | sed 's/^/     | /'
    FAILS=$((FAILS + 1))
}

# wait_for SECONDS TEXT...: polls the screen until it shows every TEXT.
wait_for() {
    local limit="$1" i=0 t missing
    shift
    while [ "$i" -lt $((limit * 10)) ]; do
        missing=0
        for t in "$@"; do screen | grep -qF -- "$t" || missing=1; done
        [ "$missing" -eq 0 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

check() {
    local what="$1" limit="$2"
    shift 2
    if wait_for "$limit" "$@"; then echo "ok   $what"; else fail "$what: not all of [$*] on screen:"; fi
}

# The pane keeps a shell after the demo ends, so the exit status and the tty modes can be inspected.
$T new-session -d -s dt -x 160 -y 45 \
    "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $BIN demo --speed 5 --db $DIR/demo.db 2>$DIR/stderr; \
     echo EXIT=\$?; stty -a; sleep 600"

check "services view lists the shop" 20 "SERVICE" "gateway" "payments" "orders" "inventory" "bank-api"
if [ "$FAILS" -gt 0 ]; then
    echo "     demo stderr:"; sed 's/^/     | /' "$DIR/stderr"
    echo "demo tmux test: the console never showed the shop; stopping"
    exit 1
fi
if [ "$($T display -p -t dt '#{alternate_on}')" = "1" ]; then echo "ok   the console runs on the alternate screen"; else
    fail "alternate screen is not on while the console runs"; fi
check "header shows the collector" 5 "meshtop"

$T send-keys -t dt 2
check "topology view" 10 " edges, " "gateway" "payments"
# The graph labels edges and the list names callers: either way the caller and callee are on screen.
$T send-keys -t dt l
check "topology list shows an edge" 10 "CALLER" "orders" "payments"

$T send-keys -t dt 1
check "back to services" 5 "SERVICE" "gateway"

$T send-keys -t dt q
if wait_for 15 "EXIT="; then
    status=$(screen | sed -n 's/.*EXIT=\([0-9]*\).*/\1/p' | head -1)
    if [ "$status" = "0" ]; then echo "ok   demo exited with status 0 after q"; else
        fail "demo exited with status $status after q (stderr: $(tr '\n' ' ' <"$DIR/stderr"))"; fi
    if [ "$($T display -p -t dt '#{alternate_on}')" = "0" ]; then echo "ok   alternate screen off"; else
        fail "alternate screen still on after exit"; fi
    # `stty -a` runs after EXIT= is printed: on a loaded machine its lines come a moment later.
    wait_for 10 "icanon" || true
    if screen | grep -Eq '(^|[ ;])echo([ ;]|$)' && screen | grep -Eq '(^|[ ;])icanon([ ;]|$)'; then
        echo "ok   echo and icanon restored"
    else
        fail "stty does not show echo/icanon after exit:"
    fi
else
    fail "demo did not exit within 15 s of q:"
fi
if grep -q "data kept in" "$DIR/stderr"; then echo "ok   demo says where its data is"; else
    echo "FAIL demo stderr does not say where the data is kept:"
    sed 's/^/     | /' "$DIR/stderr"
    FAILS=$((FAILS + 1))
fi

if [ "$FAILS" -eq 0 ]; then echo "demo tmux test: all checks passed"; else echo "demo tmux test: $FAILS failed"; fi
[ "$FAILS" -eq 0 ]
