#!/usr/bin/env bash
# Renders a run's report.html to PNG with headless Chromium (Debian: apt-get install chromium),
# to look at it as a reader would or to commit a screenshot.
#   tools/report_screenshot.sh RUN [OUT.png] [WIDTH] [HEIGHT]
# WIDTH × HEIGHT is the window in CSS pixels (default 1280 × 6000: the top of a long report;
# give a larger HEIGHT for more). The page loads nothing from the network, so no network is used.
set -euo pipefail
run=${1:?usage: tools/report_screenshot.sh RUN [OUT.png] [WIDTH] [HEIGHT]}
out=${2:-$run/report.png}
width=${3:-1280}
height=${4:-6000}
html="$(cd "$run" && pwd)/report.html"
[ -f "$html" ] || { echo "no report at $html (run: ecgxai report $run)" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no Chromium found; install it (Debian: apt-get install chromium)" >&2; exit 1; }
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size="$width,$height" --screenshot="$out" "file://$html" 2>/dev/null
echo "wrote $out"
