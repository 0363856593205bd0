#!/usr/bin/env bash
# Smoke check before a conformance run (no cluster needed): e2e.test of the pinned release runs,
# and every image it would pull under the lab's KUBE_TEST_REPO_LIST is served by the lab registry,
# except those the build lists in test-images/v1.MINOR/not-built.txt (none of which a [Conformance]
# test pulls). Needs `build-all.sh conformance` and the mirrors up (tests/lab/mirrors.sh up/push).
#   tests/conformance/check-images.sh     exit 0: all served; 1: a built image is not served
set -euo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"
lab_require_root

K8S_VERSION="${K8S_VERSION:-v$(lab_pin kubernetes)}"
E2E_TEST="$DUOSHOU_LAB_CACHE/e2e-$K8S_VERSION/bin/e2e.test"
TEST_IMAGES_DIR="$(lab_release_dir "$DUOSHOU_LAB_CACHE" test-images "$K8S_VERSION")"
[ -x "$E2E_TEST" ] || lab_die "no $E2E_TEST: run tests/lab/build/build-all.sh conformance"
[ -s "$TEST_IMAGES_DIR/not-built.txt" ] || lab_die "no $TEST_IMAGES_DIR/not-built.txt: run tests/lab/build/build-all.sh conformance"
got=$("$E2E_TEST" --version 2>/dev/null | tail -n1)
[ "$got" = "$K8S_VERSION" ] || lab_die "$E2E_TEST reports '$got', expected $K8S_VERSION"

repo_list=$("$LAB_DIR/mirrors.sh" repo-list)
mapfile -t refs < <(KUBE_TEST_REPO_LIST="$repo_list" "$E2E_TEST" --list-images 2>/dev/null | sort)
[ "${#refs[@]}" -gt 0 ] || lab_die "e2e.test --list-images printed nothing"

# A lab name back to the upstream reference the build lists (the inverse of mirror_name in
# mirrors.sh for the registries repo-list points here).
upstream_ref() {
  case "$1" in
    "$LAB_REGISTRY"/google_containers/*) echo "registry.k8s.io/${1#"$LAB_REGISTRY"/google_containers/}" ;;
    "$LAB_REGISTRY"/library/*) echo "docker.io/${1#"$LAB_REGISTRY"/}" ;;
    "$LAB_REGISTRY"/*) echo "registry.k8s.io/${1#"$LAB_REGISTRY"/}" ;;
    *) echo "$1" ;;
  esac
}

served=0 expected_missing=0 bad=0 outside=0
for ref in "${refs[@]}"; do
  case "$ref" in
    "$LAB_REGISTRY"/*) ;;
    *)
      # Not remapped by the framework (unreachable on purpose, or deployed through manifests that
      # the framework rewrites when it applies them).
      outside=$((outside + 1))
      continue
      ;;
  esac
  if skopeo inspect --tls-verify=false --raw "docker://$ref" >/dev/null 2>&1; then
    served=$((served + 1))
  elif why=$(grep -F "$(upstream_ref "$ref") " "$TEST_IMAGES_DIR/not-built.txt"); then
    expected_missing=$((expected_missing + 1))
    echo "not served (not built: ${why#* }): $ref"
  else
    bad=$((bad + 1))
    echo "MISSING: $ref (built? see $TEST_IMAGES_DIR/images.txt; push: tests/lab/mirrors.sh push)"
  fi
done
lab_log "conformance images: $served served, $expected_missing not built on purpose, $bad missing," \
  "$outside left to the framework; KUBE_TEST_REPO_LIST=$repo_list"
[ "$bad" -eq 0 ]
