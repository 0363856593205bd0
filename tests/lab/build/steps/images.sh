# shellcheck shell=bash
# Container images as docker-archive tarballs (mkimage.py), named exactly as
# upstream names them, plus images.txt ("<tar file> <reference>" per line), in
# IMAGES_DIR: one directory per minor, holding everything a cluster of that
# release pulls (Calico and the test image too: equal trees give equal
# digests, so the copies in two directories are the same images).

IMG_STAGE="$WORK/image-stage"

# Files every image without a distribution needs: users for USER lines,
# name-service config, CA bundle, a writable /tmp.
base_tree() {
  local root="$1"
  mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$root/root"
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' 'nogroup:x:65534:' >"$root/etc/group"
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
}

debian_tree() {
  local root="$1"
  mkdir -p "$root"
  tar -C "$root" --numeric-owner -xf "$ROOTFS_TAR"
}

# stage NAME -> prints a fresh staging directory
stage() {
  local d="$IMG_STAGE/$1"
  rm -rf "$d"
  mkdir -p "$d"
  echo "$d"
}

# image TARNAME ROOT REF [mkimage options...]; extra refs via ALSO_REFS.
image() {
  local tar="$1" root="$2" ref="$3" r
  shift 3
  local tags=(--tag "$ref")
  for r in ${ALSO_REFS:-}; do tags+=(--tag "$r"); done
  run python3 "$HERE/mkimage.py" --root "$root" --output "$IMG_OUT/$tar" "${tags[@]}" "$@"
  echo "$tar $ref" >>"$IMG_OUT/images.txt"
  for r in ${ALSO_REFS:-}; do echo "$tar $r" >>"$IMG_OUT/images.txt"; done
  rm -rf "$root"
  log "  image $ref ($(du -h "$IMG_OUT/$tar" | cut -f1))"
}

build_images() {
  IMG_OUT="$WORK/images-release"
  rm -rf "$IMG_OUT"
  mkdir -p "$IMG_OUT"
  : >"$IMG_OUT/images.txt"
  local k8s_path="PATH=/usr/local/bin:/usr/bin:/bin" root c

  # Control-plane components: static binaries, kubeadm's manifests call them
  # by name through PATH.
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    root=$(stage "$c")
    base_tree "$root"
    install -D -m 0755 "$K8S_BIN/$c" "$root/usr/local/bin/$c"
    image "$c-$K8S_VERSION.tar" "$root" "registry.k8s.io/$c:$K8S_VERSION" \
      --env "$k8s_path" --entrypoint "[\"/usr/local/bin/$c\"]"
  done

  # kube-proxy programs netfilter through the iptables tools of the image,
  # which must match the backend the host uses (see iptables-wrapper).
  root=$(stage kube-proxy)
  debian_tree "$root"
  install -D -m 0755 "$K8S_BIN/kube-proxy" "$root/usr/local/bin/kube-proxy"
  install -m 0755 "$HERE/files/iptables-wrapper" "$root/usr/sbin/iptables-wrapper"
  for c in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
    ln -sf iptables-wrapper "$root/usr/sbin/$c"
  done
  image "kube-proxy-$K8S_VERSION.tar" "$root" "registry.k8s.io/kube-proxy:$K8S_VERSION" \
    --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --entrypoint '["/usr/local/bin/kube-proxy"]'

  root=$(stage etcd)
  base_tree "$root"
  for c in etcd etcdctl etcdutl; do install -D -m 0755 "$ETCD_BIN/$c" "$root/usr/local/bin/$c"; done
  mkdir -p "$root/var/lib/etcd" "$root/var/etcd"
  image "etcd-$ETCD_TAG.tar" "$root" "registry.k8s.io/etcd:$ETCD_TAG" \
    --env "$k8s_path" --cmd '["/usr/local/bin/etcd"]' --expose 2379/tcp --expose 2380/tcp

  # Runs as root rather than upstream's nonroot: binding :53 as non-root needs
  # a file capability, which would have to travel as an xattr in the layer.
  root=$(stage coredns)
  base_tree "$root"
  install -D -m 0755 "$COREDNS_BIN/coredns" "$root/coredns"
  image "coredns-$COREDNS_VERSION.tar" "$root" "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" \
    --entrypoint '["/coredns"]' --expose 53/tcp --expose 53/udp --expose 9153/tcp

  root=$(stage pause)
  install -D -m 0755 "$PAUSE_BIN/pause" "$root/pause"
  image "pause-$PAUSE_VERSION.tar" "$root" "registry.k8s.io/pause:$PAUSE_VERSION" \
    --entrypoint '["/pause"]' --user 65535:65535

  # calico/node: Debian userland + upstream's node/filesystem tree, the way
  # node/Dockerfile.amd64 lays it out (etc -> /etc, sbin/* -> /usr/sbin).
  local cfs="$CALICO_DIR/node-filesystem" cbin="$CALICO_BIN"
  ALSO_REFS="quay.io/calico/node:$CALICO_VERSION"
  root=$(stage calico-node)
  debian_tree "$root"
  # Debian's runit links /etc/service to its own runsvdir; calico-node keeps
  # its services in a real /etc/service directory.
  rm -f "$root/etc/service"
  cp -a "$cfs/etc/." "$root/etc/"
  install -m 0755 "$cfs"/sbin/* "$root/usr/sbin/"
  # Module zips do not keep execute bits.
  chmod 0755 "$root/etc/rc.local"
  find "$root/etc/service/available" -name run -exec chmod 0755 {} +
  install -m 0755 "$cbin/calico-node" "$root/usr/bin/calico-node"
  mkdir -p "$root/var/lib/calico" "$root/var/run/calico" "$root/var/log/calico"
  image "calico-node-$CALICO_VERSION.tar" "$root" "docker.io/calico/node:$CALICO_VERSION" \
    --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --env "SVDIR=/etc/service/enabled" --cmd '["start_runit"]' \
    --label "org.opencontainers.image.version=$CALICO_VERSION"

  # calico/cni: the install program copies everything in /opt/cni/bin to the
  # host, including the plugins the conflist chains (portmap, bandwidth).
  ALSO_REFS="quay.io/calico/cni:$CALICO_VERSION"
  root=$(stage calico-cni)
  base_tree "$root"
  mkdir -p "$root/opt/cni/bin"
  for c in install calico; do install -m 0755 "$cbin/$c" "$root/opt/cni/bin/$c"; done
  # Same binary in both roles; a hard link is stored once in the layer.
  ln "$root/opt/cni/bin/calico" "$root/opt/cni/bin/calico-ipam"
  for c in portmap bandwidth host-local loopback; do install -m 0755 "$CNI_BIN/$c" "$root/opt/cni/bin/$c"; done
  image "calico-cni-$CALICO_VERSION.tar" "$root" "docker.io/calico/cni:$CALICO_VERSION" \
    --env "PATH=/opt/cni/bin:/usr/local/bin:/usr/bin:/bin" --workdir /opt/cni/bin \
    --cmd '["/opt/cni/bin/install"]' --label "org.opencontainers.image.version=$CALICO_VERSION"

  # kube-controllers runs as UID 999 and writes its status file for the
  # check-status probes.
  ALSO_REFS="quay.io/calico/kube-controllers:$CALICO_VERSION"
  root=$(stage calico-kube-controllers)
  base_tree "$root"
  for c in kube-controllers check-status wrapper; do install -D -m 0755 "$cbin/$c" "$root/usr/bin/$c"; done
  mkdir -p "$root/status" "$root/profiles"
  touch "$root/status/status.json" "$root/profiles/mem.pprof" "$root/profiles/cpu.pprof"
  chown 999 "$root/status/status.json" "$root/profiles/mem.pprof" "$root/profiles/cpu.pprof"
  image "calico-kube-controllers-$CALICO_VERSION.tar" "$root" "docker.io/calico/kube-controllers:$CALICO_VERSION" \
    --env "PATH=/usr/local/bin:/usr/bin:/bin" --user 999 \
    --entrypoint '["/usr/bin/wrapper", "/usr/bin/kube-controllers"]' \
    --label "org.opencontainers.image.version=$CALICO_VERSION"
  ALSO_REFS=""

  # Test image for pod-to-pod and DNS checks: Debian's static busybox.
  root=$(stage busybox)
  base_tree "$root"
  install -D -m 0755 "$BUSYBOX_BIN" "$root/bin/busybox"
  local applet
  for applet in $("$BUSYBOX_BIN" --list); do
    [ "$applet" = busybox ] || [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  image "test-busybox-1.tar" "$root" "duoshou.local/test/busybox:1" \
    --env "PATH=/bin" --cmd '["sh"]'

  # Every reference kubeadm asks for must be in the list.
  local want
  for want in $("$K8S_BIN/kubeadm" config images list --kubernetes-version "$K8S_VERSION"); do
    grep -q " $want\$" "$IMG_OUT/images.txt" || die "images.txt lacks $want that kubeadm requires"
  done
  rm -rf "$IMG_STAGE"
  # The flat layout before one directory per minor (images/*.tar, images.txt).
  rm -f "$CACHE"/images/*.tar "$CACHE/images/images.txt"
  publish_dir "$IMG_OUT" "$IMAGES_DIR"
}
