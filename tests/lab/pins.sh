# shellcheck shell=bash
# The collection's pinned versions (roles/cluster/vars/main/pins.yml), for the lab scripts: the
# lab builds exactly what the roles install by default. Sourced, not executed.
#   lab_pin NAME   prints cluster_pins.NAME (a flat "  name: "value"" line of that file)
LAB_PINS_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/roles/cluster/vars/main/pins.yml"

lab_pin() {
  local value
  value=$(sed -n "s/^  $1: \"\\([^\"]*\\)\"\$/\\1/p" "$LAB_PINS_FILE")
  if [ -z "$value" ]; then
    echo "lab_pin: no pin '$1' in $LAB_PINS_FILE" >&2
    return 1
  fi
  printf '%s\n' "$value"
}
