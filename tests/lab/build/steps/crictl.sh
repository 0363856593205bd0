# shellcheck shell=bash
# crictl from cri-tools.

build_crictl() {
  local ver="$CRICTL_VERSION" src="$WORK/crictl-$CRICTL_VERSION" tmp="$CACHE/crictl-$CRICTL_VERSION/bin.tmp"
  local mod=sigs.k8s.io/cri-tools
  require_module "$mod" "$ver"
  new_consumer "$src" local.build/crictl
  cd "$src"
  copy_replaces "$(module_gomod "$mod" "$ver")"
  run go get "$mod/cmd/crictl@$ver"
  rm -rf "$tmp"
  CGO_ENABLED=0 go_build_pkgs "$tmp" "-s -w -X $mod/pkg/version.Version=$ver" "$mod/cmd/crictl"
  "$tmp/crictl" --version | grep -q "${ver}" || die "built crictl does not report $ver"
  publish_dir "$tmp" "$CACHE/crictl-$ver/bin"
}
