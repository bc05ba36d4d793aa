#!/bin/sh
# Remote Help.app launcher (Contents/MacOS): runs the bundled agent with the Node runtime in
# Contents/Resources. Opened from Finder (no arguments, or the old -psn_ argument) it opens
# the share window; the LaunchAgent runs it with `run` for remote launch.
contents=$(cd "$(dirname "$0")/.." && pwd)
resources="$contents/Resources"
case "$1" in
  '' | -psn_*) set -- share ;;
esac
exec "$resources/app/node" "$resources/app/dist/cli.mjs" "$@"
