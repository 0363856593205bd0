#!/usr/bin/env bash
# Runs ON a lab node as root (copied by tests/bench/run.sh to /root/bench/node.sh, run with sudo over ssh, or docker exec).
# The raw kubeadm procedure our users follow by hand, step for step, with no Ansible: what an operator
# types. The configuration files are the ones site.yml wrote on the same node in the same bench
# run (captured under /etc), so both procedures reach the same end state and the difference is
# the tool, not the settings.
#   capture-start              on a fresh node: note the time and the installed packages
#   capture BUNDLE PACKAGES    after site.yml: tar what it wrote under /etc, list what it installed
#   prepare BUNDLE PACKAGES CRI_DOCKERD_URL SERVICES...   the "every node" steps
#   init CONFIG MANIFEST       the first control plane: kubeadm init, kubeconfig, Calico
#   join-command               prints a worker join command (a fresh token)
#   join CRI_SOCKET            reads the join command on stdin, runs it with the CRI socket
#   ready NODES                exit 0 when NODES nodes are Ready and CoreDNS answers a lookup
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
BENCH_DIR=/root/bench
mkdir -p "$BENCH_DIR"
chmod 0700 "$BENCH_DIR"

# Written by kubeadm, kubelet, Calico or Docker rather than by the operator, or bind-mounted
# by the container engine (hosts, hostname, resolv.conf: replaced in place instead).
CAPTURE_EXCLUDES=(
  ./etc/kubernetes/pki ./etc/kubernetes/manifests ./etc/kubernetes/tmp ./etc/kubernetes/admin.conf
  ./etc/kubernetes/super-admin.conf ./etc/kubernetes/controller-manager.conf
  ./etc/kubernetes/scheduler.conf ./etc/kubernetes/kubelet.conf ./etc/kubernetes/bootstrap-kubelet.conf
  ./etc/kubernetes/kubeadm/join-config.yaml ./etc/cni ./etc/calico ./etc/hosts ./etc/hostname
  ./etc/resolv.conf ./etc/mtab ./etc/ld.so.cache
)

installed_packages() { dpkg-query -W -f '${binary:Package}=${Version}\n' | sort; }

capture_start() {
  touch "$BENCH_DIR/t0"
  installed_packages >"$BENCH_DIR/packages-before"
}

capture() {
  local bundle=$1 packages=$2 list x excludes=()
  for x in "${CAPTURE_EXCLUDES[@]}"; do excludes+=(! -path "$x" ! -path "$x/*"); done
  list=$(cd / && find ./etc -newer "$BENCH_DIR/t0" \( -type f -o -type l \) "${excludes[@]}" | sort)
  (cd / && echo "$list" | tar -c -f "$bundle" --no-recursion -T -)
  grep -v '^127\.\|^::1\|^fe00\|^ff0' /etc/hosts >"$BENCH_DIR/hosts" || true
  tar -r -f "$bundle" -C "$BENCH_DIR" hosts
  chmod 0600 "$bundle"
  comm -13 "$BENCH_DIR/packages-before" <(installed_packages) >"$packages"
}

download() { # download URL FILE: the node has python3 (Ansible needs it), not curl or wget
  python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$1" "$2"
}

prepare() {
  local bundle=$1 packages=$2 cri_dockerd_url=$3 apt_packages local_debs=()
  shift 3
  tar -x -f "$bundle" -C / --exclude=hosts
  tar -x -O -f "$bundle" hosts >>/etc/hosts
  swapoff -a
  sysctl --system >/dev/null
  apt_packages=$(grep -v '^cri-dockerd=' "$packages" | tr '\n' ' ')
  if grep -q '^cri-dockerd=' "$packages"; then
    download "$cri_dockerd_url" "$BENCH_DIR/cri-dockerd.deb"
    local_debs=("$BENCH_DIR/cri-dockerd.deb")
  fi
  apt-get update -qq
  # shellcheck disable=SC2086 # one package=version per word
  apt-get install -y -qq -o Dpkg::Options::=--force-confold $apt_packages "${local_debs[@]}" >/dev/null
  systemctl daemon-reload
  systemctl enable --now "$@"
}

init() {
  local config=$1 manifest=$2
  kubeadm init --config "$config" >"$BENCH_DIR/init.log"
  install -d -m 0700 /root/.kube
  install -m 0600 /etc/kubernetes/admin.conf /root/.kube/config
  kubectl apply --server-side -f "$manifest" >/dev/null
}

join_command() { kubeadm token create --print-join-command --ttl 15m; }

join() {
  local command
  read -r command
  # shellcheck disable=SC2086 # the printed join command, word for word
  $command --cri-socket "$1" >"$BENCH_DIR/join.log"
}

# One DNS query (A kubernetes.default.svc.cluster.local) to the kube-dns Service: the answer
# has rcode 0 and at least one record.
dns_answers() {
  python3 - "$1" <<'PY'
import socket, struct, sys
name = b"".join(bytes([len(p)]) + p for p in b"kubernetes.default.svc.cluster.local".split(b".")) + b"\0"
query = struct.pack(">HHHHHH", 0x6b73, 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(query, (sys.argv[1], 53))
reply = s.recv(512)
flags, answers = struct.unpack(">H", reply[2:4])[0], struct.unpack(">H", reply[6:8])[0]
sys.exit(0 if flags & 0xF == 0 and answers > 0 else 1)
PY
}

ready() {
  local want=$1 ready dns_ip
  export KUBECONFIG=/etc/kubernetes/admin.conf
  ready=$(kubectl get nodes --no-headers | awk '$2 == "Ready"' | wc -l)
  [ "$ready" -eq "$want" ] || return 1
  dns_ip=$(kubectl get service kube-dns -n kube-system -o jsonpath='{.spec.clusterIP}')
  dns_answers "$dns_ip"
}

command=$1
shift
case "$command" in
  capture-start) capture_start ;;
  capture) capture "$@" ;;
  prepare) prepare "$@" ;;
  init) init "$@" ;;
  join-command) join_command ;;
  join) join "$@" ;;
  ready) ready "$@" ;;
  *) echo "node.sh: unknown command '$command'" >&2; exit 2 ;;
esac
