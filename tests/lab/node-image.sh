#!/usr/bin/env bash
# Build the lab's systemd node images (Debian 12 and 13) with debootstrap + docker import.
#   tests/lab/node-image.sh [debian12|debian13|all]   (default: all)
# Cached twice: the debootstrap tarball by its package recipe, the docker image by a
# hash of everything that shapes it (label duoshou.lab.recipe); an unchanged recipe is skipped.
set -euo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_require_root

# What a minimal server install has (openssh-server: Ansible connects as users' controllers do; sudo: it
# becomes root with it); nothing of Kubernetes or a container runtime: the collection installs those from the mirrors.
LAB_NODE_INCLUDE=systemd,systemd-sysv,dbus,iproute2,iputils-ping,procps,kmod,python3,ca-certificates,sudo,less,openssh-server

# Units that cannot work in a container: no consoles to run gettys on, no udev devices.
LAB_NODE_MASK=(getty.target console-getty.service serial-getty@.service getty@.service
  systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service
  systemd-udevd-control.socket systemd-udevd-kernel.socket)

# The Docker-managed /etc/hosts, /etc/hostname and /etc/resolv.conf are bind mounts; tools
# that replace files atomically (Ansible, hostnamectl) get EBUSY on them. Turn them into
# plain files with the same content before systemd starts, as on a real host. Docker's
# resolver 127.0.0.11 is replaced by the lab host: a loopback name server in a pod's
# resolv.conf makes CoreDNS forward to itself ("plugin/loop: Loop ... detected").
#
# With --cgroupns=host, /sys/fs/cgroup shows the host's whole tree while the node's processes
# live in /docker/<id>. systemd creates its units (kubepods.slice) below /docker/<id>, but the
# kubelet looks for them at the hierarchy root, and fails with "cgroup [kubepods] has some
# missing paths: /sys/fs/cgroup/systemd/kubepods.slice". So each hierarchy is re-rooted at the
# node's own cgroup, and the same subtree is also bound at /docker/<id> inside it, so that both
# ways of naming a cgroup reach the same directory.
#
# systemd makes / a shared mount on hosts but not in containers; Bidirectional volume
# propagation (calico-node's /sys/fs) refuses a private mount: "path /sys/fs is mounted on
# /sys but it is not a shared mount".
#
# The image carries no SSH host keys: each node makes its own at first boot (ssh-keygen -A only
# creates the missing ones, so a restarted node keeps its keys).
lab_init_script() {
  cat <<'INIT'
#!/bin/sh
for f in /etc/hosts /etc/hostname /etc/resolv.conf; do
  if grep -q " $f " /proc/self/mountinfo; then
    content=$(cat "$f")
    umount "$f" && printf '%s\n' "$content" >"$f"
  fi
done
printf '%s\n' "# duoshou lab: the site's name server is the lab host (it answers nothing)." \
  "nameserver @GATEWAY@" >/etc/resolv.conf
while IFS=: read -r _ controllers path; do
  [ "$path" = / ] && continue
  case "$controllers" in
    "") if [ -d /sys/fs/cgroup/unified ]; then dir=/sys/fs/cgroup/unified; else dir=/sys/fs/cgroup; fi ;;
    name=systemd) dir=/sys/fs/cgroup/systemd ;;
    *) dir=/sys/fs/cgroup/$controllers ;;
  esac
  [ -d "$dir$path" ] || continue
  mount --bind "$dir$path" "$dir"
  mkdir -p "$dir$path"
  mount --bind "$dir" "$dir$path"
done </proc/self/cgroup
mount --make-rshared /
ssh-keygen -A >/dev/null
exec /sbin/init "$@"
INIT
}

customize_rootfs() {
  local root=$1 release=$2
  rm -f "$root/etc/apt/sources.list"
  mkdir -p "$root/etc/apt/keyrings" "$root/etc/apt/sources.list.d"
  install -m 0644 "$LAB_KEY_ASC" "$root/etc/apt/keyrings/duoshou-lab-mirror.asc"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<SRC
# duoshou lab: the Debian mirror served by the lab host (nodes have no route out).
Types: deb
URIs: $LAB_HTTP_URL/debian
Suites: $release
Components: main
Signed-By: /etc/apt/keyrings/duoshou-lab-mirror.asc
SRC
  # Each container must get its own machine-id at first boot (kubelet reports it).
  : >"$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
  : >"$root/etc/hostname"
  lab_init_script | sed "s/@GATEWAY@/$LAB_GATEWAY/" >"$root/usr/local/sbin/duoshou-lab-init"
  # Docker runtime shim for this host's missing CAP_SYS_RESOURCE; the lab inventory makes it
  # Docker's default runtime (docker_cri_daemon_extra_options). Unused with containerd.
  install -m 0755 "$LAB_DIR/files/duoshou-lab-runc" "$root/usr/local/sbin/duoshou-lab-runc"
  chmod 0755 "$root/usr/local/sbin/duoshou-lab-init"
  # SSH: no host keys in the image (duoshou-lab-init makes each node's own); key logins only; the
  # non-root user Ansible connects as, with passwordless sudo. nodes.sh up installs the
  # controller's public key (the image does not depend on it). Password '*': no password login,
  # but not a locked account (sshd refuses key logins to those when PAM is off).
  rm -f "$root"/etc/ssh/ssh_host_*
  printf '%s\n' "# duoshou lab: keys only" "PasswordAuthentication no" "KbdInteractiveAuthentication no" \
    "PermitRootLogin no" >"$root/etc/ssh/sshd_config.d/duoshou-lab.conf"
  chroot "$root" useradd --create-home --shell /bin/bash --password '*' "$LAB_SSH_USER"
  printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$LAB_SSH_USER" >"$root/etc/sudoers.d/duoshou-lab"
  chmod 0440 "$root/etc/sudoers.d/duoshou-lab"
  systemctl --root="$root" enable ssh.service >/dev/null 2>&1
  systemctl --root="$root" mask "${LAB_NODE_MASK[@]}" >/dev/null 2>&1
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
}

build_one() {
  local os=$1 release rootfs_hash rootfs_tar recipe image t0 tmp
  release=$(lab_release_of "$os")
  image=$(lab_node_image "$os")
  rootfs_hash=$(printf '%s\n' "$release" minbase "$LAB_NODE_INCLUDE" "$LAB_DEBIAN_URL" | sha256sum | cut -c1-16)
  rootfs_tar="$LAB_STATE/rootfs/$release-$rootfs_hash.tar"
  mkdir -p "$LAB_STATE/rootfs"

  if [ ! -s "$rootfs_tar" ]; then
    t0=$(date +%s)
    tmp=$(mktemp -d "$LAB_STATE/rootfs/.debootstrap-$release.XXXX")
    # shellcheck disable=SC2064 # expand now: the trap must remove this very directory
    trap "rm -rf '$tmp'" EXIT
    lab_log "$os: debootstrap $release (minbase + $LAB_NODE_INCLUDE) from $LAB_DEBIAN_URL"
    if ! debootstrap --variant=minbase --include="$LAB_NODE_INCLUDE" "$release" "$tmp" "$LAB_DEBIAN_URL" \
      >"$LAB_STATE/rootfs/debootstrap-$release.log" 2>&1; then
      tail -n 20 "$LAB_STATE/rootfs/debootstrap-$release.log" >&2
      rm -rf "$tmp"
      lab_die "debootstrap $release failed; log: $LAB_STATE/rootfs/debootstrap-$release.log"
    fi
    tar --numeric-owner -C "$tmp" -cf "$rootfs_tar.tmp" .
    mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$tmp"
    trap - EXIT
    lab_log "$os: debootstrap done in $(($(date +%s) - t0))s ($(du -h "$rootfs_tar" | cut -f1) tarball)"
  else
    lab_log "$os: cached debootstrap tarball $rootfs_tar"
  fi
  ln -sfn "$(basename "$rootfs_tar")" "$LAB_STATE/rootfs/$release.tar"
  find "$LAB_STATE/rootfs" -maxdepth 1 -name "$release-*.tar" ! -name "$(basename "$rootfs_tar")" -delete

  recipe=$( {
    echo "$rootfs_hash"
    declare -f customize_rootfs lab_init_script
    printf '%s\n' "${LAB_NODE_MASK[@]}" "$LAB_HTTP_URL" "$LAB_SSH_USER"
    cat "$LAB_KEY_ASC" "$LAB_DIR/files/duoshou-lab-runc"
  } | sha256sum | cut -c1-16)
  if [ "$(docker image inspect -f '{{index .Config.Labels "duoshou.lab.recipe"}}' "$image" 2>/dev/null)" = "$recipe" ]; then
    lab_log "$os: image $image is up to date (recipe $recipe)"
    return 0
  fi
  t0=$(date +%s)
  tmp=$(mktemp -d "$LAB_STATE/rootfs/.image-$release.XXXX")
  # shellcheck disable=SC2064 # expand now: the trap must remove this very directory
  trap "rm -rf '$tmp'" EXIT
  lab_log "$os: building image $image (recipe $recipe)"
  tar --numeric-owner -C "$tmp" -xf "$rootfs_tar"
  customize_rootfs "$tmp" "$release"
  tar --numeric-owner -C "$tmp" -c . | docker import \
    -c 'CMD ["/usr/local/sbin/duoshou-lab-init"]' \
    -c 'ENV container=docker' \
    -c "LABEL duoshou.lab.recipe=$recipe duoshou.lab.os=$os" \
    - "$image" >/dev/null
  rm -rf "$tmp"
  trap - EXIT
  lab_log "$os: image $image built in $(($(date +%s) - t0))s ($(docker image inspect -f '{{.Size}}' "$image" | numfmt --to=iec))"
}

lab_ensure_key
case "${1:-all}" in
  all) build_one debian12; build_one debian13 ;;
  debian12 | debian13) build_one "$1" ;;
  *) lab_die "usage: $0 [debian12|debian13|all]" ;;
esac
