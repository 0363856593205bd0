# shellcheck shell=bash
# Debian packages laid out like the ones from pkgs.k8s.io (names, versions
# "<upstream>-1.1", paths, systemd units, dependencies) and like upstream's
# cri-dockerd packages, so roles install them exactly as users do.

DEB_MAINTAINER="duoshou lab build <lab@duoshou.local>"

# deb_control DIR PACKAGE VERSION DEPENDS RECOMMENDS DESCRIPTION
deb_control() {
  local root="$1" pkg="$2" ver="$3" deps="$4" recs="$5" desc="$6" size
  mkdir -p "$root/DEBIAN"
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  {
    echo "Package: $pkg"
    echo "Version: $ver"
    echo "Architecture: amd64"
    echo "Maintainer: $DEB_MAINTAINER"
    echo "Installed-Size: $size"
    [ -z "$deps" ] || echo "Depends: $deps"
    [ -z "$recs" ] || echo "Recommends: $recs"
    echo "Section: admin"
    echo "Priority: optional"
    echo "Homepage: https://kubernetes.io"
    echo "Description: $desc"
    echo " Built from upstream Go modules for the duoshou.kubeadm test lab."
  } >"$root/DEBIAN/control"
}

# Maintainer scripts in the shape dh_installsystemd generates: enable the
# units, and start/stop them only when systemd is running (not in chroots).
deb_systemd_scripts() {
  local root="$1" start="$2"
  shift 2
  local units="$*"
  cat >"$root/DEBIAN/postinst" <<SH
#!/bin/sh
set -e
if [ "\$1" = configure ] || [ "\$1" = abort-upgrade ]; then
  for unit in $units; do
    deb-systemd-helper unmask "\$unit" >/dev/null || true
    if deb-systemd-helper --quiet was-enabled "\$unit"; then
      deb-systemd-helper enable "\$unit" >/dev/null || true
    else
      deb-systemd-helper update-state "\$unit" >/dev/null || true
      deb-systemd-helper enable "\$unit" >/dev/null || true
    fi
  done
  if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
    # A unit that cannot start yet (no kubeadm config, no docker) must not
    # fail the installation.
    for unit in $start; do deb-systemd-invoke restart "\$unit" >/dev/null || true; done
  fi
fi
SH
  cat >"$root/DEBIAN/prerm" <<SH
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "\$1" = remove ]; then
  for unit in $units; do deb-systemd-invoke stop "\$unit" >/dev/null || true; done
fi
SH
  cat >"$root/DEBIAN/postrm" <<SH
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
if [ "\$1" = remove ]; then
  for unit in $units; do deb-systemd-helper mask "\$unit" >/dev/null || true; done
fi
if [ "\$1" = purge ]; then
  for unit in $units; do
    deb-systemd-helper purge "\$unit" >/dev/null || true
    deb-systemd-helper unmask "\$unit" >/dev/null || true
  done
fi
SH
  chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
}

# The publication time of Go module MOD@VER, in seconds: the timestamp of the
# packages built from it (SOURCE_DATE_EPOCH, which dpkg-deb clamps file times
# to), so equal inputs give byte-identical packages.
module_epoch() {
  date -d "$(go list -m -json "$1@$2" | jq -er .Time)" +%s
}

deb_build() {
  local root="$1" outdir="$2" file
  file="$outdir/$(awk '/^Package:/{p=$2} /^Version:/{v=$2} END{print p "_" v "_amd64.deb"}' "$root/DEBIAN/control")"
  run dpkg-deb --build --root-owner-group -Zgzip "$root" "$file"
  run dpkg-deb -I "$file"
  log "  deb $(basename "$file") ($(du -h "$file" | cut -f1))"
  rm -rf "$root"
}

# This release's packages go to DEBS_DIR (its minor's directory), cri-dockerd's
# to CRI_DOCKERD_DEBS_DIR; each is replaced on its own, so the packages of the
# other releases stay.
build_debs() {
  local k8s="${K8S_VERSION#v}" rev="$DEB_REVISION" stage="$WORK/deb-stage" r
  local out="$WORK/debs-release" cd_out="$WORK/debs-cri-dockerd"
  local crictl="${CRICTL_VERSION#v}" cni="${CNI_PLUGINS_VERSION#v}"
  rm -rf "$out" "$cd_out" "$stage"
  mkdir -p "$out" "$cd_out" "$stage"
  SOURCE_DATE_EPOCH=$(module_epoch k8s.io/kubernetes "$K8S_VERSION")
  export SOURCE_DATE_EPOCH

  r="$stage/kubectl"
  install -D -m 0755 "$K8S_BIN/kubectl" "$r/usr/bin/kubectl"
  deb_control "$r" kubectl "$k8s-$rev" "" "" "Command-line utility for interacting with a Kubernetes cluster"
  deb_build "$r" "$out"

  r="$stage/cri-tools"
  install -D -m 0755 "$CRICTL_BIN/crictl" "$r/usr/bin/crictl"
  deb_control "$r" cri-tools "$crictl-$rev" "" "" "Command-line utility for interacting with a container runtime"
  deb_build "$r" "$out"

  r="$stage/kubernetes-cni"
  mkdir -p "$r/opt/cni/bin"
  install -m 0755 "$CNI_BIN"/* "$r/opt/cni/bin/"
  deb_control "$r" kubernetes-cni "$cni-$rev" "" "" "Binaries required to provision kubernetes container networking"
  deb_build "$r" "$out"

  # kubelet: the tools it (and kubeadm's preflight) calls on the host. The
  # optional ones are Recommends so a minimal mirror still installs.
  r="$stage/kubelet"
  install -D -m 0755 "$K8S_BIN/kubelet" "$r/usr/bin/kubelet"
  install -D -m 0644 "$HERE/files/kubelet/kubelet.service" "$r/usr/lib/systemd/system/kubelet.service"
  mkdir -p "$r/etc/kubernetes/manifests"
  deb_control "$r" kubelet "$k8s-$rev" "iptables (>= 1.4.21), iproute2, mount, util-linux, kubernetes-cni (>= 1.2.0)" \
    "conntrack, ebtables, ethtool, socat" "Node agent for Kubernetes clusters"
  deb_systemd_scripts "$r" kubelet.service kubelet.service
  deb_build "$r" "$out"

  # kubeadm ships the kubelet drop-in, as the pkgs.k8s.io package does.
  r="$stage/kubeadm"
  install -D -m 0755 "$K8S_BIN/kubeadm" "$r/usr/bin/kubeadm"
  install -D -m 0644 "$HERE/files/kubelet/10-kubeadm.conf" "$r/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
  # No dependencies, as pkgs.k8s.io's kubeadm from 1.32 on (kubernetes/release,
  # cmd/krel/templates/latest/metadata.yaml): an upgrade installs the new kubeadm
  # while the node keeps its old kubelet until it is drained.
  deb_control "$r" kubeadm "$k8s-$rev" "" "" \
    "Command-line utility for administering a Kubernetes cluster"
  cat >"$r/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
# Pick up the new kubelet drop-in.
if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
SH
  chmod 0755 "$r/DEBIAN/postinst"
  deb_build "$r" "$out"

  # cri-dockerd, named like upstream's release packages.
  local cd_ver="${CRI_DOCKERD_VERSION#v}.3-0.debian-$DEBIAN_SUITE"
  SOURCE_DATE_EPOCH=$(module_epoch github.com/Mirantis/cri-dockerd "$CRI_DOCKERD_VERSION")
  r="$stage/cri-dockerd"
  install -D -m 0755 "$CRI_DOCKERD_DIR/bin/cri-dockerd" "$r/usr/bin/cri-dockerd"
  install -D -m 0644 "$CRI_DOCKERD_DIR/systemd/cri-docker.service" "$r/usr/lib/systemd/system/cri-docker.service"
  install -D -m 0644 "$CRI_DOCKERD_DIR/systemd/cri-docker.socket" "$r/usr/lib/systemd/system/cri-docker.socket"
  deb_control "$r" cri-dockerd "$cd_ver" \
    "containerd (>= 1.2.2-3) | containerd.io (>= 1.2.2-3) | moby-containerd (>= 1.2.2), iptables" "" \
    "CRI implementation that lets the kubelet use Docker Engine"
  sed -i 's#^Homepage: .*#Homepage: https://github.com/Mirantis/cri-dockerd#' "$r/DEBIAN/control"
  deb_systemd_scripts "$r" "cri-docker.socket cri-docker.service" cri-docker.socket cri-docker.service
  deb_build "$r" "$cd_out"

  rm -rf "$stage"
  publish_dir "$out" "$DEBS_DIR"
  publish_dir "$cd_out" "$CRI_DOCKERD_DEBS_DIR"
}
