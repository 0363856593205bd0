#!/usr/bin/env bash
# Build everything a kubeadm lab cluster runs from upstream Go modules (through
# the Go module proxy) and Debian packages, cached by version under
# $DUOSHOU_LAB_CACHE. A step is skipped when its outputs exist and its stamp
# records the same versions and recipe (hash of the step file), so a warm run
# takes seconds.
#
# Usage: build-all.sh [--upgrade] [STEP...]   (default: all steps, in dependency order)
#   --upgrade  build the lab's upgrade target release (LAB_UPGRADE_K8S_VERSION,
#              tests/lab/pins.sh) instead of the pinned one; the packages and
#              images of each minor have their own directories, so both stay.
# Steps: k8s etcd coredns pause crictl cni cri-dockerd calico rootfs busybox
#        images debs
# Optional steps, run only when named (make test never needs them):
#        e2e busybox-upstream test-images   (`conformance` names all three:
#                           upstream's e2e.test and the images its [Conformance]
#                           tests run, see steps/e2e.sh)
set -euo pipefail

# Everything runs inside main(), parsed before it starts, so editing this file
# during a long build cannot change what the running build executes.
main() {

# ---- versions (override through the environment) ---------------------------
# The collection's pins (roles/cluster/vars/main/pins.yml) unless overridden.
# shellcheck source=../pins.sh
. "$(dirname "${BASH_SOURCE[0]}")/../pins.sh"
if [ "${1:-}" = --upgrade ]; then
  shift
  K8S_VERSION="v${LAB_UPGRADE_K8S_VERSION#v}"
else
  K8S_VERSION="${K8S_VERSION:-v$(lab_pin kubernetes)}"
fi
# Empty = take the tag `kubeadm config images list` prints for this release.
ETCD_VERSION="${ETCD_VERSION:-}"
COREDNS_VERSION="${COREDNS_VERSION:-}"
PAUSE_VERSION="${PAUSE_VERSION:-}"
CRICTL_VERSION="${CRICTL_VERSION:-v$(lab_pin crictl)}"
# The released CRI modules crictl is built against (see steps/crictl.sh): those
# of the pinned Kubernetes, whichever release this run builds, so the one
# cached crictl does not change with the release.
CRICTL_CRI_API_VERSION="${CRICTL_CRI_API_VERSION:-v0.$(lab_pin kubernetes | cut -d. -f2-)}"
CNI_PLUGINS_VERSION="${CNI_PLUGINS_VERSION:-v$(lab_pin cni_plugins)}"
CRI_DOCKERD_VERSION="${CRI_DOCKERD_VERSION:-v$(lab_pin cri_dockerd)}"
CALICO_VERSION="${CALICO_VERSION:-v$(lab_pin calico)}"
# Lab-only: Calico publishes Go modules only as pseudo-versions of the tag above.
CALICO_MODULE_VERSION="${CALICO_MODULE_VERSION:-v0.0.0-20251021213802-b1f3c43f8437}"
CALICO_API_VERSION="${CALICO_API_VERSION:-v0.0.0-20251022175904-f2ab03771208}"
# Lab-only: the busybox release the conformance test images are built from
# (steps/busybox-upstream.sh), and its tarball's SHA-256.
BUSYBOX_UPSTREAM_VERSION="${BUSYBOX_UPSTREAM_VERSION:-1.37.0}"
BUSYBOX_UPSTREAM_SHA256="${BUSYBOX_UPSTREAM_SHA256:-3311dff32e746499f4df0d5df04d7eb396382d7e108bb9250e7b519b837043a4}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Debian revision suffix used by pkgs.k8s.io packages.
DEB_REVISION="${DEB_REVISION:-1.1}"
GO_PARALLEL="${GO_PARALLEL:-2}"

CACHE="${DUOSHOU_LAB_CACHE:-/var/cache/duoshou-lab}"
WORK="$CACHE/work"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# This release's packages and images (one directory per minor, see pins.sh);
# cri-dockerd is not part of a release and has one directory.
DEBS_DIR="$(lab_release_dir "$CACHE" debs "$K8S_VERSION")"
IMAGES_DIR="$(lab_release_dir "$CACHE" images "$K8S_VERSION")"
CRI_DOCKERD_DEBS_DIR="$CACHE/debs/cri-dockerd"
export CACHE WORK HERE K8S_VERSION CRICTL_VERSION CRICTL_CRI_API_VERSION CNI_PLUGINS_VERSION \
  CRI_DOCKERD_VERSION CALICO_VERSION CALICO_MODULE_VERSION CALICO_API_VERSION DEBIAN_SUITE \
  DEBIAN_MIRROR DEB_REVISION GO_PARALLEL DEBS_DIR IMAGES_DIR CRI_DOCKERD_DEBS_DIR
# -trimpath keeps paths out of binaries; the rest keeps the default
# GOMODCACHE/GOCACHE so warm runs reuse them.
export GOFLAGS="-trimpath -buildvcs=false"
export GOTOOLCHAIN=local
# Only the module proxy is reachable; "direct" would try the VCS hosts.
GOPROXY="${GOPROXY:-$(go env GOPROXY)}"
GOPROXY="${GOPROXY%,direct}"
GOPROXY="${GOPROXY%|direct}"
export GOPROXY
# The checksum database this proxy serves lacks these modules (404 on lookup):
# Calico is only published as pseudo-versions, cri-tools v1.34.x is missing.
export GONOSUMDB="${GONOSUMDB:-github.com/projectcalico,sigs.k8s.io/cri-tools}"

# debootstrap, chroot and the file owners inside images need root.
if [ "$(id -u)" != 0 ]; then
  echo "build-all.sh: run as root (debootstrap, chroot and image file ownership need it)" >&2
  exit 1
fi
for tool in go jq skopeo dpkg-deb debootstrap gcc python3 apt-get flock; do
  command -v "$tool" >/dev/null || { echo "build-all.sh: $tool not found in PATH" >&2; exit 1; }
done

mkdir -p "$CACHE/stamps" "$CACHE/logs" "$WORK"
# One build at a time: the two releases share the work directories and the
# stamps of the steps they have in common. Taken before the log is switched.
exec 9>"$CACHE/build.lock"
if ! flock -n 9; then
  echo "build-all.sh: another build-all.sh is running (lock: $CACHE/build.lock)" >&2
  exit 1
fi
LOG_FILE="$CACHE/logs/build-$(date -u +%Y%m%dT%H%M%SZ).log"
export LOG_FILE
ln -sfn "$(basename "$LOG_FILE")" "$CACHE/logs/latest.log"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

SUMMARY=()
TOTAL_START=$(date +%s)

# run_step NAME KEY OUTPUT... : run steps/NAME.sh's build_NAME unless every
# OUTPUT exists and a stamp for KEY plus the recipe hash exists. Stamps are
# per key (stamps/NAME-<hash>.stamp, listing the outputs), so switching a
# version back reuses what is still cached; a rebuild drops the stamps of
# other keys whose outputs it overwrites. stamps/NAME.current names the key
# last used, for steps that consume NAME's outputs (dep_key).
run_step() {
  local name="$1" key="$2"
  shift 2
  local stamp recipe full o ok=1 start secs s
  # shellcheck disable=SC2086 # STEP_EXTRA_RECIPE is a list of paths
  recipe=$(cat "$HERE/steps/$name.sh" ${STEP_EXTRA_RECIPE:-} | sha256sum | cut -c1-16)
  full="$key recipe=$recipe"
  stamp="$CACHE/stamps/$name-$(printf '%s\n' "$full" | sha256sum | cut -c1-12).stamp"
  for o in "$@"; do [ -e "$o" ] || ok=0; done
  if [ "$ok" = 1 ] && [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$full" ]; then
    echo "$full" >"$CACHE/stamps/$name.current"
    log "step $name: reused ($key)"
    SUMMARY+=("$(printf '%-14s reused %6ss  %s' "$name" 0 "$key")")
    return 0
  fi
  start=$(date +%s)
  log "step $name: start ($key)"
  rm -f "$stamp" "$CACHE/stamps/$name.current"
  for s in "$CACHE/stamps/$name"-*.stamp; do
    [ -f "$s" ] || continue
    for o in "$@"; do
      if tail -n +2 "$s" | grep -qxF -- "$o"; then
        rm -f "$s"
        break
      fi
    done
  done
  # Not inside `if`: bash disables errexit for a tested subshell, which
  # would let a failing command inside a step go unnoticed.
  local rc=0
  set +e
  (
    set -euo pipefail
    # shellcheck source=/dev/null
    . "$HERE/steps/$name.sh"
    "build_${name//-/_}"
  )
  rc=$?
  set -e
  if [ "$rc" != 0 ]; then
    secs=$(($(date +%s) - start))
    log "step $name: FAILED after ${secs}s (details: $LOG_FILE)"
    SUMMARY+=("$(printf '%-14s FAILED %6ss  %s' "$name" "$secs" "$key")")
    print_summary
    exit 1
  fi
  for o in "$@"; do [ -e "$o" ] || die "step $name did not produce $o"; done
  { echo "$full"; printf '%s\n' "$@"; } >"$stamp"
  echo "$full" >"$CACHE/stamps/$name.current"
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
  want_named "$1"
}
# Optional steps run only when named, never in a full run.
want_named() {
  local s
  for s in "${SELECTED[@]}"; do [ "$s" = "$1" ] && return 0; done
  return 1
}
SELECTED=()
local s
for s in "$@"; do
  case "$s" in
    k8s | etcd | coredns | pause | crictl | cni | cri-dockerd | calico | rootfs | busybox | images | debs) SELECTED+=("$s") ;;
    e2e | busybox-upstream | test-images) SELECTED+=("$s") ;;
    conformance) SELECTED+=(e2e busybox-upstream test-images) ;;
    *) die "unknown step '$s' (see the Steps line at the top of $0)" ;;
  esac
done

# Stamp of earlier steps, so consumers rebuild when an input was rebuilt.
dep_key() {
  local n
  for n in "$@"; do cat "$CACHE/stamps/$n.current" 2>/dev/null || echo "missing-$n"; done | sha256sum | cut -c1-12
}

K8S_BIN="$CACHE/k8s-$K8S_VERSION/bin"
export K8S_BIN
if want k8s; then
  run_step k8s "k8s=$K8S_VERSION go=$(go env GOVERSION)" \
    "$K8S_BIN/kubeadm" "$K8S_BIN/kubelet" "$K8S_BIN/kubectl" "$K8S_BIN/kube-apiserver" \
    "$K8S_BIN/kube-controller-manager" "$K8S_BIN/kube-scheduler" "$K8S_BIN/kube-proxy"
fi

# The image tags this kubeadm release asks for decide the etcd, CoreDNS and
# pause versions (unless set explicitly).
IMAGE_LIST="$CACHE/k8s-$K8S_VERSION/kubeadm-images.txt"
if [ -x "$K8S_BIN/kubeadm" ]; then
  "$K8S_BIN/kubeadm" config images list --kubernetes-version "$K8S_VERSION" >"$IMAGE_LIST.tmp" ||
    die "kubeadm config images list failed"
  mv "$IMAGE_LIST.tmp" "$IMAGE_LIST"
fi
image_tag() {
  [ -f "$IMAGE_LIST" ] || die "no kubeadm image list: run the k8s step first or set ETCD_VERSION, COREDNS_VERSION and PAUSE_VERSION"
  sed -n "s#^registry.k8s.io/$1:##p" "$IMAGE_LIST"
}
ETCD_TAG="${ETCD_TAG:-$(if [ -n "$ETCD_VERSION" ]; then echo "${ETCD_VERSION#v}-0"; else image_tag etcd; fi)}"
ETCD_VERSION="${ETCD_VERSION:-v${ETCD_TAG%-*}}"
COREDNS_VERSION="${COREDNS_VERSION:-$(image_tag coredns/coredns)}"
PAUSE_VERSION="${PAUSE_VERSION:-$(image_tag pause)}"
[ -n "$ETCD_TAG" ] && [ -n "$COREDNS_VERSION" ] && [ -n "$PAUSE_VERSION" ] ||
  die "could not derive etcd/coredns/pause versions from $IMAGE_LIST"
log "versions: k8s $K8S_VERSION, etcd $ETCD_VERSION (image $ETCD_TAG), coredns $COREDNS_VERSION, pause $PAUSE_VERSION, crictl $CRICTL_VERSION, cni $CNI_PLUGINS_VERSION, cri-dockerd $CRI_DOCKERD_VERSION, calico $CALICO_VERSION"

ETCD_BIN="$CACHE/etcd-$ETCD_VERSION/bin"
COREDNS_BIN="$CACHE/coredns-$COREDNS_VERSION/bin"
PAUSE_BIN="$CACHE/pause-$PAUSE_VERSION/bin"
CRICTL_BIN="$CACHE/crictl-$CRICTL_VERSION/bin"
CNI_BIN="$CACHE/cni-plugins-$CNI_PLUGINS_VERSION/bin"
CRI_DOCKERD_DIR="$CACHE/cri-dockerd-$CRI_DOCKERD_VERSION"
CALICO_BIN="$CACHE/calico-$CALICO_VERSION/bin"
CALICO_DIR="$CACHE/calico/$CALICO_VERSION"
ROOTFS_TAR="$CACHE/rootfs/debian-$DEBIAN_SUITE-net.tar"
BUSYBOX_DEB_VERSION="${BUSYBOX_DEB_VERSION:-$(apt-cache policy busybox-static 2>/dev/null | awk '/Candidate:/{print $2}')}"
[ -n "$BUSYBOX_DEB_VERSION" ] && [ "$BUSYBOX_DEB_VERSION" != "(none)" ] ||
  die "busybox-static is unknown to apt: run apt-get update or set BUSYBOX_DEB_VERSION"
BUSYBOX_DIR="$CACHE/busybox-${BUSYBOX_DEB_VERSION//:/%3a}"
BUSYBOX_BIN="$BUSYBOX_DIR/busybox"
export ETCD_VERSION ETCD_TAG COREDNS_VERSION PAUSE_VERSION ETCD_BIN COREDNS_BIN PAUSE_BIN CRICTL_BIN \
  CNI_BIN CRI_DOCKERD_DIR CALICO_BIN CALICO_DIR ROOTFS_TAR BUSYBOX_DEB_VERSION BUSYBOX_DIR BUSYBOX_BIN

want etcd && run_step etcd "etcd=$ETCD_VERSION" "$ETCD_BIN/etcd" "$ETCD_BIN/etcdctl" "$ETCD_BIN/etcdutl"
want coredns && run_step coredns "coredns=$COREDNS_VERSION" "$COREDNS_BIN/coredns"
want pause && STEP_EXTRA_RECIPE="$HERE/pause/pause.c" run_step pause "pause=$PAUSE_VERSION" "$PAUSE_BIN/pause"
want crictl && run_step crictl "crictl=$CRICTL_VERSION cri-api=$CRICTL_CRI_API_VERSION" "$CRICTL_BIN/crictl"
want cni && run_step cni "cni-plugins=$CNI_PLUGINS_VERSION" \
  "$CNI_BIN/bridge" "$CNI_BIN/loopback" "$CNI_BIN/host-local" "$CNI_BIN/portmap" "$CNI_BIN/bandwidth" "$CNI_BIN/host-device"
want cri-dockerd && run_step cri-dockerd "cri-dockerd=$CRI_DOCKERD_VERSION" \
  "$CRI_DOCKERD_DIR/bin/cri-dockerd" "$CRI_DOCKERD_DIR/systemd/cri-docker.service"
want calico && run_step calico "calico=$CALICO_VERSION module=$CALICO_MODULE_VERSION api=$CALICO_API_VERSION" \
  "$CALICO_BIN/calico-node" "$CALICO_BIN/calico" "$CALICO_BIN/calico-ipam" "$CALICO_BIN/install" \
  "$CALICO_BIN/kube-controllers" "$CALICO_BIN/check-status" "$CALICO_BIN/wrapper" "$CALICO_DIR/calico.yaml"
want rootfs && run_step rootfs "suite=$DEBIAN_SUITE mirror=$DEBIAN_MIRROR" "$ROOTFS_TAR"
want busybox && run_step busybox "busybox-static=$BUSYBOX_DEB_VERSION" "$BUSYBOX_BIN"
want images && STEP_EXTRA_RECIPE="$HERE/mkimage.py $HERE/files/iptables-wrapper" run_step images \
  "inputs=$(dep_key k8s etcd coredns pause cni calico rootfs busybox)" "$IMAGES_DIR/images.txt"
# Every release's debs step also writes the cri-dockerd package, byte for byte
# the same (fixed timestamps), so it is not an output here: listing it would
# make each release's build drop the other's stamp.
want debs && STEP_EXTRA_RECIPE="$HERE/files/kubelet/kubelet.service $HERE/files/kubelet/10-kubeadm.conf" run_step debs \
  "inputs=$(dep_key k8s crictl cni cri-dockerd) rev=$DEB_REVISION" \
  "$DEBS_DIR/kubeadm_${K8S_VERSION#v}-${DEB_REVISION}_amd64.deb"

# Conformance tests (optional): e2e.test and the test images' programs, then
# the test images themselves, in their own directory (TEST_IMAGES_DIR) so
# that mirrors.sh pushes them only when they were built.
E2E_DIR="$CACHE/e2e-$K8S_VERSION"
TEST_IMAGES_DIR="$(lab_release_dir "$CACHE" test-images "$K8S_VERSION")"
BUSYBOX_UPSTREAM_DIR="$CACHE/busybox-upstream-$BUSYBOX_UPSTREAM_VERSION"
BUSYBOX_UPSTREAM_BIN="$BUSYBOX_UPSTREAM_DIR/busybox"
export E2E_DIR TEST_IMAGES_DIR BUSYBOX_UPSTREAM_VERSION BUSYBOX_UPSTREAM_SHA256 BUSYBOX_UPSTREAM_DIR BUSYBOX_UPSTREAM_BIN
want_named e2e && run_step e2e "k8s=$K8S_VERSION inputs=$(dep_key k8s) go=$(go env GOVERSION)" \
  "$E2E_DIR/bin/e2e.test" "$E2E_DIR/bin/ginkgo" "$E2E_DIR/bin/agnhost" "$E2E_DIR/bin/nnp" \
  "$E2E_DIR/bin/sample-apiserver" "$E2E_DIR/list-images.txt"
want_named busybox-upstream && run_step busybox-upstream "busybox=$BUSYBOX_UPSTREAM_VERSION" "$BUSYBOX_UPSTREAM_BIN"
want_named test-images && STEP_EXTRA_RECIPE="$HERE/mkimage.py $HERE/steps/images.sh $HERE/steps/etcd.sh" \
  run_step test-images "inputs=$(dep_key e2e coredns rootfs busybox-upstream)" "$TEST_IMAGES_DIR/images.txt"

# A full run also re-checks the published outputs (cheap: metadata only).
if [ "${#SELECTED[@]}" -eq 0 ]; then
  local vstart
  vstart=$(date +%s)
  log "verify: start"
  if ! DUOSHOU_LAB_CACHE="$CACHE" K8S_VERSION="$K8S_VERSION" CALICO_VERSION="$CALICO_VERSION" \
    DEB_REVISION="$DEB_REVISION" "$HERE/verify.sh" 2>&1 | tee -a "$LOG_FILE"; then
    SUMMARY+=("$(printf '%-14s FAILED %6ss' verify "$(($(date +%s) - vstart))")")
    print_summary
    exit 1
  fi
  SUMMARY+=("$(printf '%-14s ok     %6ss' verify "$(($(date +%s) - vstart))")")
fi

print_summary
}

# exit on the same line: bash reads a script as it runs, so nothing after it may be read from an edited file.
main "$@"; exit $?
