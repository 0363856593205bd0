#!/usr/bin/env bash
# make bench: the collection against the raw kubeadm procedure, on identical fresh lab nodes
# (single topology: cp1 + w1 + w2, and w3 to add), in one run:
#   1. site.yml on fresh nodes, until every node is Ready and CoreDNS answers;
#   2. site.yml again on the converged cluster (changed=0 required);
#   3. w3 added with site.yml --limit w3;
#   then every node's files under /etc and its new packages are captured, the nodes are
#   recreated, and tests/bench/node.sh does by hand what site.yml did:
#   4. raw: the every-node steps on cp1, w1, w2 at once, kubeadm init, the same Calico
#      manifest, kubeadm join, until the same readiness check passes;
#   5. raw: w3 prepared and joined;
#   6. scale (not with --quick): site.yml on fresh clusters of cp1 and SCALE_WORKERS workers (step 1
#      is the 2-worker point), timed to Ready, with the controller's peak memory (ansible-playbook
#      and every process under it).
# Both sides reach the nodes as users' controllers do, over SSH as a sudo user: site.yml through Ansible,
# the raw side one ssh command per step (DUOSHOU_LAB_CONNECTION=docker: docker exec for both). Copying the
# script and the captured files onto the nodes is not timed.
# Writes .cache/bench/bench-<UTC time>.{md,json} and .cache/bench/latest.json (tests/bench/report.py:
# the times, their ratios and where each site.yml run spent its time, by role; with step 6 the fit
# against the node count, its projection and bench-<UTC time>-scale.svg). Needs the lab.
#   tests/bench/run.sh [--os debian12|debian13] [--quick] [--raw-only]
# --raw-only repeats steps 4 and 5 with the capture and the site.yml times of the last run.
set -euo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"
lab_require_root

os=debian12
raw_only=false
quick=false
while [ $# -gt 0 ]; do
  case "$1" in
    --os) os=$2; shift 2 ;;
    --raw-only) raw_only=true; shift ;;
    --quick) quick=true; shift ;;
    *) lab_die "usage: $0 [--os debian12|debian13] [--quick] [--raw-only]" ;;
  esac
done
# The scale step's cluster sizes after step 1's two workers (env, e.g. SCALE_WORKERS="5 10 20").
read -r -a scale_workers <<<"${SCALE_WORKERS:-5 10}"
VENV="${VENV:-.venv}"
case "$VENV" in /*) ;; *) VENV="$LAB_REPO_ROOT/$VENV" ;; esac
[ -x "$VENV/bin/ansible-playbook" ] || lab_die "no $VENV/bin/ansible-playbook: run make setup"
lab_ansible_env "$VENV"

topology=single
first_nodes=(cp1 w1 w2)
added=w3
all_nodes=("${first_nodes[@]}" "$added")
inventory="$LAB_DIR/inventory/$topology"
out="$LAB_REPO_ROOT/.cache/bench"
work="$LAB_STATE/bench"          # captured bundles: kubeadm config with its token, so 0700
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out" "$work"
chmod 0700 "$work"
# Ready nodes, CoreDNS answering: the bench's end state for both procedures.
READY_TIMEOUT=900

node() { echo "duoshou-$topology-$1"; }
node_ip() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(node "$1")"; }
on() { # on NODE node.sh-command args...: run tests/bench/node.sh on a node, reached as site.yml reaches it
  local n=$1
  shift
  if [ "$LAB_CONNECTION" = ssh ]; then
    ssh -i "$LAB_SSH_KEY" -o BatchMode=yes -o StrictHostKeyChecking=yes \
      -o UserKnownHostsFile="$(lab_known_hosts "$topology")" "$LAB_SSH_USER@$(node_ip "$n")" \
      sudo bash /root/bench/node.sh "$(printf '%q ' "$@")"
  else
    docker exec -i "$(node "$n")" bash /root/bench/node.sh "$@"
  fi
}
install_node_sh() {
  local n
  for n in "${all_nodes[@]}"; do
    docker exec "$(node "$n")" install -d -m 0700 /root/bench
    docker cp "$LAB_DIR/../bench/node.sh" "$(node "$n"):/root/bench/node.sh"
  done
}
fresh_nodes() {
  VENV=$VENV "$LAB_DIR/nodes.sh" up "$topology" --os "$os" --workers 3 >"$work/nodes.log" 2>&1 ||
    { cat "$work/nodes.log"; lab_die "the lab nodes did not come up"; }
  install_node_sh
}
wait_ready() { # wait_ready COUNT: until COUNT nodes are Ready and CoreDNS answers
  lab_wait "$READY_TIMEOUT" "$1 nodes Ready and CoreDNS answering" on cp1 ready "$1" ||
    { on cp1 ready "$1" || true; lab_die "the cluster did not reach the end state"; }
}
tree_rss_kib() { # tree_rss_kib PID: the resident memory of PID and every process under it, in KiB
  ps -e -o pid=,ppid=,rss= | awk -v root="$1" '
    { parent[$1] = $2; rss[$1] = $3 }
    END { for (p in parent) { q = p; while (q in parent && q != root) q = parent[q]; if (q == root) sum += rss[p] }
          print sum + 0 }'
}
site() { # site LOGNAME ansible-playbook args...: prints seconds to stdout; the controller's peak
  # memory in KiB goes to $out/LOGNAME-$stamp.rss
  local log="$out/$1-$stamp.log" rss="$out/$1-$stamp.rss" t0 pid peak=0 now rc=0
  shift
  t0=$(date +%s)
  (cd "$LAB_REPO_ROOT" && exec ansible-playbook site.yml -i "$inventory" "$@") >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    now=$(tree_rss_kib "$pid")
    [ "$now" -le "$peak" ] || peak=$now
    sleep 1
  done
  wait "$pid" || rc=$?
  echo "$peak" >"$rss"
  [ "$rc" = 0 ] || { tail -n 40 "$log" >&2; lab_die "site.yml $* failed (log: $log)"; }
  echo $(($(date +%s) - t0))
}
measure_site() { # measure_site LOGNAME NODES ansible-playbook args...: seconds until NODES are Ready
  local name=$1 count=$2 t0
  shift 2
  t0=$(date +%s)
  site "$name" "$@" >/dev/null
  wait_ready "$count"
  elapsed "$t0"
}
changed_hosts() { grep -E '^[a-z0-9-]+ +: ok=.*changed=[1-9]' "$1" || true; }
elapsed() { echo $(($(date +%s) - $1)); }

if [ "$raw_only" = false ]; then
  lab_log "bench: fresh nodes for site.yml"
  fresh_nodes
  for n in "${all_nodes[@]}"; do on "$n" capture-start; done

  lab_log "bench 1/5: site.yml on fresh cp1 w1 w2"
  t_site=$(measure_site site 3 --limit "all:!$added")

  lab_log "bench 2/5: site.yml again (changed=0 required)"
  t_rerun=$(site rerun --limit "all:!$added")
  [ -z "$(changed_hosts "$out/rerun-$stamp.log")" ] ||
    { changed_hosts "$out/rerun-$stamp.log" >&2; lab_die "the rerun changed something (log: $out/rerun-$stamp.log)"; }

  lab_log "bench 3/5: site.yml --limit $added"
  t_add=$(measure_site add 4 --limit "$added")

  lab_log "bench: capturing what site.yml wrote and installed on each node"
  for n in "${all_nodes[@]}"; do
    on "$n" capture /root/bench/bundle.tar /root/bench/packages
    docker cp "$(node "$n"):/root/bench/bundle.tar" "$work/$n.tar"
    docker cp "$(node "$n"):/root/bench/packages" "$work/$n.packages"
    chmod 0600 "$work/$n.tar"
  done
  printf 't_site=%s\nt_rerun=%s\nt_add=%s\nsite_stamp=%s\n' "$t_site" "$t_rerun" "$t_add" "$stamp" >"$work/site.env"
fi
[ -s "$work/site.env" ] || lab_die "no capture of a site.yml run in $work: run without --raw-only first"
# shellcheck source=/dev/null # written above, by this run or the last one
. "$work/site.env"
# Where the roles keep them (kubeadm_master_config_file, calico_manifest_path).
config=/etc/kubernetes/kubeadm/kubeadm-config.yaml
manifest=/etc/kubernetes/calico/calico.yaml
captured=$(tar -t -f "$work/cp1.tar")
for f in "$config" "$manifest"; do
  grep -qx ".$f" <<<"$captured" || lab_die "cp1's capture has no $f"
done
# The socket the joins use: the one site.yml put in the kubeadm configuration.
cri_socket=$(tar -x -O -f "$work/cp1.tar" ".$config" | awk '$1 == "criSocket:" { print $2; exit }')
[ -n "$cri_socket" ] || lab_die "no criSocket in cp1's $config"
runtime_services=(docker cri-docker.socket kubelet)
case "$cri_socket" in *containerd*) runtime_services=(containerd kubelet) ;; esac
cri_dockerd_url="$LAB_HTTP_URL/cri-dockerd/$(awk '{print $2; exit}' "$LAB_WWW/cri-dockerd/SHA256SUMS")"

lab_log "bench: fresh nodes for the raw procedure"
fresh_nodes
raw_prepare() { # raw_prepare NODE...: the every-node steps, on all of them at once
  local n i nodes=("$@") pids=()
  for n in "${nodes[@]}"; do
    docker cp "$work/$n.tar" "$(node "$n"):/root/bench/bundle.tar"
    docker cp "$work/$n.packages" "$(node "$n"):/root/bench/packages"
    on "$n" prepare /root/bench/bundle.tar /root/bench/packages "$cri_dockerd_url" "${runtime_services[@]}" \
      >"$work/prepare-$n.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "$work/prepare-${nodes[$i]}.log"; lab_die "raw: preparing ${nodes[$i]} failed"; }
  done
}
raw_join() { # raw_join NODE...
  local n
  for n in "$@"; do on cp1 join-command | on "$n" join "$cri_socket"; done
}

lab_log "bench 4/5: raw kubeadm on fresh cp1 w1 w2"
t=$(date +%s)
raw_prepare "${first_nodes[@]}"
on cp1 init "$config" "$manifest"
raw_join "${first_nodes[@]:1}"
wait_ready 3
t_raw=$(elapsed "$t")

lab_log "bench 5/5: raw kubeadm join of $added"
t=$(date +%s)
raw_prepare "$added"
raw_join "$added"
wait_ready 4
t_raw_add=$(elapsed "$t")

scale_args=()
if [ "$quick" = false ] && [ "$raw_only" = false ]; then
  scale_args=(--scale "2=$t_site:$(cat "$out/site-$stamp.rss"):$out/site-$stamp.log")
  for workers in "${scale_workers[@]}"; do
    lab_log "bench 6: scale, site.yml on fresh cp1 and $workers workers"
    VENV=$VENV "$LAB_DIR/nodes.sh" up "$topology" --os "$os" --workers "$workers" >"$work/nodes-scale.log" 2>&1 ||
      { cat "$work/nodes-scale.log"; lab_die "the lab nodes for $workers workers did not come up"; }
    docker exec "$(node cp1)" install -d -m 0700 /root/bench
    docker cp "$LAB_DIR/../bench/node.sh" "$(node cp1):/root/bench/node.sh"
    t_scale=$(measure_site "scale-$workers" $((workers + 1)))
    lab_log "bench 6: $workers workers: ${t_scale} s, controller peak $(($(cat "$out/scale-$workers-$stamp.rss") / 1024)) MiB"
    scale_args+=(--scale "$workers=$t_scale:$(cat "$out/scale-$workers-$stamp.rss"):$out/scale-$workers-$stamp.log")
  done
  # The inventory nodes.sh wrote for the last size: put back the bench's own.
  VENV=$VENV "$LAB_DIR/nodes.sh" down "$topology" >/dev/null
  git -C "$LAB_REPO_ROOT" checkout -- "tests/lab/inventory/$topology/hosts.yml" 2>/dev/null || true
fi

commit=$(git -C "$LAB_REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
python3 "$LAB_DIR/../bench/report.py" --out "$out" --stamp "$stamp" --os "$os" --commit "$commit" \
  --site-log "$out/site-$site_stamp.log" --rerun-log "$out/rerun-$site_stamp.log" --add-log "$out/add-$site_stamp.log" \
  --time "site_s=$t_site" --time "rerun_s=$t_rerun" --time "add_worker_s=$t_add" \
  --time "raw_s=$t_raw" --time "raw_join_s=$t_raw_add" "${scale_args[@]}"
if [ ${#scale_args[@]} -gt 0 ]; then
  lab_log "report: $out/bench-$stamp.{md,json}, $out/bench-$stamp-scale.svg and $out/latest.json (the nodes are removed)"
else
  lab_log "report: $out/bench-$stamp.{md,json} and $out/latest.json; remove the nodes: tests/lab/nodes.sh down $topology"
fi
