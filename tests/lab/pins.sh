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

# The second Kubernetes release the lab builds and serves beside the pinned one: the target of
# kubeadm upgrade tests (make lab-artifacts-upgrade, i.e. build-all.sh --upgrade). A lab setting,
# not a collection pin; override it from the environment (LAB_UPGRADE_K8S_VERSION=v1.35.3).
LAB_UPGRADE_K8S_VERSION="${LAB_UPGRADE_K8S_VERSION:-v1.35.4}"

# Releases are kept one directory per minor, as pkgs.k8s.io keeps one repository per minor, so
# building one release never replaces the packages or images of another:
#   lab_minor VERSION               v1.35.4, 1.35.4 or v1.35 -> v1.35
#   lab_release_dir CACHE KIND VER  the build's KIND (debs, images) directory of VER's minor
#   lab_release_dirs CACHE KIND     those that exist, one line each (the built minors)
lab_minor() {
  local major minor
  IFS=. read -r major minor _ <<<"${1#v}"
  if [ -z "$major" ] || [ -z "$minor" ]; then
    echo "lab_minor: not a version: '$1'" >&2
    return 1
  fi
  printf 'v%s.%s\n' "$major" "$minor"
}

lab_release_dir() {
  local minor
  minor=$(lab_minor "$3") || return 1
  printf '%s/%s/%s\n' "$1" "$2" "$minor"
}

lab_release_dirs() {
  local dir
  for dir in "$1/$2"/v*; do
    # Only finished minors: not debs/cri-dockerd, not a half-published directory.
    [[ -d "$dir" && "${dir##*/}" =~ ^v[0-9]+\.[0-9]+$ ]] && printf '%s\n' "$dir"
  done
  return 0
}
