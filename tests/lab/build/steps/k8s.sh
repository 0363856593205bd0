# shellcheck shell=bash
# Kubernetes server and node binaries from k8s.io/kubernetes. The module's
# go.mod points every k8s.io/<staging> module at ./staging/..., which is not in
# the published zip, so a consumer module replaces each of them with the
# published v0.<minor>.<patch> release.

build_k8s() {
  local ver="$K8S_VERSION" staging="v0.${K8S_VERSION#v1.}"
  local src="$WORK/k8s-$ver" out="$CACHE/k8s-$ver/bin" tmp
  require_module k8s.io/kubernetes "$ver"
  new_consumer "$src" local.build/k8s
  local gomod mods m
  gomod=$(module_gomod k8s.io/kubernetes "$ver")
  mods=$(sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => \./staging/.*#\1#p' "$gomod")
  [ -n "$mods" ] || die "no staging replaces found in $gomod"
  cd "$src" || die "cannot enter $src"
  for m in $mods; do
    # Example modules (sample-apiserver, ...) are not always mirrored; the
    # commands do not import them, and `go get` fails loudly if that changes.
    if go list -m -json "$m@$staging" >/dev/null 2>&1; then
      go mod edit -replace="$m=$m@$staging"
    else
      log "  k8s: $m@$staging not on the proxy, left unreplaced"
    fi
  done
  local cmds="kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy"
  # shellcheck disable=SC2046
  run go get $(for c in $cmds; do echo "k8s.io/kubernetes/cmd/$c@$ver"; done)

  # Build date: the module's publication time, so rebuilds are reproducible.
  local bdate major minor ld p
  bdate=$(go list -m -json "k8s.io/kubernetes@$ver" | jq -er .Time | sed 's/\.[0-9]*Z$/Z/')
  major=$(echo "$ver" | sed -E 's/^v([0-9]+)\..*/\1/')
  minor=$(echo "$ver" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$ver -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld="$ld -X $p.gitTreeState=clean -X $p.buildDate=$bdate"
  done

  tmp="$CACHE/k8s-$ver/bin.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  for c in $cmds; do
    log "  k8s: go build $c"
    CGO_ENABLED=0 run go build -p "$GO_PARALLEL" -ldflags "$ld" -o "$tmp/$c" "k8s.io/kubernetes/cmd/$c"
    if [ "$c" = kubeadm ]; then
      local got
      got=$("$tmp/kubeadm" version -o short)
      [ "$got" = "$ver" ] || die "kubeadm reports version '$got', expected $ver (version ldflags not applied)"
    fi
  done
  rm -rf "$out"
  mv "$tmp" "$out"
}
