# shellcheck shell=bash
# Calico (VXLAN dataplane: no BIRD, which is C outside the Go module world).
# Release tags v3.x are not valid versions of the projectcalico/calico module,
# so the pinned pseudo-version stands for the tag. Its nested modules (api,
# lib/std, lib/httpmachinery) are replaced with their published copies; cgo is
# off, which only drops the eBPF dataplane.

CALICO_PKGS="node/cmd/calico-node cni-plugin/cmd/calico cni-plugin/cmd/install kube-controllers/cmd/kube-controllers kube-controllers/cmd/check-status kube-controllers/cmd/wrapper"

build_calico() {
  local mod=github.com/projectcalico/calico ver="$CALICO_MODULE_VERSION"
  local src="$WORK/calico-$CALICO_VERSION" tmp="$CACHE/calico-$CALICO_VERSION/bin.tmp" p pkgs=()
  require_module "$mod" "$ver"
  require_module github.com/projectcalico/api "$CALICO_API_VERSION"
  require_module "$mod/lib/std" "$ver"
  new_consumer "$src" local.build/calico
  cd "$src" || die "cannot enter $src"
  copy_replaces "$(module_gomod "$mod" "$ver")"
  go mod edit -replace="github.com/projectcalico/api=github.com/projectcalico/api@$CALICO_API_VERSION"
  go mod edit -replace="$mod/lib/std=$mod/lib/std@$ver"
  # Only the whisker backend imports httpmachinery; an empty stand-in keeps the
  # module graph resolvable and the build fails loudly if that ever changes.
  mkdir -p stub/httpmachinery
  printf 'module %s\n\ngo 1.24\n' "$mod/lib/httpmachinery" >stub/httpmachinery/go.mod
  go mod edit -replace="$mod/lib/httpmachinery=./stub/httpmachinery"
  for p in $CALICO_PKGS; do pkgs+=("$mod/$p"); done
  # shellcheck disable=SC2046
  run go get $(for p in "${pkgs[@]}"; do echo "$p@$ver"; done)
  rm -rf "$tmp"
  CGO_ENABLED=0 go_build_pkgs "$tmp" \
    "-s -w -X $mod/pkg/buildinfo.Version=$CALICO_VERSION -X $mod/pkg/buildinfo.GitRevision=${ver##*-}" "${pkgs[@]}"
  # One binary serves both CNI roles; it picks the role from argv[0].
  cp "$tmp/calico" "$tmp/calico-ipam"
  output_has "$CALICO_VERSION" "$tmp/calico-node" -v || die "calico-node does not report $CALICO_VERSION"
  publish_dir "$tmp" "$CACHE/calico-$CALICO_VERSION/bin"

  # Upstream manifests and the calico-node filesystem tree, unmodified.
  local dir mtmp="$CACHE/calico/$CALICO_VERSION.tmp"
  dir=$(module_dir "$mod" "$ver")
  rm -rf "$mtmp"
  mkdir -p "$mtmp"
  cp "$dir/manifests/calico.yaml" "$dir/manifests/calico-vxlan.yaml" "$mtmp/"
  cp -r "$dir/node/filesystem" "$mtmp/node-filesystem"
  chmod -R u+w "$mtmp"
  grep -q "calico/node:$CALICO_VERSION" "$mtmp/calico.yaml" || die "calico.yaml does not reference calico/node:$CALICO_VERSION"
  publish_dir "$mtmp" "$CACHE/calico/$CALICO_VERSION"
}
