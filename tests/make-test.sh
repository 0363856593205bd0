#!/usr/bin/env bash
# `make test`: every stage in order, each timed, then one summary of what passed, what
# failed and what did not run (and why). Stops at the first failure: later stages are
# reported as not run, never as passed.
#   tests/make-test.sh [--fast | STAGE...]   (default: $DUOSHOU_TEST_STAGES or all stages)
# In CI (CI set) a lab stage that cannot run here fails the run instead of being skipped.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

FAST_STAGES=(lint unit validation integration collection-build test-galaxy sanity vagrant-check)
# Stages on the lab (root, a Docker engine, Kubernetes built from Go modules): the lab artifacts
# (cached by version), then the cluster scenarios as <topology>:<node OS>:<runtime>: HA (three
# control planes behind the VIP), then one control plane, covering both topologies, both OSes and both
# runtimes, each with its day-2 chain (molecule/shared/side_effect_<topology>.yml). HA goes first: the
# budget check before the second stage then has the larger margin. The role scenarios (make
# test-roles) and make test-ssh-bootstrap (4.6 min) are not stages, for the budget: every cluster
# scenario applies those roles, HA checks the VIP, and every scenario reaches its nodes over SSH.
# conformance-artifacts (e2e.test and its test images) feeds the conformance slice at the end of the
# one-control-plane chain; it goes before HA, as the budget can only stop later stages.
# lifecycle (make test-lifecycle: worker removed alive and dead, renewal, etcd restore, the upgrade to
# the lab's second release) comes last, run when the budget still has room for it.
LAB_STAGES=(lab-artifacts conformance-artifacts ha:debian12:docker cluster:debian13:containerd lifecycle:debian12:docker)
# CI stops a run at 90 min: a lab stage that would not finish inside the budget is not
# started. Minutes, generous: measured on 2 cores (docs/testing.md).
BUDGET_MINUTES=${DUOSHOU_TEST_BUDGET_MINUTES:-80}
# cluster: with the conformance slice (about 6 min) at the end of its chain. lifecycle: 21.5 min measured.
declare -A ESTIMATE_MINUTES=([lab-artifacts]=2 [conformance-artifacts]=2 [test-ssh-bootstrap]=5 [test-roles]=8
  [cluster]=36 [ha]=40 [lifecycle]=26)
if [ "${1:-}" = --fast ]; then
  STAGES=("${FAST_STAGES[@]}")
else
  read -r -a STAGES <<<"${*:-${DUOSHOU_TEST_STAGES:-${FAST_STAGES[*]} ${LAB_STAGES[*]}}}"
fi

declare -A RESULT SECONDS_OF
# Each stage's output is also kept here: the summary quotes a failed stage's failing tasks, because
# CI shows only the end of a run.
STAGE_LOGS=.cache/make-test
mkdir -p "$STAGE_LOGS"
total_start=$(date +%s)
passed=0 failed=0 not_run=0 failing=""

lab_unavailable() { # prints why the lab cannot run here, nothing when it can
  if [ "$(id -u)" != 0 ]; then
    echo "needs root (node containers, debootstrap, the lab's mirrors)"
  elif ! command -v docker >/dev/null && ! command -v apt-get >/dev/null; then
    echo "needs a Docker engine or apt-get to install one"
  fi
}

LAB_CACHE="${DUOSHOU_LAB_CACHE:-/var/cache/duoshou-lab}"
lab_cache_warm() { ls "$LAB_CACHE"/stamps/debs-*.stamp >/dev/null 2>&1; }
conformance_cache_warm() { ls "$LAB_CACHE"/stamps/test-images-*.stamp >/dev/null 2>&1; }
upgrade_cache_warm() { # the debs of the lab's second release (tests/lab/pins.sh) are built
  local version
  version=$(bash -c '. tests/lab/pins.sh && echo "${LAB_UPGRADE_K8S_VERSION#v}"')
  grep -qs "/kubeadm_${version}-" "$LAB_CACHE"/stamps/debs-*.stamp
}

make_args() { # cluster|ha|lifecycle:OS:RUNTIME -> the test-cluster, test-ha or test-lifecycle target with the lab's variables
  local IFS=:
  read -r -a parts <<<"$1"
  if [ "${parts[0]}" = cluster ] || [ "${parts[0]}" = ha ] || [ "${parts[0]}" = lifecycle ]; then
    echo "test-${parts[0]} LAB_OS=${parts[1]} LAB_RUNTIME=${parts[2]}"
  elif [ "$1" = conformance-artifacts ]; then
    echo lab-artifacts-conformance
  else
    echo "$1"
  fi
}

run_stage() {
  local stage=$1 start reason
  if [ -n "$failing" ]; then
    RESULT[$stage]="NOT RUN (stage $failing failed)"
    not_run=$((not_run + 1))
    return
  fi
  if [[ " ${LAB_STAGES[*]} test-roles test-ssh-bootstrap " == *" $stage "* ]]; then
    reason=$(lab_unavailable)
    if [ -n "$reason" ] && [ -n "${CI:-}" ]; then
      RESULT[$stage]="FAILED (CI must run it, but it $reason)"
      failed=$((failed + 1))
      failing=$stage
      return
    elif [ -n "$reason" ]; then
      RESULT[$stage]="NOT RUN ($reason)"
      not_run=$((not_run + 1))
      return
    fi
    if [ "$stage" != lab-artifacts ] && [ -n "${RESULT[lab-artifacts]:-}" ] && [ "${RESULT[lab-artifacts]}" != passed ]; then
      RESULT[$stage]="NOT RUN (no lab artifacts: lab-artifacts did not run)"
      not_run=$((not_run + 1))
      return
    fi
    local note="lab artifact cache is warm ($LAB_CACHE)" elapsed estimate
    if ! lab_cache_warm; then
      # Kubernetes, etcd, CoreDNS, cri-dockerd and Calico from Go modules.
      ESTIMATE_MINUTES[lab-artifacts]=45
      note="lab artifact cache is cold ($LAB_CACHE): building Kubernetes, Calico and cri-dockerd from Go modules (40-65 min on 2 cores)"
    fi
    if [ "$stage" = conformance-artifacts ] && ! conformance_cache_warm; then
      ESTIMATE_MINUTES[conformance-artifacts]=22
      note="conformance artifacts are cold ($LAB_CACHE): building e2e.test from Go modules and its test images (about 20 min on 2 cores)"
    fi
    if [ "${stage%%:*}" = lifecycle ] && ! upgrade_cache_warm; then
      ESTIMATE_MINUTES[lifecycle]=$((ESTIMATE_MINUTES[lifecycle] + 20))
      note="the lab's second release is cold ($LAB_CACHE): building it from Go modules first (8-30 min on 2 cores)"
    fi
    elapsed=$((($(date +%s) - total_start) / 60))
    estimate=${ESTIMATE_MINUTES[$stage]:-${ESTIMATE_MINUTES[${stage%%:*}]:-15}}
    if [ $((elapsed + estimate)) -gt "$BUDGET_MINUTES" ]; then
      RESULT[$stage]="NOT RUN (${elapsed} min spent, needs ~${estimate} more: over the ${BUDGET_MINUTES} min budget)"
      not_run=$((not_run + 1))
      return
    fi
    echo "==> $stage: $note"
  fi
  local -a args
  read -r -a args <<<"$(make_args "$stage")"
  echo "==> $stage: make ${args[*]}, started $(date -u +%H:%M:%S)"
  start=$(date +%s)
  if make --no-print-directory "${args[@]}" 2>&1 | tee "$STAGE_LOGS/${stage//:/-}.log"; then
    RESULT[$stage]=passed
    passed=$((passed + 1))
  else
    RESULT[$stage]=FAILED
    failed=$((failed + 1))
    failing=$stage
  fi
  SECONDS_OF[$stage]=$(($(date +%s) - start))
}

for stage in "${STAGES[@]}"; do run_stage "$stage"; done

# The last two failed tasks in a stage's log, ignored ones left out (earlier ones are mostly failures
# a test expects): each one's TASK line, its failure line and the lines after it, without colours or
# molecule's frame, each cut at 300 characters.
failed_tasks() {
  sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^ *│ \{0,1\}//' "$1" | awk '
    /^TASK \[/ { task = $0 }
    /^(fatal|failed): \[/ { n++; block[n] = "  " task; after = 6 }
    /^\.\.\.ignoring/ && after > 0 { n--; after = 0 }
    after > 0 { block[n] = block[n] "\n    " substr($0, 1, 300); after-- }
    END { for (i = (n > 2 ? n - 1 : 1); i <= n && n > 0; i++) print block[i] }'
}

if [ -n "$failing" ] && [ -s "$STAGE_LOGS/${failing//:/-}.log" ]; then
  echo
  echo "why $failing failed (its whole output: $STAGE_LOGS/${failing//:/-}.log):"
  failed_tasks "$STAGE_LOGS/${failing//:/-}.log"
fi

echo
echo "make test summary (wall time per stage):"
for stage in "${STAGES[@]}"; do
  if [ -n "${SECONDS_OF[$stage]:-}" ]; then
    printf '  %-30s %-8s %5ss\n' "$stage" "${RESULT[$stage]}" "${SECONDS_OF[$stage]}"
  else
    printf '  %-30s %s\n' "$stage" "${RESULT[$stage]}"
  fi
done
for stage in "${LAB_STAGES[@]}"; do
  [[ " ${STAGES[*]} " == *" $stage "* ]] && continue
  printf '  %-30s %s\n' "$stage" "NOT RUN (not selected)"
  not_run=$((not_run + 1))
done
echo "  total                          $(($(date +%s) - total_start))s"
echo "stages: $passed passed, $failed failed, $not_run skipped"
[ "$failed" = 0 ]
