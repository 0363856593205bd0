# shellcheck shell=bash
# shellcheck disable=SC2034 # settings for the scripts that source this file
# Shared settings and helpers for the lab scripts (sourced, not executed).
# Everything the lab creates lives under $LAB_STATE so `lab-down` can find it again.

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_REPO_ROOT="$(cd "$LAB_DIR/../.." && pwd)"

# Interface with tests/lab/build/: artifacts built from Go modules.
DUOSHOU_LAB_CACHE="${DUOSHOU_LAB_CACHE:-/var/cache/duoshou-lab}"
# shellcheck source=pins.sh
. "$LAB_DIR/pins.sh"
# The minor of the pinned release, the one site.yml installs (the mirrors serve every built minor:
# lab_release_dirs in pins.sh).
LAB_KUBE_MINOR="${LAB_KUBE_MINOR:-$(lab_pin kubernetes | cut -d. -f1,2)}"
LAB_CALICO_VERSION="${LAB_CALICO_VERSION:-$(lab_pin calico)}"
LAB_ARTIFACT_CRI_DOCKERD="$DUOSHOU_LAB_CACHE/debs/cri-dockerd"
LAB_ARTIFACT_CALICO="$DUOSHOU_LAB_CACHE/calico/v$LAB_CALICO_VERSION/calico.yaml"

# What the lab scripts themselves own.
LAB_STATE="$DUOSHOU_LAB_CACHE/lab"
LAB_RUN="$LAB_STATE/run"            # pid files and logs of host-side services
LAB_WWW="$LAB_STATE/www"            # document root of the HTTP mirror
LAB_GNUPGHOME="$LAB_STATE/gnupg"    # the lab signing key (generated once)
LAB_KEY_ASC="$LAB_STATE/duoshou-lab.asc"
LAB_KEY_GPG="$LAB_STATE/duoshou-lab.gpg"
LAB_REGISTRY_DIR="$LAB_STATE/registry"
# How Ansible reaches the nodes: SSH as a sudo user (as on users' machines), or `docker exec` as root.
LAB_CONNECTION="${DUOSHOU_LAB_CONNECTION:-ssh}"
LAB_SSH_USER=duoshou               # the nodes' non-root user, passwordless sudo (node-image.sh)
LAB_SSH_DIR="$LAB_STATE/ssh"       # 0700: the controller's key pair, known_hosts, ControlMaster sockets
LAB_SSH_KEY="$LAB_SSH_DIR/id_ed25519"
# The host keys nodes.sh up recorded for a topology's nodes (ssh-keyscan, checked against the node's files).
lab_known_hosts() { echo "$LAB_SSH_DIR/known_hosts-$1"; }

# lab_kube_repo MINOR: the served apt repository of a Kubernetes minor (v1.35, or any version of it),
# laid out like pkgs.k8s.io's (the roles append /<minor>/deb/ to kube_packages_repository_base_url).
lab_kube_repo() { echo "$LAB_WWW/kubernetes/core:/stable:/$(lab_minor "$1")/deb"; }

LAB_NETWORK="${LAB_NETWORK:-duoshou-lab}"
LAB_SUBNET="192.168.77.0/24"
LAB_GATEWAY="192.168.77.1"
LAB_HTTP_PORT=8080
LAB_REGISTRY_PORT=5000
LAB_HTTP_URL="http://$LAB_GATEWAY:$LAB_HTTP_PORT"
LAB_REGISTRY="$LAB_GATEWAY:$LAB_REGISTRY_PORT"
LAB_DEBIAN_URL="${LAB_DEBIAN_URL:-http://deb.debian.org/debian}"

LAB_T0=${LAB_T0:-$(date +%s)}

lab_log() { printf '\033[1m[lab %s +%ss]\033[0m %s\n' "$(date -u +%H:%M:%S)" "$(($(date +%s) - LAB_T0))" "$*" >&2; }
lab_die() { printf '\033[31m[lab] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

lab_require_root() {
  [ "$(id -u)" -eq 0 ] || lab_die "the lab needs root (debootstrap, docker, binding $LAB_GATEWAY); run with sudo"
}

# lab_wait SECONDS "what we wait for" command...: poll until the command succeeds.
lab_wait() {
  local timeout=$1 what=$2 start
  shift 2
  start=$(date +%s)
  lab_log "waiting up to ${timeout}s for $what"
  until "$@" >/dev/null 2>&1; do
    if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
      lab_log "gave up after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 2
  done
  lab_log "ready after $(($(date +%s) - start))s: $what"
}

# lab_ansible_env VENV: the environment ansible-playbook runs the lab's playbooks in: this
# checkout as the collection duoshou.kubeadm (ahead of any installed copy), per-task timings.
lab_ansible_env() {
  local venv=$1 collections="$LAB_STATE/collections"
  mkdir -p "$collections/ansible_collections/duoshou"
  ln -sfn "$LAB_REPO_ROOT" "$collections/ansible_collections/duoshou/kubeadm"
  export ANSIBLE_COLLECTIONS_PATH
  ANSIBLE_COLLECTIONS_PATH="$collections:$(echo "$venv"/lib/python3*/site-packages)"
  export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
  export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-1}
  export DUOSHOU_LAB_CACHE
  export PATH="$venv/bin:$PATH"
}

# Debian release name for a lab --os value.
lab_release_of() {
  case "$1" in
    debian12 | bookworm) echo bookworm ;;
    debian13 | trixie) echo trixie ;;
    *) lab_die "unknown --os '$1': use debian12 or debian13" ;;
  esac
}

lab_node_image() { echo "duoshou-lab/node:$1"; }

# The internal network the nodes live on; the host owns its gateway address.
lab_network_up() {
  if ! docker network inspect "$LAB_NETWORK" >/dev/null 2>&1; then
    lab_log "creating internal network $LAB_NETWORK ($LAB_SUBNET, gateway $LAB_GATEWAY)"
    docker network create --internal --subnet "$LAB_SUBNET" --gateway "$LAB_GATEWAY" \
      --label duoshou-lab=1 "$LAB_NETWORK" >/dev/null
  fi
  local subnet
  subnet=$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$LAB_NETWORK")
  [ "$subnet" = "$LAB_SUBNET" ] || lab_die "network $LAB_NETWORK exists with subnet $subnet, expected $LAB_SUBNET: remove it (make lab-down)"
  lab_wait 20 "gateway address $LAB_GATEWAY on the host" ip -4 -o addr show to "$LAB_GATEWAY"
}

lab_pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stop a service the lab started, by the pid it recorded (never by name).
lab_stop_pidfile() {
  local pidfile=$1 name=$2 pid
  if lab_pid_alive "$pidfile"; then
    pid=$(cat "$pidfile")
    lab_log "stopping $name (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
}

# The lab's signing key for its apt repositories: generated once, then reused,
# so node images and served repositories stay valid across runs.
lab_ensure_key() {
  if [ -s "$LAB_KEY_ASC" ] && [ -s "$LAB_KEY_GPG" ]; then
    return 0
  fi
  lab_log "generating the lab apt signing key in $LAB_GNUPGHOME"
  mkdir -p "$LAB_GNUPGHOME"
  chmod 700 "$LAB_GNUPGHOME"
  GNUPGHOME="$LAB_GNUPGHOME" gpg --batch --quiet --passphrase '' \
    --quick-gen-key 'duoshou lab mirror <lab@duoshou.local>' rsa3072 sign never
  GNUPGHOME="$LAB_GNUPGHOME" gpg --batch --armor --export lab@duoshou.local >"$LAB_KEY_ASC.tmp"
  GNUPGHOME="$LAB_GNUPGHOME" gpg --batch --export lab@duoshou.local >"$LAB_KEY_GPG.tmp"
  mv "$LAB_KEY_ASC.tmp" "$LAB_KEY_ASC"
  mv "$LAB_KEY_GPG.tmp" "$LAB_KEY_GPG"
}

# The controller's SSH key pair for the nodes: generated once, then reused. nodes.sh up puts the
# public key into each node's authorized_keys; the image stays generic.
lab_ensure_ssh_key() {
  mkdir -p "$LAB_SSH_DIR"
  chmod 0700 "$LAB_SSH_DIR"
  if [ ! -s "$LAB_SSH_KEY" ] || [ ! -s "$LAB_SSH_KEY.pub" ]; then
    lab_log "generating the lab's SSH key pair $LAB_SSH_KEY"
    rm -f "$LAB_SSH_KEY" "$LAB_SSH_KEY.pub"
    ssh-keygen -q -t ed25519 -N '' -C "duoshou-lab controller" -f "$LAB_SSH_KEY"
  fi
  chmod 0600 "$LAB_SSH_KEY"
}

# Sign an apt Release file the way apt expects (InRelease + detached Release.gpg).
lab_sign_release() {
  local dir=$1
  rm -f "$dir/InRelease" "$dir/Release.gpg"
  GNUPGHOME="$LAB_GNUPGHOME" gpg --batch --yes --quiet --digest-algo SHA512 \
    --local-user lab@duoshou.local --clearsign -o "$dir/InRelease" "$dir/Release"
  GNUPGHOME="$LAB_GNUPGHOME" gpg --batch --yes --quiet --digest-algo SHA512 \
    --local-user lab@duoshou.local --armor --detach-sign -o "$dir/Release.gpg" "$dir/Release"
}
