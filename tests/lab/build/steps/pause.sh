# shellcheck shell=bash
# Pod sandbox binary (our own C program, static so the image can be scratch).

build_pause() {
  local ver="$PAUSE_VERSION" tmp="$CACHE/pause-$PAUSE_VERSION/bin.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  run gcc -static -Os -Wall -Werror -DPAUSE_VERSION="\"$ver\"" -o "$tmp/pause" "$HERE/pause/pause.c"
  strip "$tmp/pause"
  output_has "pause $ver" "$tmp/pause" -v || die "pause binary does not report $ver"
  # Behaviour check: TERM must end it with status 0.
  "$tmp/pause" 2>/dev/null &
  local pid=$! rc=0
  sleep 0.2
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  [ "$rc" = 0 ] || die "pause exited with $rc on SIGTERM, expected 0"
  publish_dir "$tmp" "$CACHE/pause-$ver/bin"
}
