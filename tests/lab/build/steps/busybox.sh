# shellcheck shell=bash
# Debian's busybox-static for the test image (fetched with apt, so it comes
# from the configured Debian mirror).

build_busybox() {
  local tmp="$WORK/busybox" out="$BUSYBOX_DIR"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cd "$tmp" || die "cannot enter $tmp"
  if ! run apt-get download "busybox-static=$BUSYBOX_DEB_VERSION"; then
    run apt-get update
    run apt-get download "busybox-static=$BUSYBOX_DEB_VERSION"
  fi
  dpkg-deb -x busybox-static_*.deb root
  output_has "^nslookup$" "$tmp/root/bin/busybox" --list || die "busybox-static lacks the nslookup applet"
  mkdir -p "$out.tmp"
  install -m 0755 root/bin/busybox "$out.tmp/busybox"
  cp busybox-static_*.deb "$out.tmp/"
  publish_dir "$out.tmp" "$out"
  rm -rf "$tmp"
}
