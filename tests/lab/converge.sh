#!/usr/bin/env bash
# Run the collection's site.yml against running lab nodes and wait for a Ready cluster.
#   tests/lab/converge.sh single|ha [--idempotence] [--then PLAYBOOK]... [-- extra ansible-playbook args]
# --idempotence runs site.yml a second time and fails unless it reports changed=0.
# --then runs a playbook against the converged cluster afterwards (e.g. tests/e2e/upgrade.yml,
# which upgrades to LAB_UPGRADE_K8S_VERSION from tests/lab/pins.sh).
# Needs: tests/lab/nodes.sh up TOPOLOGY and tests/lab/mirrors.sh up.
set -euo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_require_root

topology=${1:-}
case "$topology" in single | ha) shift ;; *) lab_die "usage: $0 single|ha [--idempotence] [--then PLAYBOOK]... [-- ansible-playbook args]" ;; esac
idempotence=false
then_playbooks=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --idempotence) idempotence=true; shift ;;
    --then) [ $# -ge 2 ] || lab_die "--then needs a playbook"; then_playbooks+=("$2"); shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) lab_die "unknown option '$1'" ;;
  esac
done

VENV="${VENV:-.venv}"
case "$VENV" in /*) ;; *) VENV="$LAB_REPO_ROOT/$VENV" ;; esac
[ -x "$VENV/bin/ansible-playbook" ] || lab_die "no $VENV/bin/ansible-playbook: create the venv (pip install -r requirements-dev.txt) or set VENV"
inventory="$LAB_DIR/inventory/$topology"
cp1="duoshou-$topology-cp1"
docker inspect -f '{{.State.Running}}' "$cp1" 2>/dev/null | grep -q true || lab_die "$cp1 is not running: tests/lab/nodes.sh up $topology"
# What group_vars/all/mirrors.yml reads and the nodes fetch: fail here rather than mid-play.
missing=()
for f in "$(lab_kube_repo "$LAB_KUBE_MINOR")/Release.key.sha256" \
  "$LAB_WWW/cri-dockerd/SHA256SUMS" "$LAB_WWW/calico/v$LAB_CALICO_VERSION/calico.yaml.sha256"; do
  [ -s "$f" ] || missing+=("$f")
done
[ ${#missing[@]} -eq 0 ] || lab_die "the mirrors do not serve the artifacts yet (missing: ${missing[*]}): run tests/lab/build/build-all.sh, then tests/lab/mirrors.sh up"
if ! lab_pid_alive "$LAB_RUN/http.pid" || ! lab_pid_alive "$LAB_RUN/registry.pid"; then
  lab_die "the mirrors are not running: tests/lab/mirrors.sh up"
fi
curl -fsS -o /dev/null "http://$LAB_REGISTRY/v2/google_containers/kube-apiserver/tags/list" ||
  lab_die "the registry has no google_containers/kube-apiserver: tests/lab/mirrors.sh push"
expected=$(docker ps -q --filter "label=duoshou-lab.topology=$topology" | wc -l)

# The playbooks call roles as duoshou.kubeadm.*: this checkout under that name. The e2e
# playbooks run ansible-playbook themselves (PATH) and read upgrade.yml's target.
lab_ansible_env "$VENV"
export DUOSHOU_LAB_UPGRADE_TO="$LAB_UPGRADE_K8S_VERSION"

# How the inventory reaches the nodes (nodes.sh up --connection): ssh as the sudo user, or docker exec.
connection=$(sed -n 's/^connection=//p' "$LAB_RUN/nodes-$topology.env" 2>/dev/null || true)
connection=${connection:-unknown}

run_site() { # run_site LOGFILE
  local log=$1 rc
  lab_log "ansible-playbook site.yml -i tests/lab/inventory/$topology ${extra[*]} over $connection (log: $log)"
  set +e
  (cd "$LAB_REPO_ROOT" && "$VENV/bin/ansible-playbook" site.yml -i "$inventory" "${extra[@]}") 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  return "$rc"
}

kubectl_cp1() { docker exec "$cp1" kubectl --kubeconfig /etc/kubernetes/admin.conf "$@"; }

all_ready() {
  local out
  out=$(kubectl_cp1 get nodes --no-headers 2>/dev/null) || return 1
  [ "$(echo "$out" | awk '$2 == "Ready"' | wc -l)" -eq "$expected" ]
}

mkdir -p "$LAB_RUN"
t0=$(date +%s)
if ! run_site "$LAB_RUN/converge-$topology.log"; then
  lab_die "site.yml failed after $(($(date +%s) - t0))s on $topology (log: $LAB_RUN/converge-$topology.log)"
fi
t_play=$(($(date +%s) - t0))
lab_log "site.yml finished in ${t_play}s"

if ! lab_wait 600 "all $expected nodes Ready (kubectl get nodes on $cp1)" all_ready; then
  kubectl_cp1 get nodes -o wide || true
  kubectl_cp1 get pods -A -o wide || true
  lab_die "the cluster did not become Ready"
fi
t_ready=$(($(date +%s) - t0))
kubectl_cp1 get nodes -o wide
kubectl_cp1 get pods -A -o wide

if [ "$idempotence" = true ]; then
  t1=$(date +%s)
  run_site "$LAB_RUN/converge-$topology-2.log" || lab_die "the second site.yml run failed (log: $LAB_RUN/converge-$topology-2.log)"
  if grep -E 'changed=[1-9]' "$LAB_RUN/converge-$topology-2.log" >/dev/null; then
    grep -E 'changed=[1-9]' "$LAB_RUN/converge-$topology-2.log" >&2
    lab_die "not idempotent: the second run changed something (log: $LAB_RUN/converge-$topology-2.log)"
  fi
  lab_log "second run: changed=0 on every host ($(($(date +%s) - t1))s)"
fi
lab_log "WALL TIME $topology: site.yml ${t_play}s, all $expected nodes Ready after ${t_ready}s"

for playbook in "${then_playbooks[@]}"; do
  log="$LAB_RUN/$(basename "$playbook" .yml)-$topology.log"
  lab_log "ansible-playbook $playbook -i tests/lab/inventory/$topology (log: $log)"
  t2=$(date +%s)
  set +e
  (cd "$LAB_REPO_ROOT" && "$VENV/bin/ansible-playbook" "$playbook" -i "$inventory") 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" = 0 ] || lab_die "$playbook failed after $(($(date +%s) - t2))s (log: $log)"
  lab_log "$playbook passed in $(($(date +%s) - t2))s"
done

# What a person types next: the summary's kubectl line (site.yml fetched the kubeconfig to this
# machine), tried here so that the line printed is one that works.
use_line=$(grep -o 'kubectl --kubeconfig [^ ]* get nodes' "$LAB_RUN/converge-$topology.log" | tail -n 1 || true)
if [ -z "$use_line" ]; then
  lab_die "site.yml's summary has no kubectl line (log: $LAB_RUN/converge-$topology.log)"
elif command -v kubectl >/dev/null; then
  $use_line >/dev/null || lab_die "the summary's line failed from this machine: $use_line"
  lab_log "ready. From this machine: $use_line"
else
  lab_log "ready. kubectl is not installed on this machine; with it: $use_line"
fi
if [ "$connection" = ssh ]; then
  lab_log "on the first control plane: ssh -i $LAB_SSH_KEY -o UserKnownHostsFile=$(lab_known_hosts "$topology") $LAB_SSH_USER@$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$cp1") kubectl get nodes"
fi
lab_log "or as root: docker exec -it $cp1 kubectl get nodes; remove the lab: make lab-down"
