# shellcheck shell=bash
# etcd server. The upstream main package (server/v3 module root) sits in a
# module with local replaces, so a consumer module with its own main calls
# etcdmain.Main, exactly what upstream's main.go does. etcdctl and etcdutl
# (module roots, no local replaces needed by a consumer) come along because
# the upstream image ships them and backup/restore procedures use them.

build_etcd() {
  local ver="$ETCD_VERSION" src="$WORK/etcd-$ETCD_VERSION" tmp="$CACHE/etcd-$ETCD_VERSION/bin.tmp"
  require_module go.etcd.io/etcd/server/v3 "$ver"
  new_consumer "$src" local.build/etcd
  cd "$src" || die "cannot enter $src"
  cat >main.go <<'GO'
// Command etcd runs the etcd server the same way upstream's binary does.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
GO
  run go get "go.etcd.io/etcd/server/v3@$ver" "go.etcd.io/etcd/etcdctl/v3@$ver" "go.etcd.io/etcd/etcdutl/v3@$ver"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  local ld="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ver" c
  log "  go build etcd"
  CGO_ENABLED=0 run go build -p "$GO_PARALLEL" -ldflags "$ld" -o "$tmp/etcd" .
  for c in etcdctl etcdutl; do
    log "  go build $c"
    CGO_ENABLED=0 run go build -p "$GO_PARALLEL" -ldflags "$ld" -o "$tmp/$c" "go.etcd.io/etcd/$c/v3"
    output_has "${ver#v}" "$tmp/$c" version || die "built $c does not report ${ver#v}"
  done
  output_has "etcd Version: ${ver#v}" "$tmp/etcd" --version || die "built etcd does not report version ${ver#v}"
  publish_dir "$tmp" "$CACHE/etcd-$ver/bin"
}
