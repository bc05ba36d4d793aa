#!/bin/sh
# The ADR 0028 budget probe: what a native capture-and-encode helper would cost on the busy screen.
# A throwaway prototype (not the product, not built by CI): capenc.c captures with DAMAGE + MIT-SHM,
# finds fills and changed 64x64 tiles against a shadow, encodes them (solid/palette/raw, one deflate
# per message) and writes length-prefixed messages; relay.mjs sends each on an unordered wrtc data
# channel to a peer in another process, as the agent's TileSender would. painter.c draws the bench's
# busy workload (20 random rectangles 20-200 px every 33 ms). Needs gcc, Xvfb and the X/zlib -dev
# packages. Usage: bench/native-probe/run.sh [seconds] [copy|nocopy]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-10}
mode=${2:-nocopy}
out=$(mktemp -d)
gcc -O3 -o "$out/capenc" "$here/capenc.c" -lX11 -lXext -lXdamage -lz
gcc -O2 -o "$out/painter" "$here/painter.c" -lX11
display=:197
Xvfb $display -screen 0 1280x720x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$out"' EXIT
sleep 1
DISPLAY=$display "$out/painter" $((seconds + 6)) &
painter=$!
if [ "$mode" = nocopy ]; then export NOCOPY=1; fi
DISPLAY=$display CAPENC="$out/capenc" node "$here/relay.mjs" "$seconds"
wait $painter
