#!/usr/bin/env bash
# make conformance: upstream's [Conformance] tests (e2e.test of the pinned release) against a lab
# cluster the collection built, the way upstream runs them: the parallel tests in N ginkgo
# processes, then the [Serial] ones alone. Reports (JUnit, ginkgo's output, a summary table) go to
# .cache/conformance/<UTC time>/, .cache/conformance/latest points at the last run.
#   tests/conformance/run.sh [--kubeconfig FILE] [--procs N] [--slice] [--focus REGEX]
# --kubeconfig  the cluster's admin kubeconfig (default: the one converge.sh fetched last)
# --procs       ginkgo processes of the parallel pass (default: one per CPU of this machine, which
#               also runs the lab's nodes; 4 on 2 cores failed tests by load, docs/conformance.md)
# --slice       only the short slice (slice.txt: API machinery, a few pod, DNS and Service tests),
#               no serial pass
# --focus       only the tests whose names match REGEX (instead of the slice's)
# Tests listed in skips.txt are skipped by name, each for the reason written there and in
# docs/conformance.md. Exit 0 only when no test failed. Needs `build-all.sh conformance` and the
# mirrors up (make conformance does both).
set -euo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"
lab_require_root
HERE="$(cd "$(dirname "$0")" && pwd)"

kubeconfig="" procs=$(nproc) slice=false focus=""
while [ $# -gt 0 ]; do
  case "$1" in
    --kubeconfig) kubeconfig=$2; shift 2 ;;
    --procs) procs=$2; shift 2 ;;
    --slice) slice=true; shift ;;
    --focus) focus=$2; shift 2 ;;
    *) lab_die "unknown option '$1' (see the head of $0)" ;;
  esac
done

K8S_VERSION="v$(lab_pin kubernetes)"
BIN="$DUOSHOU_LAB_CACHE/e2e-$K8S_VERSION/bin"
KUBECTL="$DUOSHOU_LAB_CACHE/k8s-$K8S_VERSION/bin/kubectl"
for tool in "$BIN/e2e.test" "$BIN/ginkgo" "$KUBECTL"; do
  [ -x "$tool" ] || lab_die "no $tool: run tests/lab/build/build-all.sh conformance (make conformance does)"
done
if [ -z "$kubeconfig" ]; then
  # shellcheck disable=SC2012 # lab-made names without spaces; newest first is the point
  kubeconfig=$(ls -t "$LAB_RUN"/admin-*.conf 2>/dev/null | head -n 1 || true)
  [ -n "$kubeconfig" ] || lab_die "no cluster kubeconfig in $LAB_RUN: converge a lab cluster first (make lab) or pass --kubeconfig"
fi
"$KUBECTL" --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null ||
  lab_die "the cluster of $kubeconfig does not answer: converge it again (make lab) or pass --kubeconfig"

# Skips and the slice: one regular expression per line, comments and reasons after '#'.
patterns() { sed -e 's/[[:space:]]*#.*$//' -e '/^$/d' "$1" | paste -sd '|' -; }
skip=$(patterns "$HERE/skips.txt")

OUT_ROOT="$LAB_REPO_ROOT/.cache/conformance"
OUT="$OUT_ROOT/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
ln -sfn "$OUT" "$OUT_ROOT/latest"
repo_list=$("$LAB_DIR/mirrors.sh" repo-list)
lab_log "conformance: e2e.test $K8S_VERSION against $kubeconfig; images from KUBE_TEST_REPO_LIST=$repo_list; reports in $OUT"

# The flags of e2e.test itself, after ginkgo's "--" (provider skeleton: a cluster of unknown cloud).
e2e_flags=(--kubeconfig="$kubeconfig" --provider=skeleton --report-dir="$OUT" --disable-log-dump
  --dump-logs-on-failure=false)
export KUBE_TEST_REPO_LIST="$repo_list"

# pass NAME LABEL_FILTER PROCS FOCUS: one ginkgo run; its exit status is the JUnit report's to judge.
pass() {
  local name=$1 labels=$2 n=$3 regex=$4 start
  local -a args=(--procs="$n" --label-filter="$labels" --timeout=24h --poll-progress-after=10m
    --junit-report="junit_$name.xml" --output-dir="$OUT" --no-color)
  [ -n "$regex" ] && args+=(--focus="$regex")
  [ -n "$skip" ] && args+=(--skip="$skip")
  start=$(date +%s)
  lab_log "conformance: $name pass, $n process(es), labels '$labels'${regex:+, focus: $regex} (output: $OUT/$name.log)"
  "$BIN/ginkgo" "${args[@]}" "$BIN/e2e.test" -- "${e2e_flags[@]}" >"$OUT/$name.log" 2>&1 || true
  lab_log "conformance: $name pass took $(($(date +%s) - start)) s"
}

if $slice; then
  pass slice 'Conformance && !Serial' "$procs" "${focus:-$(patterns "$HERE/slice.txt")}"
else
  pass parallel 'Conformance && !Serial' "$procs" "$focus"
  pass serial 'Conformance && Serial' 1 "$focus"
fi

python3 "$HERE/summary.py" --skips "$HERE/skips.txt" --out "$OUT" "$OUT"/junit_*.xml
