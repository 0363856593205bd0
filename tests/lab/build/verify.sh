#!/usr/bin/env bash
# Check the outputs build-all.sh leaves in the cache: every image kubeadm
# asks for is listed and readable, every image tarball parses, every .deb
# parses, and the Calico manifest is there. Exits non-zero on the first gap.
# Checks the release K8S_VERSION: the pin by default; build-all.sh passes the
# one it built (--upgrade: LAB_UPGRADE_K8S_VERSION).
set -euo pipefail

CACHE="${DUOSHOU_LAB_CACHE:-/var/cache/duoshou-lab}"
# shellcheck source=../pins.sh
. "$(dirname "${BASH_SOURCE[0]}")/../pins.sh"
K8S_VERSION="${K8S_VERSION:-v$(lab_pin kubernetes)}"
CALICO_VERSION="${CALICO_VERSION:-v$(lab_pin calico)}"
fail() { echo "verify: FAIL: $*" >&2; exit 1; }

images_dir=$(lab_release_dir "$CACHE" images "$K8S_VERSION")
debs_dir=$(lab_release_dir "$CACHE" debs "$K8S_VERSION")
list="$images_dir/images.txt"
[ -s "$list" ] || fail "$list missing or empty"
kubeadm="$CACHE/k8s-$K8S_VERSION/bin/kubeadm"
[ "$("$kubeadm" version -o short)" = "$K8S_VERSION" ] || fail "kubeadm does not report $K8S_VERSION"
for ref in $("$kubeadm" config images list --kubernetes-version "$K8S_VERSION"); do
  grep -q " $ref\$" "$list" || fail "kubeadm wants $ref, not in $list"
done
for ref in docker.io/calico/node docker.io/calico/cni docker.io/calico/kube-controllers; do
  grep -q " $ref:$CALICO_VERSION\$" "$list" || fail "$ref:$CALICO_VERSION not in $list"
done
grep -q ' duoshou.local/test/busybox:1$' "$list" || fail "test busybox image not in $list"

n=0
while read -r tar ref; do
  [ -f "$images_dir/$tar" ] || fail "$tar listed but missing"
  got=$(skopeo inspect --format '{{.Architecture}}/{{.Os}} {{len .Layers}}' "docker-archive:$images_dir/$tar:$ref") ||
    fail "skopeo cannot read $tar as $ref"
  [ "$got" = "amd64/linux 1" ] || fail "$tar: unexpected image shape '$got'"
  n=$((n + 1))
done <"$list"
echo "verify: $n image references readable by skopeo"

for pkg in kubeadm kubelet kubectl; do
  f="$debs_dir/${pkg}_${K8S_VERSION#v}-${DEB_REVISION:-1.1}_amd64.deb"
  [ -f "$f" ] || fail "$f missing"
done
d=0
for f in "$CACHE"/debs/*/*.deb; do
  dpkg-deb -I "$f" >/dev/null || fail "dpkg-deb cannot read $f"
  d=$((d + 1))
done
[ "$d" -ge 6 ] || fail "expected at least 6 .deb files, found $d"
# Listings are captured first: `| grep -q` under pipefail fails on SIGPIPE.
contents=$(dpkg-deb -c "$debs_dir/kubelet_${K8S_VERSION#v}-${DEB_REVISION:-1.1}_amd64.deb")
grep -q '/usr/lib/systemd/system/kubelet.service$' <<<"$contents" ||
  fail "kubelet package lacks kubelet.service"
contents=$(dpkg-deb -c "$debs_dir/kubeadm_${K8S_VERSION#v}-${DEB_REVISION:-1.1}_amd64.deb")
grep -q 'kubelet.service.d/10-kubeadm.conf$' <<<"$contents" ||
  fail "kubeadm package lacks the 10-kubeadm.conf drop-in"
echo "verify: $d .deb files readable by dpkg-deb"

grep -q "calico/node:$CALICO_VERSION" "$CACHE/calico/$CALICO_VERSION/calico.yaml" ||
  fail "calico.yaml missing or not for $CALICO_VERSION"
# Optional (VERIFY_INSTALL=1): install the Kubernetes packages with dpkg into a
# throw-away copy of the cached Debian rootfs, so a wrong Depends or path
# shows up here rather than on a node.
if [ "${VERIFY_INSTALL:-0}" = 1 ]; then
  rootfs="$CACHE/rootfs/debian-${DEBIAN_SUITE:-bookworm}-net.tar"
  [ -f "$rootfs" ] || fail "$rootfs missing"
  chroot_dir=$(mktemp -d "$CACHE/work/verify-install.XXXXXX")
  trap 'rm -rf "$chroot_dir"' EXIT
  tar -C "$chroot_dir" --numeric-owner -xf "$rootfs"
  mkdir -p "$chroot_dir/debs"
  cp "$debs_dir"/*.deb "$chroot_dir/debs/"
  chroot "$chroot_dir" sh -c 'dpkg -i /debs/*.deb' >"$chroot_dir/dpkg.log" 2>&1 ||
    fail "dpkg -i of the ${debs_dir##*/} packages failed: $(tail -5 "$chroot_dir/dpkg.log")"
  for f in /usr/bin/kubeadm /usr/bin/kubelet /usr/bin/kubectl /usr/bin/crictl /opt/cni/bin/bridge \
    /usr/lib/systemd/system/kubelet.service /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf; do
    [ -e "$chroot_dir$f" ] || fail "$f not installed"
  done
  [ "$(chroot "$chroot_dir" kubeadm version -o short)" = "$K8S_VERSION" ] || fail "installed kubeadm has the wrong version"
  echo "verify: packages install with dpkg on ${DEBIAN_SUITE:-bookworm} minbase"
fi
echo "verify: OK"
