#!/bin/sh
# Renders the stepper at a few telling moments into PNG files in
# screenshots/, for the README: each moment is a --script run in a private
# tmux server at a fixed size, captured with its colours (capture-pane -e),
# turned into HTML by aha and photographed by headless chromium. A moment
# may need a command typed over the live screen (the walk's popup, which
# a --script run before the screen opens does not leave open): TYPE holds
# it, one command a line, typed at ':' once the script has run.
# usage: scripts/screenshots.sh [BINARY]   (make screenshots)
#        ONLY='walk-view help' scripts/screenshots.sh   (only those)
set -eu
cd "$(dirname "$0")/.."
BIN=$(cd "$(dirname "${1:-./shadow-sim}")" && pwd)/$(basename "${1:-./shadow-sim}")
OUT=screenshots
for tool in tmux aha chromium; do
        if ! command -v "$tool" >/dev/null 2>&1; then
                echo "screenshots: $tool is missing (apt-get install tmux aha chromium fonts-dejavu-core)" >&2
                exit 1
        fi
done
[ -x "$BIN" ] || { echo "screenshots: no binary at $BIN (make first)" >&2; exit 1; }

SOCK="shadow-sim-shots-$$"
TMP=$(mktemp -d)
# 256 colours inside, so what is still to come shows grey.
echo 'set -g default-terminal tmux-256color' >"$TMP/tmux.conf"
TM="tmux -L $SOCK -f $TMP/tmux.conf"
trap '$TM kill-server 2>/dev/null || true; rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

# Character cell of DejaVu Sans Mono at 15px, for the window size.
CELL_W=9.04
CELL_H=18

# await NAME PATTERN: polls session NAME until a line of its screen
# matches PATTERN; fails, showing the screen, after 10 seconds.
await() {
        tries=100
        until $TM capture-pane -p -t "$1" | grep -Eq -- "$2"; do
                tries=$((tries - 1))
                if [ "$tries" -eq 0 ]; then
                        echo "screenshots: $1 never showed /$2/:" >&2
                        $TM capture-pane -p -t "$1" >&2
                        exit 1
                fi
                sleep 0.1
        done
}

# shot NAME COLS ROWS WAIT_PATTERN SCRIPT_TEXT [OPTIONS...]: on a dark page,
# or on the page colour PAGE (and text colour INK) when they are set; with
# TYPE, its commands typed over the live screen once WAIT_PATTERN shows,
# and the capture taken once TYPE_WAIT does.
shot() {
        name=$1 cols=$2 rows=$3 pattern=$4 script=$5
        shift 5
        case " ${ONLY:-$name} " in
        *" $name "*) ;;
        *) return 0 ;;
        esac
        printf '%s\n' "$script" >"$TMP/$name.cmd"
        $TM new-session -d -s "$name" -x "$cols" -y "$rows" \
                "env LANG=C.UTF-8 XDG_STATE_HOME=$TMP $BIN -i --script $TMP/$name.cmd $*; sleep 600"
        await "$name" "$pattern"
        if [ -n "${TYPE:-}" ]; then
                printf '%s\n' "$TYPE" | while IFS= read -r typed; do
                        $TM send-keys -t "$name" ':'
                        $TM send-keys -t "$name" -l "$typed"
                        $TM send-keys -t "$name" Enter
                done
                await "$name" "$TYPE_WAIT"
        fi
        $TM capture-pane -e -p -t "$name" >"$TMP/$name.ansi"
        $TM kill-session -t "$name"
        {
                printf '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
                printf 'body{margin:0;background:%s}' "${PAGE:-#101010}"
                printf 'pre{margin:0;padding:8px;font:15px/18px "DejaVu Sans Mono",monospace;color:%s}' \
                        "${INK:-#d0d0d0}"
                printf '</style></head><body><pre>'
                aha --no-header <"$TMP/$name.ansi"
                printf '</pre></body></html>\n'
        } >"$TMP/$name.html"
        w=$(awk "BEGIN{printf \"%d\", $cols * $CELL_W + 16}")
        h=$(awk "BEGIN{printf \"%d\", $rows * $CELL_H + 16}")
        chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
                --disable-component-update --disable-sync --no-first-run \
                --user-data-dir="$TMP/chromium" --hide-scrollbars \
                --screenshot="$OUT/$name.png" --window-size="$w,$h" "file://$TMP/$name.html" \
                >/dev/null 2>&1
        echo "screenshots: $OUT/$name.png"
}

SAMPLE=traces/sample_trace.txt

# A guest page-table write that traps: the exit, the emulated store, the
# shadow entry updated.
shot trapped-pt-write 120 36 '=> #17 SHADOW_UPDATE' \
        "break 0x1000
continue
stepi 2" "$SAMPLE"

# Out-of-sync shadow paging: the resync at INVLPG compares the table.
shot shadow-resync 120 36 '=> #[0-9]+ RESYNC' \
        "break RESYNC
continue" --mode shadow-oos "$SAMPLE"

# A breakpoint on a code page: where the guest maps 0x400000.
shot breakpoint-gva 120 36 'Breakpoint 1 \(gva 0x400000' \
        "break 0x400000
continue" "$SAMPLE"

# Nested paging: the two-dimensional walk of a TLB miss.
shot ept-mode 120 36 '=> #[0-9]+ ACCESS 0x1000 R' \
        "break 0x1000
continue
continue
stepi 2" --mode ept "$SAMPLE"

# The light theme, as a projector's white shows it: the walk of the read
# after the trapped write.
PAGE='#ffffff' INK='#000000' shot light-theme 120 36 '=> #[0-9]+ ACCESS 0x1000 R' \
        "break 0x1000
continue
continue" --theme light "$SAMPLE"

# The walk view: EPT's cold two-dimensional walk (page-walk caches off) of
# the read after the EPT violation, 24 references, the guest levels down
# and each one's nested walk across, two references stepped through.
TYPE='walk 3' TYPE_WAIT='\[3\] nested L2' shot walk-view 100 18 '=> #19 ACCESS 0x1000 R' \
        "goto 19" --mode ept --pwc off "$SAMPLE"

# The help screen, generated from the key bindings and the commands.
shot help 100 36 'Help: keys run commands' "help" "$SAMPLE"
