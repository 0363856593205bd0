# shellcheck shell=bash
# CoreDNS with its default plugin set (zplugin.go is committed upstream).

build_coredns() {
  local ver="$COREDNS_VERSION" src="$WORK/coredns-$COREDNS_VERSION" tmp="$CACHE/coredns-$COREDNS_VERSION/bin.tmp"
  local mod=github.com/coredns/coredns
  require_module "$mod" "$ver"
  new_consumer "$src" local.build/coredns
  cd "$src" || die "cannot enter $src"
  copy_replaces "$(module_gomod "$mod" "$ver")"
  run go get "$mod@$ver"
  rm -rf "$tmp"
  CGO_ENABLED=0 go_build_pkgs "$tmp" "-s -w -X $mod/coremain.GitCommit=$ver" "$mod"
  output_has "CoreDNS-${ver#v}" "$tmp/coredns" -version || die "built coredns does not report ${ver#v}"
  publish_dir "$tmp" "$CACHE/coredns-$ver/bin"
}
