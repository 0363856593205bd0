#!/usr/bin/env bash
# Check the outputs build-all.sh leaves in the cache: every image kubeadm
# asks for is listed and readable, every image tarball parses, every .deb
# parses, and the Calico manifest is there. Exits non-zero on the first gap.
set -euo pipefail

CACHE="${DUOSHOU_LAB_CACHE:-/var/cache/duoshou-lab}"
K8S_VERSION="${K8S_VERSION:-v1.34.4}"
CALICO_VERSION="${CALICO_VERSION:-v3.31.0}"
fail() { echo "verify: FAIL: $*" >&2; exit 1; }

list="$CACHE/images/images.txt"
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
  [ -f "$CACHE/images/$tar" ] || fail "$tar listed but missing"
  got=$(skopeo inspect --format '{{.Architecture}}/{{.Os}} {{len .Layers}}' "docker-archive:$CACHE/images/$tar:$ref") ||
    fail "skopeo cannot read $tar as $ref"
  [ "$got" = "amd64/linux 1" ] || fail "$tar: unexpected image shape '$got'"
  n=$((n + 1))
done <"$list"
echo "verify: $n image references readable by skopeo"

minor="${K8S_VERSION%.*}"
for pkg in kubeadm kubelet kubectl; do
  f="$CACHE/debs/$minor/${pkg}_${K8S_VERSION#v}-1.1_amd64.deb"
  [ -f "$f" ] || fail "$f missing"
done
d=0
for f in "$CACHE"/debs/*/*.deb; do
  dpkg-deb -I "$f" >/dev/null || fail "dpkg-deb cannot read $f"
  d=$((d + 1))
done
[ "$d" -ge 6 ] || fail "expected at least 6 .deb files, found $d"
dpkg-deb -c "$CACHE/debs/$minor/kubelet_${K8S_VERSION#v}-1.1_amd64.deb" | grep -q '/usr/lib/systemd/system/kubelet.service$' ||
  fail "kubelet package lacks kubelet.service"
dpkg-deb -c "$CACHE/debs/$minor/kubeadm_${K8S_VERSION#v}-1.1_amd64.deb" | grep -q 'kubelet.service.d/10-kubeadm.conf$' ||
  fail "kubeadm package lacks the 10-kubeadm.conf drop-in"
echo "verify: $d .deb files readable by dpkg-deb"

grep -q "calico/node:$CALICO_VERSION" "$CACHE/calico/$CALICO_VERSION/calico.yaml" ||
  fail "calico.yaml missing or not for $CALICO_VERSION"
echo "verify: OK"
