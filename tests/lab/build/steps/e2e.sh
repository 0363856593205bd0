# shellcheck shell=bash
# The upstream end-to-end test binary (e2e.test), the ginkgo CLI that can run
# it in parallel, and the Go programs of the conformance test images (agnhost,
# nnp, sample-apiserver) of K8S_VERSION, for `make conformance`. Optional:
# only `build-all.sh e2e` or `build-all.sh conformance` runs it.
# Its consumer module starts from the k8s step's go.mod and go.sum (the staging
# modules replaced by their published releases), so both build against the same
# dependency versions; the k8s consumer itself is left untouched.

build_e2e() {
  local ver="$K8S_VERSION" src="$WORK/e2e-$K8S_VERSION" k8s_src="$WORK/k8s-$K8S_VERSION"
  local out="$CACHE/e2e-$K8S_VERSION" tmp
  [ -f "$k8s_src/go.mod" ] || die "no k8s consumer module at $k8s_src: run build-all.sh k8s first"
  new_consumer "$src" local.build/e2e
  cp "$k8s_src/go.mod" "$k8s_src/go.sum" "$src/"
  cd "$src" || die "cannot enter $src"
  go mod edit -module local.build/e2e
  # test/e2e imports the aggregator example (k8s.io/sample-apiserver); the k8s
  # step replaces it only when the proxy serves the matching release.
  grep -q '^replace k8s.io/sample-apiserver => ' go.mod ||
    die "k8s.io/sample-apiserver@v0.${ver#v1.} is not on the proxy: test/e2e cannot be built"
  # agnhost is a main package of k8s.io/kubernetes; sample-apiserver is the
  # program behind the aggregator conformance test's image.
  run go get "k8s.io/kubernetes/test/e2e@$ver" "k8s.io/kubernetes/test/images/agnhost@$ver" \
    "k8s.io/kubernetes/test/images/nonewprivs@$ver" \
    "k8s.io/sample-apiserver@v0.${ver#v1.}"

  # Same version stamp as the cluster binaries (steps/k8s.sh), so
  # `e2e.test --version` and the run's log name the release under test.
  local bdate major minor ld p
  bdate=$(go list -m -json "k8s.io/kubernetes@$ver" | jq -er .Time | sed 's/\.[0-9]*Z$/Z/')
  major=$(echo "$ver" | sed -E 's/^v([0-9]+)\..*/\1/')
  minor=$(echo "$ver" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$ver -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld="$ld -X $p.gitTreeState=clean -X $p.buildDate=$bdate"
  done

  tmp="$out.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp/bin"
  log "  e2e: go test -c k8s.io/kubernetes/test/e2e (the long part: ~10 min on 2 cores)"
  CGO_ENABLED=0 run nice -n 19 go test -c -p "$GO_PARALLEL" -ldflags "$ld" -o "$tmp/bin/e2e.test" \
    k8s.io/kubernetes/test/e2e
  log "  e2e: go build agnhost nnp sample-apiserver"
  CGO_ENABLED=0 run nice -n 19 go build -p "$GO_PARALLEL" -ldflags "$ld" -o "$tmp/bin/agnhost" \
    k8s.io/kubernetes/test/images/agnhost
  # The nonewprivs image's program: prints its effective UID (set-UID root in the image).
  CGO_ENABLED=0 run nice -n 19 go build -p "$GO_PARALLEL" -ldflags "$ld" -o "$tmp/bin/nnp" \
    k8s.io/kubernetes/test/images/nonewprivs
  CGO_ENABLED=0 run nice -n 19 go build -p "$GO_PARALLEL" -ldflags "$ld" -o "$tmp/bin/sample-apiserver" \
    k8s.io/sample-apiserver
  # The ginkgo CLI of the version e2e.test is built with: e2e.test runs the
  # suite alone, serially; `ginkgo --procs N e2e.test` runs the parallel part
  # in N processes, as upstream's conformance image does. Installed from its
  # own module so its extra dependencies do not enter this build's graph.
  local gver
  gver=$(go list -m -f '{{.Version}}' github.com/onsi/ginkgo/v2)
  log "  e2e: go install ginkgo $gver"
  GOBIN="$tmp/bin" CGO_ENABLED=0 run nice -n 19 go install -ldflags "-s -w" \
    "github.com/onsi/ginkgo/v2/ginkgo@$gver"
  output_has "${gver#v}" "$tmp/bin/ginkgo" version || die "built ginkgo does not report ${gver#v}"
  # The images the tests ask for, as the framework names them by default (a
  # repository list in the environment would rename them); the test-images
  # step builds from this list. Sorted: the framework prints a map's order.
  local list
  list=$(env -u KUBE_TEST_REPO_LIST -u KUBE_TEST_REPO "$tmp/bin/e2e.test" --list-images 2>>"$LOG_FILE") ||
    die "e2e.test --list-images failed"
  sort <<<"$list" >"$tmp/list-images.txt"
  grep -q '/agnhost:' "$tmp/list-images.txt" || die "e2e.test --list-images names no agnhost image"
  publish_dir "$tmp" "$out"
}
