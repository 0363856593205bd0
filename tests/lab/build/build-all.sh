#!/usr/bin/env bash
# Build everything a kubeadm lab cluster runs from upstream Go modules (through
# the Go module proxy) and Debian packages, cached by version under
# $DUOSHOU_LAB_CACHE. A step is skipped when its outputs exist and its stamp
# records the same versions and recipe (hash of the step file), so a warm run
# takes seconds.
#
# Usage: build-all.sh [STEP...]   (default: all steps, in dependency order)
set -euo pipefail

# ---- versions (override through the environment) ---------------------------
K8S_VERSION="${K8S_VERSION:-v1.34.4}"
# Empty = take the tag `kubeadm config images list` prints for this release.
ETCD_VERSION="${ETCD_VERSION:-}"
COREDNS_VERSION="${COREDNS_VERSION:-}"
PAUSE_VERSION="${PAUSE_VERSION:-}"
CRICTL_VERSION="${CRICTL_VERSION:-v1.34.0}"
CNI_PLUGINS_VERSION="${CNI_PLUGINS_VERSION:-v1.8.0}"
CRI_DOCKERD_VERSION="${CRI_DOCKERD_VERSION:-v0.4.1}"
CALICO_VERSION="${CALICO_VERSION:-v3.31.0}"
CALICO_MODULE_VERSION="${CALICO_MODULE_VERSION:-v0.0.0-20251021213802-b1f3c43f8437}"
CALICO_API_VERSION="${CALICO_API_VERSION:-v0.0.0-20251022175904-f2ab03771208}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Debian revision suffix used by pkgs.k8s.io packages.
DEB_REVISION="${DEB_REVISION:-1.1}"
GO_PARALLEL="${GO_PARALLEL:-2}"

CACHE="${DUOSHOU_LAB_CACHE:-/var/cache/duoshou-lab}"
WORK="$CACHE/work"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CACHE WORK HERE K8S_VERSION CRICTL_VERSION CNI_PLUGINS_VERSION CRI_DOCKERD_VERSION \
  CALICO_VERSION CALICO_MODULE_VERSION CALICO_API_VERSION DEBIAN_SUITE DEBIAN_MIRROR \
  DEB_REVISION GO_PARALLEL
# -trimpath keeps paths out of binaries; the rest keeps the default
# GOMODCACHE/GOCACHE so warm runs reuse them.
export GOFLAGS="-trimpath -buildvcs=false"
export GOTOOLCHAIN=local

mkdir -p "$CACHE/stamps" "$CACHE/logs" "$WORK"
LOG_FILE="$CACHE/logs/build-$(date -u +%Y%m%dT%H%M%SZ).log"
export LOG_FILE
ln -sfn "$(basename "$LOG_FILE")" "$CACHE/logs/latest.log"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

SUMMARY=()
TOTAL_START=$(date +%s)

# run_step NAME KEY OUTPUT... : run steps/NAME.sh's build_NAME unless every
# OUTPUT exists and the stamp matches KEY plus the recipe hash.
run_step() {
  local name="$1" key="$2"
  shift 2
  local stamp="$CACHE/stamps/$name.stamp" recipe full o ok=1 start secs
  recipe=$(cat "$HERE/steps/$name.sh" ${STEP_EXTRA_RECIPE:-} | sha256sum | cut -c1-16)
  full="$key recipe=$recipe"
  for o in "$@"; do [ -e "$o" ] || ok=0; done
  if [ "$ok" = 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$full" ]; then
    log "step $name: reused ($key)"
    SUMMARY+=("$(printf '%-14s reused %6ss  %s' "$name" 0 "$key")")
    return 0
  fi
  start=$(date +%s)
  log "step $name: start ($key)"
  rm -f "$stamp"
  if ! (
    set -euo pipefail
    # shellcheck source=/dev/null
    . "$HERE/steps/$name.sh"
    "build_${name//-/_}"
  ); then
    secs=$(($(date +%s) - start))
    log "step $name: FAILED after ${secs}s (details: $LOG_FILE)"
    SUMMARY+=("$(printf '%-14s FAILED %6ss  %s' "$name" "$secs" "$key")")
    print_summary
    exit 1
  fi
  for o in "$@"; do [ -e "$o" ] || die "step $name did not produce $o"; done
  echo "$full" >"$stamp"
  secs=$(($(date +%s) - start))
  log "step $name: built in ${secs}s"
  SUMMARY+=("$(printf '%-14s built  %6ss  %s' "$name" "$secs" "$key")")
}

print_summary() {
  local s
  echo "==== summary ($(($(date +%s) - TOTAL_START))s total) ====" | tee -a "$LOG_FILE"
  for s in "${SUMMARY[@]}"; do echo "$s" | tee -a "$LOG_FILE"; done
  echo "cache: $(du -sh "$CACHE" 2>/dev/null | cut -f1) in $CACHE; log: $LOG_FILE" | tee -a "$LOG_FILE"
}

want() {
  [ "${#SELECTED[@]}" -eq 0 ] && return 0
  local s
  for s in "${SELECTED[@]}"; do [ "$s" = "$1" ] && return 0; done
  return 1
}
SELECTED=("$@")

K8S_BIN="$CACHE/k8s-$K8S_VERSION/bin"
export K8S_BIN
if want k8s; then
  run_step k8s "k8s=$K8S_VERSION go=$(go env GOVERSION)" \
    "$K8S_BIN/kubeadm" "$K8S_BIN/kubelet" "$K8S_BIN/kubectl" "$K8S_BIN/kube-apiserver" \
    "$K8S_BIN/kube-controller-manager" "$K8S_BIN/kube-scheduler" "$K8S_BIN/kube-proxy"
fi

ROOTFS_TAR="$CACHE/rootfs/debian-$DEBIAN_SUITE-net.tar"
export ROOTFS_TAR
if want rootfs; then
  run_step rootfs "suite=$DEBIAN_SUITE mirror=$DEBIAN_MIRROR" "$ROOTFS_TAR"
fi

print_summary
