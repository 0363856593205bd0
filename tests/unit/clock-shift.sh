#!/usr/bin/env bash
# The unit suite again with the system clock a year and more ahead and behind (libfaketime):
# a test that passes only near the day it was written fails here, not months later in CI.
# Time that a decision depends on is an input the test pins (docs/development.md, "Time").
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v faketime >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q faketime >/dev/null
  else
    echo "clock-shift: faketime is missing; install it (Debian/Ubuntu: apt-get install faketime)" >&2
    exit 1
  fi
fi

for offset in ${DUOSHOU_CLOCK_OFFSETS:-+400d -400d}; do
  shifted=$(faketime -f "$offset" date -u +%Y-%m-%d)
  echo "==> unit tests with the clock at $offset ($shifted)"
  # A run whose clock did not move proves nothing.
  if [ "$shifted" = "$(date -u +%Y-%m-%d)" ]; then
    echo "clock-shift: faketime did not move the clock by $offset" >&2
    exit 1
  fi
  faketime -f "$offset" pytest -q -p no:cacheprovider tests/unit tests/lab/build tests/bench tests/conformance
done
