#!/usr/bin/env bash
# The lab's air-gap mirrors, served by the host on the internal network's gateway address.
#   tests/lab/mirrors.sh build   build the Debian mirror, the pkgs.k8s.io-shaped repositories, the files
#   tests/lab/mirrors.sh up      build, start the HTTP server and the registry, push the images
#   tests/lab/mirrors.sh refresh `up` if the HTTP server or the registry runs, else nothing (after a build)
#   tests/lab/mirrors.sh down    stop the HTTP server and the registry started by `up`
#   tests/lab/mirrors.sh status  what is served and running
# Every Kubernetes minor the build has made (the pinned one, and the upgrade target after
# build-all.sh --upgrade) is served: one apt repository each, all their images in the registry.
# Layout of $LAB_WWW (http://192.168.77.1:8080/):
#   debian/dists/{bookworm,trixie}/...        Debian mirror (signed by the lab key)
#   kubernetes/core:/stable:/v1.MINOR/deb/    flat repository like pkgs.k8s.io (+ Release.key), per minor
#   cri-dockerd/<file>.deb, SHA256SUMS        the cri-dockerd packages as plain downloads
#   calico/v<version>/calico.yaml             Calico manifest
# Registry http://192.168.77.1:5000: google_containers/*, calico/*, test/* (see push_images), and
# e2e-test-images/* once build-all.sh conformance has made the conformance test images.
#   tests/lab/mirrors.sh repo-list  write the KUBE_TEST_REPO_LIST file for e2e.test, print its path
set -euo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_require_root

# Debian packages the collection may install on nodes, with all their dependencies.
# One line per group: groups are resolved separately so alternatives that conflict
# (chrony / systemd-timesyncd) can both be offered.
LAB_MIRROR_GROUPS=(
  "docker.io containerd runc containernetworking-plugins"
  "conntrack socat ipset ebtables ethtool iptables nftables arptables ipvsadm iproute2 kmod psmisc"
  "chrony"
  "systemd-timesyncd"
  "haproxy keepalived"
  "curl ca-certificates gnupg apt-transport-https python3-apt python3-debian lsb-release"
  "bash-completion jq less sudo openssl rsync tar gzip util-linux mount e2fsprogs procps iputils-ping"
)

hash_files() { # stable content hash of the given files (names + content)
  local f
  for f in "$@"; do [ -e "$f" ] && printf '%s %s\n' "$(basename "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)"; done | sort | sha256sum | cut -c1-16
}

# The build's package directories, one per minor (debs/v1.34/ ...).
built_debs_dirs() { lab_release_dirs "$DUOSHOU_LAB_CACHE" debs; }

# The served Kubernetes repositories, one per built minor, once indexed.
kube_repos() {
  local dir repo
  while read -r dir; do
    repo=$(lab_kube_repo "${dir##*/}")
    [ -s "$repo/Packages" ] && echo "$repo"
  done < <(built_debs_dirs)
  return 0
}

build_kube_repos() {
  local dir n=0
  while read -r dir; do
    build_kube_repo "$dir"
    n=$((n + 1))
  done < <(built_debs_dirs)
  if [ "$n" -eq 0 ]; then
    lab_log "kubernetes repo: no packages yet in $DUOSHOU_LAB_CACHE/debs (run tests/lab/build/build-all.sh); skipped"
    return 0
  fi
  build_cri_dockerd_files
}

# build_kube_repo DIR: index the packages of one minor (the build's debs/v1.MINOR/) and cri-dockerd's
# into that minor's repository, as pkgs.k8s.io serves a repository per minor.
build_kube_repo() {
  local src=$1 minor repo h
  minor=${src##*/}
  repo=$(lab_kube_repo "$minor")
  shopt -s nullglob
  local debs=("$src"/*.deb "$LAB_ARTIFACT_CRI_DOCKERD"/*.deb)
  shopt -u nullglob
  h=$(hash_files "${debs[@]}" "$LAB_KEY_ASC")
  if [ "$(cat "$repo/.recipe" 2>/dev/null)" = "$h" ]; then
    lab_log "kubernetes $minor repo: up to date (${#debs[@]} packages, $h)"
    return 0
  fi
  lab_log "kubernetes $minor repo: indexing ${#debs[@]} packages into $repo"
  rm -rf "$repo"
  mkdir -p "$repo"
  cp -l "${debs[@]}" "$repo/" 2>/dev/null || cp "${debs[@]}" "$repo/"
  (
    cd "$repo"
    dpkg-scanpackages --multiversion . /dev/null 2>/dev/null >Packages
    gzip -9nkf Packages
    apt-ftparchive -o APT::FTPArchive::Release::Origin="duoshou lab" \
      -o APT::FTPArchive::Release::Label="duoshou lab kubernetes $minor" \
      release . >Release.tmp
    mv Release.tmp Release
  )
  lab_sign_release "$repo"
  cp "$LAB_KEY_ASC" "$repo/Release.key"
  sha256sum <"$repo/Release.key" | cut -d' ' -f1 >"$repo/Release.key.sha256"
  echo "$h" >"$repo/.recipe"
  lab_log "kubernetes $minor repo: $(grep -c '^Package:' "$repo/Packages") packages: $(awk '/^Package:/{p=$2} /^Version:/{printf "%s=%s ", p, $2}' "$repo/Packages")"
}

# cri-dockerd is published upstream as plain .deb downloads, not an apt repository.
build_cri_dockerd_files() {
  local dest="$LAB_WWW/cri-dockerd" h
  shopt -s nullglob
  local debs=("$LAB_ARTIFACT_CRI_DOCKERD"/*.deb)
  shopt -u nullglob
  h=$(hash_files "${debs[@]}")
  [ "$(cat "$dest/.recipe" 2>/dev/null)" = "$h" ] && return 0
  rm -rf "$dest"
  mkdir -p "$dest"
  if [ ${#debs[@]} -gt 0 ]; then
    cp "${debs[@]}" "$dest/"
    (cd "$dest" && sha256sum -- *.deb >SHA256SUMS)
  fi
  echo "$h" >"$dest/.recipe"
}

# Download exactly the packages (and versions) a fresh node of $release lacks, with the
# Recommends a default apt configuration installs too (trixie: docker.io -> docker-cli), using a chroot
# of the node's own debootstrap tree, then index them as $LAB_HTTP_URL/debian $release main.
build_debian_release() {
  local release=$1 rootfs_tar="$LAB_STATE/rootfs/$1.tar" h chroot pool dist group kube_pkgs="" t0 repo
  [ -e "$rootfs_tar" ] || lab_die "no debootstrap tree for $release: run tests/lab/node-image.sh first"
  pool="$LAB_WWW/debian/pool/$release"
  dist="$LAB_WWW/debian/dists/$release"
  # Every served minor's packages, each minor resolved as one group at its own versions.
  local repos=() kube_groups=()
  mapfile -t repos < <(kube_repos)
  for repo in "${repos[@]}"; do
    kube_pkgs+=" $(awk '/^Package:/{print $2}' "$repo/Packages" | tr '\n' ' ')"
    kube_groups+=("$(awk '/^Package:/{p=$2} /^Version:/{printf "%s=%s ", p, $2}' "$repo/Packages")")
  done
  h=$( {
    readlink -f "$rootfs_tar"
    printf '%s\n' "${LAB_MIRROR_GROUPS[@]}" "$LAB_DEBIAN_URL"
    for repo in "${repos[@]}"; do cat "$repo/Packages"; done
    cat "$LAB_KEY_ASC"
    declare -f build_debian_release
  } | sha256sum | cut -c1-16)
  if [ "$(cat "$dist/.recipe" 2>/dev/null)" = "$h" ]; then
    lab_log "debian $release: up to date ($(du -sh "$pool" | cut -f1), $h)"
    return 0
  fi
  t0=$(date +%s)
  chroot=$(mktemp -d "$LAB_STATE/.mirror-$release.XXXX")
  # shellcheck disable=SC2064 # expand now: the trap must clean this very directory
  trap "umount '$chroot/kube' 2>/dev/null || true; rm -rf '$chroot'" EXIT
  lab_log "debian $release: resolving packages in a chroot of the node tree"
  tar --numeric-owner -C "$chroot" -xf "$rootfs_tar"
  cp /etc/resolv.conf "$chroot/etc/resolv.conf"
  echo "deb $LAB_DEBIAN_URL $release main" >"$chroot/etc/apt/sources.list"
  rm -f "$chroot/etc/apt/sources.list.d/"*
  if [ ${#repos[@]} -gt 0 ]; then
    # Resolve the Kubernetes packages' Debian dependencies too; they are served by the
    # kubernetes repositories, so their own files are dropped afterwards.
    mkdir -p "$chroot/kube"
    mount --bind "$LAB_WWW/kubernetes" "$chroot/kube"
    for repo in "${repos[@]}"; do
      echo "deb [trusted=yes] file:/kube${repo#"$LAB_WWW/kubernetes"} ./"
    done >"$chroot/etc/apt/sources.list.d/kube.list"
  fi
  mkdir -p "$chroot/lab-archives/partial"
  local apt=(chroot "$chroot" apt-get -q -o APT::Sandbox::User=root -o Dir::Cache::archives=/lab-archives)
  "${apt[@]}" update >"$LAB_STATE/mirror-$release.log" 2>&1 || {
    tail -n 20 "$LAB_STATE/mirror-$release.log" >&2
    lab_die "apt-get update for $release failed (log: $LAB_STATE/mirror-$release.log)"
  }
  local groups=("${LAB_MIRROR_GROUPS[@]}" "${kube_groups[@]}")
  for group in "${groups[@]}"; do
    # shellcheck disable=SC2086 # a group is a space-separated package list
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --download-only $group \
      >>"$LAB_STATE/mirror-$release.log" 2>&1; then
      tail -n 20 "$LAB_STATE/mirror-$release.log" >&2
      lab_die "debian $release: cannot resolve '$group' (log: $LAB_STATE/mirror-$release.log)"
    fi
  done
  rm -rf "$pool"
  mkdir -p "$pool"
  local deb name
  for deb in "$chroot"/lab-archives/*.deb; do
    name=$(dpkg-deb -f "$deb" Package)
    case " $kube_pkgs " in *" $name "*) continue ;; esac
    mv "$deb" "$pool/"
  done
  umount "$chroot/kube" 2>/dev/null || true
  rm -rf "$chroot"
  trap - EXIT

  mkdir -p "$dist/main/binary-amd64"
  (
    cd "$LAB_WWW/debian"
    apt-ftparchive packages "pool/$release" 2>/dev/null >"dists/$release/main/binary-amd64/Packages"
    gzip -9nkf "dists/$release/main/binary-amd64/Packages"
    apt-ftparchive -o APT::FTPArchive::Release::Origin="duoshou lab" \
      -o APT::FTPArchive::Release::Label="duoshou lab Debian mirror" \
      -o APT::FTPArchive::Release::Suite="$release" -o APT::FTPArchive::Release::Codename="$release" \
      -o APT::FTPArchive::Release::Architectures="amd64" -o APT::FTPArchive::Release::Components="main" \
      release "dists/$release" >"dists/$release/Release.tmp"
    mv "dists/$release/Release.tmp" "dists/$release/Release"
  )
  lab_sign_release "$dist"
  echo "$h" >"$dist/.recipe"
  lab_log "debian $release: $(find "$pool" -name '*.deb' | wc -l) packages, $(du -sh "$pool" | cut -f1), in $(($(date +%s) - t0))s"
}

build_files() {
  if [ -s "$LAB_ARTIFACT_CALICO" ]; then
    mkdir -p "$LAB_WWW/calico/v$LAB_CALICO_VERSION"
    cmp -s "$LAB_ARTIFACT_CALICO" "$LAB_WWW/calico/v$LAB_CALICO_VERSION/calico.yaml" ||
      cp "$LAB_ARTIFACT_CALICO" "$LAB_WWW/calico/v$LAB_CALICO_VERSION/calico.yaml"
    sha256sum <"$LAB_WWW/calico/v$LAB_CALICO_VERSION/calico.yaml" | cut -d' ' -f1 \
      >"$LAB_WWW/calico/v$LAB_CALICO_VERSION/calico.yaml.sha256"
    lab_log "calico: serving calico.yaml v$LAB_CALICO_VERSION"
  else
    lab_log "calico: no manifest yet at $LAB_ARTIFACT_CALICO; skipped"
  fi
  cp "$LAB_KEY_ASC" "$LAB_WWW/duoshou-lab.asc"
}

build() {
  lab_ensure_key
  mkdir -p "$LAB_WWW"
  build_kube_repos
  # Each scenario's create builds only its own OS's node image (node-image.sh debian12|debian13):
  # mirror the releases whose tree exists, so a fresh machine's first scenario does not need both.
  local release mirrored=0
  for release in bookworm trixie; do
    if [ -e "$LAB_STATE/rootfs/$release.tar" ]; then
      build_debian_release "$release"
      mirrored=$((mirrored + 1))
    else
      lab_log "debian $release: no node image yet, not mirrored (tests/lab/node-image.sh builds it)"
    fi
  done
  [ "$mirrored" -gt 0 ] || lab_die "no debootstrap tree at all: run tests/lab/node-image.sh first"
  build_files
  lab_log "mirror total: $(du -sh "$LAB_WWW" | cut -f1) in $LAB_WWW"
}

start_http() {
  mkdir -p "$LAB_RUN"
  if lab_pid_alive "$LAB_RUN/http.pid"; then
    lab_log "http server already running (pid $(cat "$LAB_RUN/http.pid"))"
  else
    lab_log "starting http server on $LAB_HTTP_URL for $LAB_WWW (log: $LAB_RUN/http.log)"
    nohup python3 -m http.server --bind "$LAB_GATEWAY" --directory "$LAB_WWW" "$LAB_HTTP_PORT" \
      >>"$LAB_RUN/http.log" 2>&1 </dev/null &
    echo $! >"$LAB_RUN/http.pid"
  fi
  lab_wait 20 "http server answering on $LAB_HTTP_URL" curl -fsS -o /dev/null "$LAB_HTTP_URL/duoshou-lab.asc" ||
    lab_die "http server did not answer; see $LAB_RUN/http.log"
}

start_registry() {
  mkdir -p "$LAB_RUN" "$LAB_REGISTRY_DIR"
  cat >"$LAB_RUN/registry.yml" <<CFG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $LAB_REGISTRY_DIR
  delete:
    enabled: true
http:
  addr: $LAB_REGISTRY
CFG
  if lab_pid_alive "$LAB_RUN/registry.pid"; then
    lab_log "registry already running (pid $(cat "$LAB_RUN/registry.pid"))"
  else
    lab_log "starting docker-registry on $LAB_REGISTRY (storage $LAB_REGISTRY_DIR, log $LAB_RUN/registry.log)"
    nohup docker-registry serve "$LAB_RUN/registry.yml" >>"$LAB_RUN/registry.log" 2>&1 </dev/null &
    echo $! >"$LAB_RUN/registry.pid"
  fi
  lab_wait 20 "registry answering on http://$LAB_REGISTRY/v2/" curl -fsS -o /dev/null "http://$LAB_REGISTRY/v2/" ||
    lab_die "registry did not answer; see $LAB_RUN/registry.log"
}

# Upstream reference -> name in the lab registry, laid out like the mirrors users point
# kubeadm at (imageRepository): registry.k8s.io/coredns/coredns:T -> google_containers/coredns:T.
mirror_name() {
  local ref=$1 path
  case "$ref" in
    # The e2e framework's registries keep their path: it joins each (repo_list) with the image
    # name, e.g. e2e-test-images/ + node-perf/npb-ep.
    registry.k8s.io/e2e-test-images/* | registry.k8s.io/sig-storage/* | registry.k8s.io/build-image/* | \
      registry.k8s.io/cloud-provider-gcp/*) path="${ref#registry.k8s.io/}" ;;
    registry.k8s.io/*) path="google_containers/${ref##*/}" ;;
    docker.io/calico/* | quay.io/calico/*) path="calico/${ref##*/}" ;;
    docker.io/library/*) path="library/${ref##*/}" ;;
    */*/*) path="${ref#*/}" ;; # strip any other registry host
    *) path=$ref ;;
  esac
  echo "$LAB_REGISTRY/$path"
}

# The images of every built minor (the build's images/v1.MINOR/images.txt). Each list also names
# Calico and the test image, the same images in every minor's directory: each name is pushed once.
# Then the conformance test images where they were built (test-images/v1.MINOR/images.txt, only
# by build-all.sh conformance): none on a machine that only runs make test.
push_images() {
  local dir tar ref dest stamp n=0 skipped=0 lists=0 conformance=0
  local -A seen=()
  mkdir -p "$LAB_STATE/pushed"
  while read -r dir; do
    [ -s "$dir/images.txt" ] || continue
    lists=$((lists + 1))
    while read -r tar ref _; do
      case "$tar" in '' | '#'*) continue ;; esac
      [ -s "$dir/$tar" ] || lab_die "$dir/images.txt lists $tar but $dir/$tar is missing"
      dest=$(mirror_name "$ref")
      [ -z "${seen[$dest]:-}" ] || continue
      seen[$dest]=1
      stamp="$LAB_STATE/pushed/$(printf '%s %s' "$dest" "$(stat -c '%s %Y' "$dir/$tar")" | sha256sum | cut -c1-16)"
      if [ -e "$stamp" ] && skopeo inspect --tls-verify=false --raw "docker://$dest" >/dev/null 2>&1; then
        skipped=$((skipped + 1))
        continue
      fi
      lab_log "registry: $ref -> $dest"
      skopeo copy --quiet --dest-tls-verify=false "docker-archive:$dir/$tar" "docker://$dest"
      touch "$stamp"
      n=$((n + 1))
    done <"$dir/images.txt"
    case "$dir" in */test-images/*) conformance=1 ;; esac
  done < <(
    lab_release_dirs "$DUOSHOU_LAB_CACHE" images
    lab_release_dirs "$DUOSHOU_LAB_CACHE" test-images
  )
  if [ "$lists" -eq 0 ]; then
    lab_log "registry: no images yet in $DUOSHOU_LAB_CACHE/images (run tests/lab/build/build-all.sh); nothing to push"
    return 0
  fi
  lab_log "registry: pushed $n image(s), $skipped already there (from $lists list(s))"
  if [ "$conformance" = 1 ]; then
    lab_log "registry: conformance test images served; KUBE_TEST_REPO_LIST=$(repo_list)"
  fi
}

# The KUBE_TEST_REPO_LIST file of upstream's e2e framework (keys: RegistryList in
# test/utils/image/manifest.go of k8s.io/kubernetes): every registry it would pull a test image
# from, pointed at this registry under the names mirror_name gives. The private, authenticated
# and invalid registries keep their defaults: the tests that use them expect the pull to fail or
# need credentials, and the framework never remaps those images. The registries the lab serves
# nothing under (build-image, sig-storage, ...) point here too: in the air gap such a pull fails at
# once rather than timing out on the internet. Written to LAB_STATE, where e2e.test on the host
# reads it; prints the path.
repo_list() {
  local file="$LAB_STATE/kube-test-repo-list.yaml"
  mkdir -p "$LAB_STATE"
  cat >"$file.tmp" <<YAML
# KUBE_TEST_REPO_LIST for e2e.test against lab clusters (written by tests/lab/mirrors.sh repo-list).
# registry.k8s.io/e2e-test-images/NAME:TAG -> $LAB_REGISTRY/e2e-test-images/NAME:TAG
# registry.k8s.io/NAME:TAG (pause, etcd)   -> $LAB_REGISTRY/google_containers/NAME:TAG
promoterE2eRegistry: $LAB_REGISTRY/e2e-test-images
gcRegistry: $LAB_REGISTRY/google_containers
gcEtcdRegistry: $LAB_REGISTRY/google_containers
dockerLibraryRegistry: $LAB_REGISTRY/library
buildImageRegistry: $LAB_REGISTRY/build-image
sigStorageRegistry: $LAB_REGISTRY/sig-storage
cloudProviderGcpRegistry: $LAB_REGISTRY/cloud-provider-gcp
YAML
  mv "$file.tmp" "$file"
  echo "$file"
}

status() {
  lab_pid_alive "$LAB_RUN/http.pid" && echo "http:     running pid $(cat "$LAB_RUN/http.pid") on $LAB_HTTP_URL" || echo "http:     stopped"
  lab_pid_alive "$LAB_RUN/registry.pid" && echo "registry: running pid $(cat "$LAB_RUN/registry.pid") on $LAB_REGISTRY" || echo "registry: stopped"
  du -sh "$LAB_WWW" "$LAB_REGISTRY_DIR" 2>/dev/null || true
  if lab_pid_alive "$LAB_RUN/registry.pid"; then
    curl -fsS "http://$LAB_REGISTRY/v2/_catalog?n=1000" || true
    echo
  fi
}

up() {
  build
  lab_network_up
  start_http
  start_registry
  push_images
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  refresh)
    # After a build (make lab-artifacts-upgrade): serve what it made where the mirrors already
    # run; elsewhere the next `up` serves it, and a build-only machine needs no node image.
    if lab_pid_alive "$LAB_RUN/http.pid" || lab_pid_alive "$LAB_RUN/registry.pid"; then
      up
    else
      lab_log "mirrors not running: the next tests/lab/mirrors.sh up (make lab-images) serves the new artifacts"
    fi
    ;;
  push) push_images ;;
  repo-list) repo_list ;;
  down)
    lab_stop_pidfile "$LAB_RUN/http.pid" "http server"
    lab_stop_pidfile "$LAB_RUN/registry.pid" "registry"
    ;;
  status) status ;;
  *) lab_die "usage: $0 build|up|refresh|push|down|status|repo-list" ;;
esac
