# shellcheck shell=bash
# cri-dockerd: its go.mod pins old k8s.io modules through replaces (to
# versions, none local), so the consumer copies that block.

build_cri_dockerd() {
  local ver="$CRI_DOCKERD_VERSION" src="$WORK/cri-dockerd-$CRI_DOCKERD_VERSION" tmp="$CACHE/cri-dockerd-$CRI_DOCKERD_VERSION/bin.tmp"
  local mod=github.com/Mirantis/cri-dockerd
  require_module "$mod" "$ver"
  new_consumer "$src" local.build/cri-dockerd
  cd "$src" || die "cannot enter $src"
  copy_replaces "$(module_gomod "$mod" "$ver")"
  run go get "$mod@$ver"
  rm -rf "$tmp"
  CGO_ENABLED=0 go_build_pkgs "$tmp" \
    "-s -w -X $mod/cmd/version.Version=${ver#v} -X $mod/cmd/version.GitCommit=$ver" "$mod"
  output_has "${ver#v}" "$tmp/cri-dockerd" --version || die "built cri-dockerd does not report ${ver#v}"
  # Keep upstream's unit files next to the binary for the .deb.
  mkdir -p "$tmp/../systemd.tmp"
  cp "$(module_dir "$mod" "$ver")"/packaging/systemd/cri-docker.{service,socket} "$tmp/../systemd.tmp/"
  chmod 0644 "$tmp/../systemd.tmp/"*
  publish_dir "$tmp/../systemd.tmp" "$CACHE/cri-dockerd-$ver/systemd"
  publish_dir "$tmp" "$CACHE/cri-dockerd-$ver/bin"
}
