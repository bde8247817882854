#!/usr/bin/env bash
# record-demo.sh — makes docs/demo.gif, the animated picture at the top of
# README, from real frames of the current binary running the seed's story
# on the simulated lab (`straylight --demo`). Nothing in it is drawn by hand:
#
#   1. tmux runs the binary in a 120×40 terminal and this script types the
#      keys an operator would (the mismatch, the routes, the log, the
#      charts, the diff, the deploy with its health gate and route test,
#      the git history);
#   2. after each step `tmux capture-pane -e` keeps the screen with its
#      colours (docs/demo-frames/NN.ansi, kept out of git);
#   3. charmbracelet/freeze renders each frame (its ANSI colours) to a PNG;
#   4. ImageMagick's convert joins them, each held for its own time, and
#      gifsicle optimises the GIF.
#
# Needs: go, tmux, freeze (go install github.com/charmbracelet/freeze@v0.2.2),
# ImageMagick (convert) and gifsicle (apt-get install imagemagick gifsicle).
# Usage: docs/record-demo.sh [output.gif]    (default docs/demo.gif)
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-docs/demo.gif}"
frames=docs/demo-frames
session="straylight-demo-$$"
FREEZE="${FREEZE:-$(command -v freeze || echo "$(go env GOPATH)/bin/freeze")}"

need() { command -v "$1" >/dev/null 2>&1 || { echo "record-demo: $1 is not installed ($2)" >&2; exit 1; }; }
need go "https://go.dev/dl"
need tmux "apt-get install tmux"
# ImageMagick's convert (or magick): the first on PATH that says it is.
CONVERT=""
for c in magick convert /usr/bin/convert; do
	if "$c" -version 2>/dev/null | grep -q ImageMagick; then CONVERT="$c" && break; fi
done
[ -n "$CONVERT" ] || { echo "record-demo: ImageMagick is not installed (apt-get install imagemagick)" >&2; exit 1; }
need gifsicle "apt-get install gifsicle"
[ -x "$FREEZE" ] || { echo "record-demo: freeze is not installed (go install github.com/charmbracelet/freeze@v0.2.2)" >&2; exit 1; }

work="$(mktemp -d)"
cleanup() { tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/straylight" .
rm -rf "$frames" && mkdir -p "$frames"
tmux new-session -d -s "$session" -x 120 -y 40 "$work/straylight --demo; sleep 5"

n=0
delays=()
# shot HOLD: keeps the screen as the next frame, shown for HOLD hundredths of a second.
shot() {
	n=$((n + 1))
	tmux capture-pane -e -p -t "$session" >"$frames/$(printf %02d "$n").ansi"
	delays+=("$1")
}
# wait_for TEXT: waits (up to 60 s) until the screen shows TEXT.
wait_for() {
	for _ in $(seq 300); do
		tmux capture-pane -p -t "$session" | grep -qF -- "$1" && return 0
		sleep 0.2
	done
	echo "record-demo: the screen never showed: $1" >&2
	tmux capture-pane -p -t "$session" >&2
	exit 1
}
keys() { for k in "$@"; do tmux send-keys -t "$session" "$k"; sleep 0.3; done; }

wait_for "routes ok 4/5"
sleep 6 # a few refreshes: the sparklines fill
shot 300 # the fleet: wintermute serves its HuggingFace path, as deployed; 1 change
keys Tab
wait_for "local/reasoner"
shot 300 # the route through wintermute is a mismatch
keys Tab l
wait_for "Application startup complete."
shot 250 # wintermute's vLLM log
sleep 3
shot 150 # new lines while following
keys Escape Enter
wait_for "configured values"
keys G
wait_for "15 minutes ago"
shot 300 # the host detail's charts
keys Escape d
wait_for "served_model_name"
shot 300 # the diff a deploy would make
keys a
wait_for "Deploy wintermute?"
shot 200
keys y
wait_for "waiting up to"
shot 150 # the health gate
wait_for "Hello!"
shot 300 # the route test streams through LiteLLM
keys Escape Escape
wait_for "routes ok 5/5"
wait_for "DRIFT"
sleep 3 # the next refresh probes what was just deployed
shot 300 # fixed: wintermute serves llama31-8b-wintermute
keys h
wait_for "History wintermute"
shot 350 # the seed's commits, ready for git revert
keys Escape q

# render ANSI PNG: freeze reads the frame (it renders the escape codes as
# colours) and draws the window; it gets three tries on a loaded machine.
render() {
	for _ in 1 2 3; do
		"$FREEZE" "$1" -o "$2" --window --width 1280 --font.size 13 >/dev/null 2>&1 && return 0
	done
	echo "record-demo: freeze could not render $1" >&2
	exit 1
}

i=0
args=()
for f in "$frames"/*.ansi; do
	png="${f%.ansi}.png"
	render "$f" "$png"
	args+=(-delay "${delays[$i]}" "$png")
	i=$((i + 1))
done
"$CONVERT" "${args[@]}" -loop 0 "$work/demo.gif"
gifsicle -O3 --colors 128 "$work/demo.gif" -o "$out"
echo "record-demo: wrote $out ($n frames)"
