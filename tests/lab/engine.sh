#!/usr/bin/env bash
# Make sure the host has the lab's tools and a running Docker engine.
# The build host has no systemd, so dockerd is started in the background here.
set -euo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_require_root

LAB_HOST_PACKAGES=(docker.io debootstrap skopeo docker-registry dpkg-dev apt-utils gnupg iptables jq curl openssh-client sshpass)
missing=()
for p in "${LAB_HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  lab_log "installing host packages: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
  lab_log "host packages present: ${LAB_HOST_PACKAGES[*]}"
fi

# Every node's systemd, kubelet and runtime take inotify instances from the host's root user, whose
# default limit (128) a second cluster or the bench's 10-worker cluster exhausts: kubelets then die
# with "inotify_init: too many open files".
LAB_INOTIFY_INSTANCES=1024
if [ "$(sysctl -n fs.inotify.max_user_instances)" -lt "$LAB_INOTIFY_INSTANCES" ]; then
  lab_log "raising fs.inotify.max_user_instances to $LAB_INOTIFY_INSTANCES (lab nodes share the host's limit)"
  sysctl -q -w fs.inotify.max_user_instances="$LAB_INOTIFY_INSTANCES" ||
    lab_log "could not raise it: run one lab cluster at a time, and make bench's scale step may fail"
fi

mkdir -p "$LAB_RUN"
if docker info >/dev/null 2>&1; then
  lab_log "docker engine is running ($(docker version -f '{{.Server.Version}}'))"
  exit 0
fi
if lab_pid_alive "$LAB_RUN/dockerd.pid"; then
  lab_log "dockerd started earlier by the lab (pid $(cat "$LAB_RUN/dockerd.pid")) is still starting"
else
  lab_log "starting dockerd in the background (log: $LAB_RUN/dockerd.log)"
  nohup dockerd >>"$LAB_RUN/dockerd.log" 2>&1 </dev/null &
  echo $! >"$LAB_RUN/dockerd.pid"
fi
if ! lab_wait 60 "dockerd to answer 'docker info'" docker info; then
  tail -n 30 "$LAB_RUN/dockerd.log" >&2
  lab_die "dockerd did not come up; see $LAB_RUN/dockerd.log"
fi
lab_log "docker engine is running ($(docker version -f '{{.Server.Version}}'))"
