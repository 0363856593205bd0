#!/usr/bin/env bash
# Lab nodes: systemd containers on the internal network, plus their Ansible inventory.
#   tests/lab/nodes.sh up single|ha|roles [--os debian12|debian13] [--workers N] [--vrrp unicast|multicast]
#                         [--connection ssh|docker]
#   tests/lab/nodes.sh down [single|ha|roles|all]     (default all)
#   tests/lab/nodes.sh status
# Topologies: single = cp1 + w1 + w2 (192.168.77.11-13; w3-w8 .14-.19, w9 and on from .149);
#             ha     = cp1 cp2 cp3 + w1 [+ w2] (192.168.77.21-25), VIP 192.168.77.100:16443,
#                      haproxy + keepalived on cp1 and cp2. HA defaults to one worker: five
#                      nodes with three etcd members are too much for a 2-core host.
#             roles  = r1 (control plane) + r2 (worker) (192.168.77.31-32), both in kube_lb with
#                      VIP 192.168.77.101:16443: the per-role molecule scenarios; no cluster is
#                      built, so --workers does not apply.
# --vrrp multicast keeps keepalived's default multicast adverts and lets them through
# Docker's internal-network isolation with an ACCEPT rule in DOCKER-USER (removed by down).
# --connection (default: $DUOSHOU_LAB_CONNECTION, else ssh): how the inventory reaches the nodes.
#   ssh: as users' controllers do, SSH to the node's address as the sudo user duoshou with the lab's
#        key (tests/lab/lib.sh LAB_SSH_*), host keys checked against the known_hosts written here;
#        the plays' own become makes them root.
#   docker: `docker exec` as root (community.docker.docker), the lab's old way.
set -euo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_require_root

# All capabilities except the ones this host cannot grant (sys_resource is not in the bounding
# set, so --privileged fails) or docker 20.10 does not know (bpf, perfmon, checkpoint_restore).
LAB_NODE_CAPS=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
  LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE
  SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_TIME SYS_TTY_CONFIG
  MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM
  BLOCK_SUSPEND AUDIT_READ)
# Overlay on overlay fails for nested runtimes: their state lives on docker volumes.
LAB_NODE_VOLUMES=(/var/lib/docker /var/lib/containerd /var/lib/kubelet /var/lib/etcd)
LAB_VRRP_COMMENT="duoshou-lab-vrrp"

inventory_group() { # inventory_group GROUP ROLE: the YAML of one group's hosts (uses $topology, $workers, $connection)
  echo "    $1:"
  echo "      hosts:"
  while read -r name role ip; do
    [ "$role" = "$2" ] || continue
    echo "        $name:"
    if [ "$connection" = ssh ]; then
      echo "          ansible_host: $ip"
    else
      echo "          ansible_host: $(container_of "$topology" "$name")"
    fi
    # For tests that work on the node from the lab host (docker exec), whatever the connection.
    echo "          lab_container: $(container_of "$topology" "$name")"
    echo "          cluster_node_ip: $ip"
  done < <(topology_nodes "$topology" "$workers")
}

topology_nodes() { # prints "name role ip" lines
  local workers=$2
  case "$1" in
    single)
      echo "cp1 control_plane 192.168.77.11"
      # w1-w8 follow cp1; from w9 on (make bench's scale step) they move past the VIPs.
      for i in $(seq 1 "$workers"); do
        if [ "$i" -le 8 ]; then echo "w$i worker 192.168.77.$((11 + i))"; else echo "w$i worker 192.168.77.$((140 + i))"; fi
      done
      ;;
    ha)
      for i in 1 2 3; do echo "cp$i control_plane 192.168.77.$((20 + i))"; done
      for i in $(seq 1 "$workers"); do echo "w$i worker 192.168.77.$((23 + i))"; done
      ;;
    roles)
      echo "r1 control_plane 192.168.77.31"
      echo "r2 worker 192.168.77.32"
      ;;
    *) lab_die "unknown topology '$1': use single, ha or roles" ;;
  esac
}

topology_lb_nodes() { # the kube_lb hosts (haproxy + keepalived) of a topology, if any
  case "$1" in
    ha) echo cp1 cp2 ;;
    roles) echo r1 r2 ;;
  esac
}

container_of() { echo "duoshou-$1-$2"; }

lab_bridge() { echo "br-$(docker network inspect -f '{{.Id}}' "$LAB_NETWORK" | cut -c1-12)"; }

vrrp_rule() { # add|delete the multicast VRRP exception for the lab bridge
  local action=$1 br
  br=$(lab_bridge)
  local spec=(DOCKER-USER -i "$br" -o "$br" -p 112 -d 224.0.0.18/32 -m comment --comment "$LAB_VRRP_COMMENT" -j ACCEPT)
  if [ "$action" = add ]; then
    iptables -C "${spec[@]}" 2>/dev/null || {
      lab_log "allowing multicast VRRP (protocol 112 to 224.0.0.18) on $br in DOCKER-USER"
      iptables -I "${spec[@]}"
    }
  else
    while iptables -C "${spec[@]}" 2>/dev/null; do
      lab_log "removing the multicast VRRP rule on $br from DOCKER-USER"
      iptables -D "${spec[@]}"
    done
  fi
}

inventory_connection() { # the all: vars that say how Ansible reaches the nodes (uses $topology, $connection)
  echo "  vars:"
  if [ "$connection" = ssh ]; then
    echo "    # SSH as a user with sudo, as on users' machines: the plays' become makes them root."
    echo "    ansible_connection: ssh"
    echo "    ansible_user: $LAB_SSH_USER"
    echo "    ansible_ssh_private_key_file: $LAB_SSH_KEY"
    echo "    # Host keys recorded by nodes.sh up (each node makes its own at first boot): a changed key fails."
    echo "    ansible_host_key_checking: true"
    echo "    ansible_ssh_common_args: -o UserKnownHostsFile=$(lab_known_hosts "$topology") -o StrictHostKeyChecking=yes"
    echo "    # One SSH connection per node, kept 60 s for the next task; nodes.sh down closes it before removing the node."
    echo "    ansible_ssh_args: -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=$LAB_SSH_DIR/cm-%h-%r"
    echo "    ansible_ssh_pipelining: true"
  else
    echo "    # docker exec as root (nodes.sh up --connection docker); the default is SSH as $LAB_SSH_USER."
    echo "    ansible_connection: community.docker.docker"
  fi
}

write_inventory() {
  local topology=$1 os=$2 vrrp=$3 workers=$4 connection=$5 dir="$LAB_DIR/inventory/$1" name role ip lb
  mkdir -p "$dir"
  {
    echo "---"
    echo "# Generated by tests/lab/nodes.sh up $topology --os $os --workers $workers --vrrp $vrrp --connection $connection."
    echo "# Lab settings: group_vars/all/ (mirrors.yml holds every mirror location)."
    echo "all:"
    inventory_connection
    echo "  children:"
    inventory_group kube_control_plane control_plane
    inventory_group kube_workers worker
    lb=$(topology_lb_nodes "$topology")
    if [ -n "$lb" ]; then
      echo "    kube_lb:"
      echo "      hosts:"
      for name in $lb; do echo "        $name:"; done
      echo "      vars:"
      echo "        # unicast: adverts between the kube_lb hosts' cluster_node_ip; multicast needs"
      echo "        # the DOCKER-USER rule that 'nodes.sh up ha --vrrp multicast' adds."
      echo "        haproxy_keepalived_unicast: $([ "$vrrp" = unicast ] && echo true || echo false)"
    fi
  } >"$dir/hosts.yml"
  lab_log "inventory: $dir/hosts.yml"
}

wait_systemd() {
  local c=$1 timeout=$2 start state
  start=$(date +%s)
  while :; do
    state=$(docker exec "$c" systemctl is-system-running 2>/dev/null || true)
    case "$state" in
      running) return 0 ;;
      degraded)
        lab_log "$c: systemd is degraded; failed units:"
        docker exec "$c" systemctl --failed --no-pager >&2 || true
        return 0
        ;;
    esac
    if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
      lab_log "$c: systemd still '$state' after ${timeout}s"
      docker exec "$c" systemctl --failed --no-pager >&2 || true
      docker exec "$c" systemctl list-jobs --no-pager >&2 || true
      return 1
    fi
    sleep 1
  done
}

# authorize_key CONTAINER: the controller's public key as the sudo user's authorized_keys.
authorize_key() {
  # shellcheck disable=SC2016 # expanded by the node's shell
  docker exec -i "$1" sh -c 'set -e
    home=$(getent passwd "$1" | cut -d: -f6)
    install -d -m 0700 -o "$1" -g "$1" "$home/.ssh"
    cat >"$home/.ssh/authorized_keys"
    chown "$1:$1" "$home/.ssh/authorized_keys"
    chmod 0600 "$home/.ssh/authorized_keys"' sh "$LAB_SSH_USER" <"$LAB_SSH_KEY.pub"
}

keyscan() { # keyscan IP OUT: the host keys sshd on IP offers, into OUT; fails while it offers none
  ssh-keyscan -T 3 "$1" 2>/dev/null | grep -v '^#' >"$2" || true
  [ -s "$2" ]
}

# record_host_keys TOPOLOGY: every node's host keys into the topology's known_hosts, each scanned key
# checked against the node's own public key files (read with docker exec, which needs no trust).
record_host_keys() {
  local topology=$1 file tmp own key
  file=$(lab_known_hosts "$topology")
  tmp=$(mktemp "$LAB_SSH_DIR/.known_hosts.XXXX")
  while read -r name role ip; do
    c=$(container_of "$topology" "$name")
    lab_wait 60 "sshd on $c to offer its host keys at $ip:22 (ssh-keyscan)" keyscan "$ip" "$tmp.scan" ||
      lab_die "sshd on $c does not answer: docker exec $c systemctl status ssh"
    own=$(docker exec "$c" sh -c 'cat /etc/ssh/ssh_host_*_key.pub' | awk '{print $1, $2}')
    while read -r _ key; do
      grep -qxF "$key" <<<"$own" || lab_die "$ip offered a host key that is not $c's own: $key"
    done <"$tmp.scan"
    cat "$tmp.scan" >>"$tmp"
  done < <(topology_nodes "$topology" "$workers")
  rm -f "$tmp.scan"
  chmod 0644 "$tmp"
  mv "$tmp" "$file"
  lab_log "host keys of $topology's nodes: $file ($(wc -l <"$file") keys)"
}

# close_ssh_masters TOPOLOGY: end the ControlPersist connections to the topology's nodes, so that a
# recreated node at the same address gets a new connection instead of a dead one.
close_ssh_masters() {
  local ip sock
  command -v ssh >/dev/null || return 0
  for ip in $(docker ps -aq --filter "label=duoshou-lab.topology=$1" |
    xargs -r docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'); do
    for sock in "$LAB_SSH_DIR/cm-$ip-"*; do
      [ -e "$sock" ] || continue
      ssh -o ControlPath="$sock" -O exit "$ip" >/dev/null 2>&1 || true
      rm -f "$sock"
    done
  done
}

up() {
  local topology=$1 os=debian12 vrrp=unicast workers="" connection=$LAB_CONNECTION image name role ip c t0 args=() v
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --os) os=$2; shift 2 ;;
      --vrrp) vrrp=$2; shift 2 ;;
      --workers) workers=$2; shift 2 ;;
      --connection) connection=$2; shift 2 ;;
      *) lab_die "unknown option '$1'" ;;
    esac
  done
  lab_release_of "$os" >/dev/null
  case "$connection" in ssh | docker) ;; *) lab_die "--connection (DUOSHOU_LAB_CONNECTION) must be ssh or docker, got '$connection'" ;; esac
  case "$vrrp" in unicast | multicast) ;; *) lab_die "--vrrp must be unicast or multicast, got '$vrrp'" ;; esac
  [ -n "$workers" ] || { [ "$topology" = ha ] && workers=1 || workers=2; }
  [[ "$workers" =~ ^[0-9]$|^[1-5][0-9]$ ]] || lab_die "--workers must be a number 0-59, got '$workers'"
  topology_nodes "$topology" "$workers" >/dev/null
  image=$(lab_node_image "$os")
  docker image inspect "$image" >/dev/null 2>&1 || lab_die "no image $image: run tests/lab/node-image.sh $os (make lab-images)"
  lab_network_up
  lab_pid_alive "$LAB_RUN/http.pid" || lab_log "warning: the http mirror is not running (tests/lab/mirrors.sh up)"
  [ "$connection" = docker ] || lab_ensure_ssh_key

  # A topology is recreated from scratch: the collection must work on fresh nodes.
  down_topology "$topology"
  for cap in "${LAB_NODE_CAPS[@]}"; do args+=(--cap-add "$cap"); done
  t0=$(date +%s)
  while read -r name role ip; do
    c=$(container_of "$topology" "$name")
    local vols=()
    for v in "${LAB_NODE_VOLUMES[@]}"; do
      vols+=(-v "$c-$(basename "$v"):$v")
    done
    lab_log "starting $c ($os, $role, $ip)"
    docker run -d --name "$c" --hostname "$name" \
      --label duoshou-lab=1 --label "duoshou-lab.topology=$topology" \
      --network "$LAB_NETWORK" --ip "$ip" \
      "${args[@]}" \
      --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
      --security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm' \
      --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
      --tmpfs /run --tmpfs /run/lock --tmpfs /tmp --device /dev/kmsg \
      --stop-signal SIGRTMIN+3 \
      "${vols[@]}" "$image" >/dev/null
  done < <(topology_nodes "$topology" "$workers")
  while read -r name role ip; do
    c=$(container_of "$topology" "$name")
    lab_log "waiting up to 120s for systemd in $c to reach running/degraded"
    wait_systemd "$c" 120 || lab_die "$c did not boot (see above)"
  done < <(topology_nodes "$topology" "$workers")
  lab_log "nodes of $topology up in $(($(date +%s) - t0))s"
  if [ "$connection" = ssh ]; then
    lab_log "authorizing $LAB_SSH_KEY.pub for $LAB_SSH_USER on each node"
    while read -r name role ip; do authorize_key "$(container_of "$topology" "$name")"; done < <(topology_nodes "$topology" "$workers")
    record_host_keys "$topology"
  fi
  if [ -n "$(topology_lb_nodes "$topology")" ]; then
    if [ "$vrrp" = multicast ]; then vrrp_rule add; else vrrp_rule delete; fi
  fi
  write_inventory "$topology" "$os" "$vrrp" "$workers" "$connection"
  printf 'os=%s\nvrrp=%s\nworkers=%s\nconnection=%s\n' "$os" "$vrrp" "$workers" "$connection" >"$LAB_RUN/nodes-$topology.env"

  # --become: the sudo the plays rely on works too (over docker exec, root runs sudo to root).
  lab_log "checking Ansible's $connection connection: ansible all -m ansible.builtin.ping --become"
  (cd "$LAB_REPO_ROOT" && "$LAB_ANSIBLE" -i "tests/lab/inventory/$topology" all -m ansible.builtin.ping --become) ||
    lab_die "Ansible cannot reach the nodes over $connection$([ "$connection" = ssh ] && echo " as $LAB_SSH_USER with $LAB_SSH_KEY")"
}

down_topology() {
  local topology=$1 ids vols
  close_ssh_masters "$topology"
  rm -f "$(lab_known_hosts "$topology")"
  ids=$(docker ps -aq --filter "label=duoshou-lab.topology=$topology")
  if [ -n "$ids" ]; then
    lab_log "removing $topology nodes: $(docker ps -a --filter "label=duoshou-lab.topology=$topology" --format '{{.Names}}' | tr '\n' ' ')"
    # shellcheck disable=SC2086 # one id per word
    docker rm -f $ids >/dev/null
  fi
  vols=$(docker volume ls -q --filter "name=^duoshou-$topology-")
  if [ -n "$vols" ]; then
    lab_log "removing $topology volumes ($(echo "$vols" | wc -l))"
    # shellcheck disable=SC2086 # one name per word
    docker volume rm $vols >/dev/null
  fi
  # Only topologies with kube_lb hosts run VRRP.
  if [ -n "$(topology_lb_nodes "$topology")" ] && docker network inspect "$LAB_NETWORK" >/dev/null 2>&1; then
    vrrp_rule delete
  fi
  rm -f "$LAB_RUN/nodes-$topology.env"
}

down() {
  local which=${1:-all} t
  case "$which" in all | single | ha | roles) ;; *) lab_die "usage: $0 down [single|ha|roles|all]" ;; esac
  for t in single ha roles; do
    [ "$which" = all ] || [ "$which" = "$t" ] || continue
    down_topology "$t"
  done
}

status() {
  docker ps -a --filter label=duoshou-lab=1 --format 'table {{.Names}}\t{{.Status}}\t{{.Image}}'
  local c
  for c in $(docker ps -q --filter label=duoshou-lab=1); do
    printf '%s: %s\n' "$(docker inspect -f '{{.Name}}' "$c" | tr -d /)" "$(docker exec "$c" systemctl is-system-running 2>/dev/null || true)"
  done
}

LAB_VENV="${VENV:-.venv}"
case "$LAB_VENV" in /*) ;; *) LAB_VENV="$LAB_REPO_ROOT/$LAB_VENV" ;; esac
LAB_ANSIBLE="${LAB_ANSIBLE:-$LAB_VENV/bin/ansible}"
mkdir -p "$LAB_RUN"
case "${1:-}" in
  up) [ $# -ge 2 ] || lab_die "usage: $0 up single|ha|roles [--os debian12|debian13] [--workers N] [--vrrp unicast|multicast] [--connection ssh|docker]"; shift; up "$@" ;;
  down) down "${2:-all}" ;;
  status) status ;;
  *) lab_die "usage: $0 up single|ha|roles [options] | down [single|ha|roles|all] | status" ;;
esac
