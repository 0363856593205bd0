# shellcheck shell=bash
# The images upstream's [Conformance] tests run, made without any registry:
# the Go programs of the e2e step, Debian packages on the lab's rootfs and
# upstream busybox (steps/busybox-upstream.sh). Optional (build-all.sh
# test-images, or conformance).
# Names and tags are exactly those `e2e.test --list-images` prints (the
# framework's defaults, list-images.txt of the e2e step), so no version is
# written here; mirrors.sh pushes them to the lab registry and writes the
# KUBE_TEST_REPO_LIST that points the framework there.
#
# Each image keeps what the tests rely on from upstream's image
# (test/images/*/Dockerfile of k8s.io/kubernetes): the programs, files, users
# and entrypoints. The distribution underneath is Debian, not Alpine, and the
# lab's CoreDNS stands in for the old CoreDNS release agnhost carries.
#
# Outputs in TEST_IMAGES_DIR (one directory per minor, like images/):
#   images.txt     "<tar> <reference>" per line, as in images/v1.MINOR/
#   not-built.txt  "<reference> <reason>" for every listed image not made here

# shellcheck source=images.sh
. "$HERE/steps/images.sh"

# Debian tree with apt's lists and every package below downloaded once; each
# image copies it and installs offline.
TEST_APT="$WORK/test-images-apt"
# What upstream's Dockerfiles add to their base, by Debian name.
AGNHOST_DEBS="bind9-dnsutils curl netcat-openbsd iproute2 iperf wget"
HTTPD_DEBS="apache2"
NGINX_DEBS="nginx"
DNSUTILS_DEBS="bind9-dnsutils"
E2E_PATH="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# listed NAME : the references --list-images gives for repository NAME
# (e.g. registry.k8s.io/e2e-test-images/httpd), one per line.
listed() {
  grep "^$1:" "$E2E_DIR/list-images.txt" || true
}

# listed_first NAME / listed_rest NAME : the first of those references, and
# the others (space-separated, for ALSO_REFS: one image under every tag the
# tests know it by, e.g. httpd and the "new" httpd).
listed_first() {
  local refs
  refs=$(listed "$1")
  [ -n "$refs" ] || die "e2e.test --list-images names no $1 image"
  head -n1 <<<"$refs"
}
listed_rest() {
  listed "$1" | tail -n +2 | tr '\n' ' '
}

apt_base() {
  local root="$TEST_APT"
  rm -rf "$root"
  debian_tree "$root"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # apt and maintainer scripts write to /dev/null; the rootfs has no devices.
  mknod -m 0666 "$root/dev/null" c 1 3
  # Package installs must not try to start the daemons.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  echo "deb $DEBIAN_MIRROR $DEBIAN_SUITE main" >"$root/etc/apt/sources.list"
  # shellcheck disable=SC2086 # package lists
  {
    run chroot "$root" apt-get -q -o APT::Sandbox::User=root update
    DEBIAN_FRONTEND=noninteractive run chroot "$root" apt-get -q -o APT::Sandbox::User=root \
      install -y --no-install-recommends --download-only \
      $AGNHOST_DEBS $HTTPD_DEBS $NGINX_DEBS $DNSUTILS_DEBS
  }
}

# debian_with ROOT PKG... : the lab's Debian rootfs plus PKG, without apt's
# state and the build-only pieces.
debian_with() {
  local root="$1"
  shift
  mkdir -p "$root"
  cp -a "$TEST_APT/." "$root/"
  DEBIAN_FRONTEND=noninteractive run chroot "$root" apt-get -q -o APT::Sandbox::User=root \
    install -y --no-install-recommends --no-download "$@"
  run chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/* "$root/usr/sbin/policy-rc.d" \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* "${root:?}"/dev/*
  find "$root/usr/share/doc" -type f ! -name copyright -delete
  : >"$root/etc/resolv.conf"
  # /var/lock points into /run, which the rootfs leaves empty and a container
  # runtime does not mount: daemons (Apache) keep lock files there.
  mkdir -p "$root/run/lock"
  chmod 1777 "$root/run/lock"
}

# Upstream's static busybox with every applet linked, as the busybox image.
busybox_tree() {
  local root="$1" applet
  base_tree "$root"
  install -D -m 0755 "$BUSYBOX_UPSTREAM_BIN" "$root/bin/busybox"
  for applet in $("$BUSYBOX_UPSTREAM_BIN" --list); do
    [ "$applet" = busybox ] || [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
}

# The agnhost image: the test program as entrypoint (and under a second name
# for the entrypoint-override tests), the DNS tests' CoreDNS, the porter
# certificate, an upload directory, the user and group the security-context
# tests expect to be defined in the image, and the tools tests exec in it.
agnhost_tree() {
  local root="$1" kdir="$2"
  # shellcheck disable=SC2086 # a package list
  debian_with "$root" $AGNHOST_DEBS
  install -m 0755 "$E2E_DIR/bin/agnhost" "$root/agnhost"
  ln -s agnhost "$root/agnhost-2"
  install -m 0755 "$COREDNS_BIN/coredns" "$root/coredns"
  install -m 0644 "$kdir/test/images/agnhost/porter/localhost.crt" "$root/localhost.crt"
  install -m 0644 "$kdir/test/images/agnhost/porter/localhost.key" "$root/localhost.key"
  mkdir -p "$root/uploads"
  run chroot "$root" groupadd -g 50000 group-defined-in-image
  run chroot "$root" useradd -u 1000 -m -s /bin/sh -G group-defined-in-image user-defined-in-image
}

build_test_images() {
  local e2e_bin="$E2E_DIR/bin" f
  for f in e2e.test agnhost nnp sample-apiserver; do
    [ -x "$e2e_bin/$f" ] || die "no $e2e_bin/$f: run build-all.sh e2e first"
  done
  IMG_OUT="$WORK/test-images"
  rm -rf "$IMG_OUT"
  mkdir -p "$IMG_OUT"
  : >"$IMG_OUT/images.txt"
  local e2e="registry.k8s.io/e2e-test-images" kdir root ref
  kdir=$(module_dir k8s.io/kubernetes "$K8S_VERSION")
  log "  test-images: Debian packages ($DEBIAN_SUITE)"
  apt_base

  root=$(stage agnhost)
  agnhost_tree "$root" "$kdir"
  image "e2e-agnhost.tar" "$root" "$(listed_first "$e2e/agnhost")" --env "$E2E_PATH" \
    --entrypoint '["/agnhost"]' --cmd '["pause"]' \
    --expose 80/tcp --expose 8080/tcp --expose 8081/tcp --expose 9376/tcp --expose 5000/tcp

  # kitten and nautilus: a picture and the data.json naming it, served from /
  # by agnhost's test-webserver (the kubectl "Update Demo" tests read
  # data.json through the API server's pod proxy). Upstream builds them on a
  # full agnhost image; the web server alone is all the tests use.
  for f in kitten nautilus; do
    root=$(stage "$f")
    base_tree "$root"
    install -m 0755 "$e2e_bin/agnhost" "$root/agnhost"
    install -m 0644 "$kdir/test/images/$f/html/$f.jpg" "$kdir/test/images/$f/html/data.json" "$root/"
    image "e2e-$f.tar" "$root" "$(listed_first "$e2e/$f")" \
      --entrypoint '["/agnhost"]' --cmd '["test-webserver"]' --expose 80/tcp
  done

  # busybox, under every tag listed (the CSI test manifests name an older one).
  root=$(stage busybox)
  busybox_tree "$root"
  ALSO_REFS="$(listed_rest "$e2e/busybox")" image "e2e-busybox.tar" "$root" "$(listed_first "$e2e/busybox")" \
    --env "PATH=/bin" --cmd '["sh"]'

  # Upstream's nonroot is a Debian base with USER 1234; the tests only run
  # `id` in it, which busybox provides.
  root=$(stage nonroot)
  busybox_tree "$root"
  image "e2e-nonroot.tar" "$root" "$(listed_first "$e2e/nonroot")" --env "PATH=/bin" --cmd '["sh"]' \
    --user 1234

  # Set-UID root: the no-new-privileges tests read which UID it ends up with.
  root=$(stage nonewprivs)
  base_tree "$root"
  install -D -m 4755 "$e2e_bin/nnp" "$root/usr/local/bin/nnp"
  image "e2e-nonewprivs.tar" "$root" "$(listed_first "$e2e/nonewprivs")" \
    --env "PATH=/usr/local/bin:/usr/bin:/bin" --cmd '["nnp"]'

  # httpd: Apache from Debian serving upstream's document root
  # (/usr/local/apache2/htdocs, which the StatefulSet tests move index.html
  # out of and back into) on port 80 in the foreground, logs to the console.
  # One image under both tags (httpd and the "new" httpd).
  root=$(stage httpd)
  # shellcheck disable=SC2086 # a package list
  debian_with "$root" $HTTPD_DEBS
  mkdir -p "$root/usr/local/apache2/htdocs"
  echo '<html><body><h1>It works!</h1></body></html>' >"$root/usr/local/apache2/htdocs/index.html"
  cat >"$root/etc/apache2/sites-available/000-default.conf" <<'CONF'
# duoshou lab: the e2e httpd image's site (document root of the upstream httpd image).
ServerName localhost
<VirtualHost *:80>
  DocumentRoot /usr/local/apache2/htdocs
  <Directory /usr/local/apache2/htdocs>
    Require all granted
  </Directory>
</VirtualHost>
CONF
  mkdir -p "$root/var/log/apache2"
  ln -sf /dev/stderr "$root/var/log/apache2/error.log"
  ln -sf /dev/stdout "$root/var/log/apache2/access.log"
  ln -sf /dev/stdout "$root/var/log/apache2/other_vhosts_access.log"
  cat >"$root/usr/local/bin/httpd-foreground" <<'SH'
#!/bin/sh
# Apache as the container's main process, with Debian's environment file.
set -e
. /etc/apache2/envvars
mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"
rm -f "$APACHE_PID_FILE"
exec apache2 -DFOREGROUND "$@"
SH
  chmod 0755 "$root/usr/local/bin/httpd-foreground"
  ALSO_REFS="$(listed_rest "$e2e/httpd")" image "e2e-httpd.tar" "$root" "$(listed_first "$e2e/httpd")" \
    --env "$E2E_PATH" --cmd '["httpd-foreground"]' --expose 80/tcp

  # nginx: Debian's, serving /usr/share/nginx/html on port 80 in the
  # foreground, logs to the console, under both tags like httpd.
  root=$(stage nginx)
  # shellcheck disable=SC2086 # a package list
  debian_with "$root" $NGINX_DEBS
  sed -i 's#^\([[:space:]]*root\) /var/www/html;#\1 /usr/share/nginx/html;#' "$root/etc/nginx/sites-available/default"
  grep -q 'root /usr/share/nginx/html;' "$root/etc/nginx/sites-available/default" ||
    die "nginx: document root not found in Debian's default site"
  if [ ! -s "$root/usr/share/nginx/html/index.html" ]; then
    mkdir -p "$root/usr/share/nginx/html"
    echo '<html><body><h1>Welcome to nginx!</h1></body></html>' >"$root/usr/share/nginx/html/index.html"
  fi
  mkdir -p "$root/var/log/nginx"
  ln -sf /dev/stdout "$root/var/log/nginx/access.log"
  ln -sf /dev/stderr "$root/var/log/nginx/error.log"
  ALSO_REFS="$(listed_rest "$e2e/nginx")" image "e2e-nginx.tar" "$root" "$(listed_first "$e2e/nginx")" \
    --env "$E2E_PATH" --cmd '["nginx", "-g", "daemon off;"]' --expose 80/tcp

  # The DNS tests' second prober: dig and friends. Upstream's also carries a
  # CoreDNS, which the tests only ever run from agnhost.
  root=$(stage jessie-dnsutils)
  # shellcheck disable=SC2086 # a package list
  debian_with "$root" $DNSUTILS_DEBS
  image "e2e-jessie-dnsutils.tar" "$root" "$(listed_first "$e2e/jessie-dnsutils")" \
    --env "$E2E_PATH" --cmd '["bash"]'

  # The aggregator test runs sample-apiserver with an etcd beside it, at the
  # etcd tag the framework names (not the cluster's): built like the etcd step
  # into its own cache directory, the etcd step's stamps untouched.
  local etcd_ref etcd_tag
  etcd_ref=$(listed_first "registry.k8s.io/etcd")
  etcd_tag=${etcd_ref##*:}
  (
    ETCD_VERSION="v${etcd_tag%-*}"
    if [ ! -x "$CACHE/etcd-$ETCD_VERSION/bin/etcd" ]; then
      log "  test-images: etcd $ETCD_VERSION for the aggregator test"
      # shellcheck source=etcd.sh
      . "$HERE/steps/etcd.sh"
      build_etcd
    fi
  )
  root=$(stage test-etcd)
  base_tree "$root"
  for f in etcd etcdctl etcdutl; do
    install -D -m 0755 "$CACHE/etcd-v${etcd_tag%-*}/bin/$f" "$root/usr/local/bin/$f"
  done
  mkdir -p "$root/var/lib/etcd" "$root/var/etcd"
  image "e2e-etcd-$etcd_tag.tar" "$root" "$etcd_ref" \
    --env "PATH=/usr/local/bin:/usr/bin:/bin" --cmd '["/usr/local/bin/etcd"]' --expose 2379/tcp --expose 2380/tcp

  root=$(stage sample-apiserver)
  base_tree "$root"
  install -m 0755 "$e2e_bin/sample-apiserver" "$root/sample-apiserver"
  image "e2e-sample-apiserver.tar" "$root" "$(listed_first "$e2e/sample-apiserver")" \
    --entrypoint '["/sample-apiserver"]'

  # Everything else --list-images names, with the reason it is not here.
  local why
  : >"$IMG_OUT/not-built.txt"
  while read -r ref; do
    [ -n "$ref" ] || continue
    grep -q " $ref\$" "$IMG_OUT/images.txt" && continue
    case "$ref" in
      registry.k8s.io/pause:*)
        grep -q " $ref\$" "$IMAGES_DIR/images.txt" 2>/dev/null || die "$ref is not among the release images"
        why="release image (images/${IMAGES_DIR##*/}), pushed with them" ;;
      gcr.io/* | invalid.registry.k8s.io/*)
        why="unreachable by design (private/invalid registry tests, not [Conformance]); the framework never remaps it" ;;
      registry.k8s.io/sig-storage/* | registry.k8s.io/cloud-provider-gcp/*)
        why="storage tests (CSI drivers and sidecars, NFS provisioner), no [Conformance] test runs it" ;;
      *) why="no [Conformance] test runs it" ;;
    esac
    printf '%s %s\n' "$ref" "$why" >>"$IMG_OUT/not-built.txt"
  done <"$E2E_DIR/list-images.txt"
  rm -rf "$IMG_STAGE" "$TEST_APT"
  publish_dir "$IMG_OUT" "$TEST_IMAGES_DIR"
}
