# shellcheck shell=bash
# Reference CNI plugins: what kubeadm's docs and Calico's conflist rely on.

CNI_PLUGINS="main/bridge main/loopback main/host-device ipam/host-local meta/portmap meta/bandwidth"

build_cni() {
  local ver="$CNI_PLUGINS_VERSION" src="$WORK/cni-plugins-$CNI_PLUGINS_VERSION" tmp="$CACHE/cni-plugins-$CNI_PLUGINS_VERSION/bin.tmp"
  local mod=github.com/containernetworking/plugins p pkgs=()
  require_module "$mod" "$ver"
  new_consumer "$src" local.build/cni
  cd "$src" || die "cannot enter $src"
  copy_replaces "$(module_gomod "$mod" "$ver")"
  for p in $CNI_PLUGINS; do pkgs+=("$mod/plugins/$p"); done
  # shellcheck disable=SC2046
  run go get $(for p in "${pkgs[@]}"; do echo "$p@$ver"; done)
  rm -rf "$tmp"
  CGO_ENABLED=0 go_build_pkgs "$tmp" "-s -w -X $mod/pkg/utils/buildversion.BuildVersion=$ver" "${pkgs[@]}"
  publish_dir "$tmp" "$CACHE/cni-plugins-$ver/bin"
}
