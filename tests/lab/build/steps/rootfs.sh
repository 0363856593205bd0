# shellcheck shell=bash
# Debian userland for the images that shell out to netfilter and routing tools
# (kube-proxy, calico-node). One minbase rootfs serves both; it is cached as a
# tarball and unpacked per image.

ROOTFS_PACKAGES="iptables,nftables,ipset,conntrack,iproute2,kmod,procps,net-tools,iputils-ping,runit,debianutils,ca-certificates"

build_rootfs() {
  local out="$ROOTFS_TAR" tmp="$WORK/rootfs-$DEBIAN_SUITE"
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  rm -rf "$tmp"
  run debootstrap --variant=minbase --include="$ROOTFS_PACKAGES" "$DEBIAN_SUITE" "$tmp" "$DEBIAN_MIRROR"
  # Keep licences, drop what only helps interactive use, and the apt state
  # that would go stale anyway.
  run chroot "$tmp" apt-get clean
  rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/* "$tmp"/var/log/* \
    "$tmp"/usr/share/man/* "$tmp"/usr/share/info/* "$tmp"/usr/share/locale/* \
    "$tmp"/usr/share/doc-base "$tmp"/tmp/*
  find "$tmp/usr/share/doc" -type f ! -name copyright -delete
  # The runtime provides these; device nodes in layers break unprivileged unpacking.
  rm -rf "${tmp:?}"/dev/* "${tmp:?}"/proc/* "${tmp:?}"/sys/* "${tmp:?}"/run/*
  : >"$tmp/etc/resolv.conf"
  echo "$DEBIAN_SUITE minbase + ${ROOTFS_PACKAGES//,/ }" >"$tmp/etc/duoshou-rootfs"
  mkdir -p "$(dirname "$out")"
  tar -C "$tmp" --numeric-owner --sort=name -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  rm -rf "$tmp"
}
