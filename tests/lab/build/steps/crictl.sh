# shellcheck shell=bash
# crictl from cri-tools.

build_crictl() {
  local ver="$CRICTL_VERSION" src="$WORK/crictl-$CRICTL_VERSION" tmp="$CACHE/crictl-$CRICTL_VERSION/bin.tmp"
  local mod=sigs.k8s.io/cri-tools
  require_module "$mod" "$ver"
  new_consumer "$src" local.build/crictl
  cd "$src" || die "cannot enter $src"
  copy_replaces "$(module_gomod "$mod" "$ver")"
  # crictl v1.34.0 pins the v0.34.0-rc.2 CRI modules, which the checksum
  # database here does not know; the released Kubernetes staging versions of
  # the same minor carry the same API and are verifiable. Their version is
  # CRICTL_CRI_API_VERSION, not the release being built: crictl's output
  # directory is shared by every release.
  local m
  for m in k8s.io/cri-api k8s.io/cri-client; do
    require_module "$m" "$CRICTL_CRI_API_VERSION"
    go mod edit -replace="$m=$m@$CRICTL_CRI_API_VERSION"
  done
  run go get "$mod/cmd/crictl@$ver"
  rm -rf "$tmp"
  CGO_ENABLED=0 go_build_pkgs "$tmp" "-s -w -X $mod/pkg/version.Version=$ver" "$mod/cmd/crictl"
  output_has "$ver" "$tmp/crictl" --version || die "built crictl does not report $ver"
  publish_dir "$tmp" "$CACHE/crictl-$ver/bin"
}
