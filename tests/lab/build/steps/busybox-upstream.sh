# shellcheck shell=bash
# Busybox built from its unpatched upstream source, for the conformance test
# images (upstream's busybox image is upstream busybox). Debian's busybox
# differs where those tests look: its ash drops environment variables whose
# names are not shell identifiers (data-1), which upstream's ash keeps and the
# ConfigMap/Secret environment tests print with `sh -c env`. The source is
# the Debian archive's copy of the release tarball (DEBIAN_MIRROR: the one
# address the lab fetches Debian from), checked against BUSYBOX_UPSTREAM_SHA256.

build_busybox_upstream() {
  local tmp="$WORK/busybox-upstream" out="$BUSYBOX_UPSTREAM_DIR"
  local tarball="busybox_${BUSYBOX_UPSTREAM_VERSION}.orig.tar.bz2"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cd "$tmp" || die "cannot enter $tmp"
  run curl -fsSL --retry 3 -o "$tarball" "$DEBIAN_MIRROR/pool/main/b/busybox/$tarball"
  echo "$BUSYBOX_UPSTREAM_SHA256  $tarball" | sha256sum --check --quiet - ||
    die "$tarball from $DEBIAN_MIRROR does not match BUSYBOX_UPSTREAM_SHA256"
  tar -xjf "$tarball"
  cd "busybox-$BUSYBOX_UPSTREAM_VERSION" || die "the tarball holds no busybox-$BUSYBOX_UPSTREAM_VERSION"
  run make defconfig
  # Static, as the image has no libc.
  sed -i 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' .config
  grep -qx 'CONFIG_STATIC=y' .config || die "busybox defconfig has no CONFIG_STATIC line to turn on"
  run make -j"$GO_PARALLEL" busybox
  output_has "^nslookup$" ./busybox --list || die "busybox $BUSYBOX_UPSTREAM_VERSION lacks the nslookup applet"
  # What the step exists for, checked here rather than in a 40-minute test run.
  output_has "^data-1=value-1$" env 'data-1=value-1' ./busybox sh -c env ||
    die "busybox $BUSYBOX_UPSTREAM_VERSION's sh drops the variable data-1, as Debian's does"
  mkdir -p "$out.tmp"
  install -m 0755 busybox "$out.tmp/busybox"
  publish_dir "$out.tmp" "$out"
  cd / && rm -rf "$tmp"
}
