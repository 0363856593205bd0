#!/usr/bin/env bash
# Checks the Vagrant scenarios as far as a machine without VMs allows:
#   1. `molecule list` over every scenario, `molecule syntax` of vagrant-single and vagrant-ha;
#   2. playbooks/validate.yml against the inventory molecule writes for each, with each
#      mirrors preset (inventory/presets/*.yml);
#   3. the Vagrantfile the driver's create step would write, for libvirt and VirtualBox,
#      through `vagrant validate` (provider settings included).
# Boots nothing. Needs the tools of `make setup`; installs Debian's vagrant and
# vagrant-libvirt when missing (root, apt). Usage: tests/vagrant/check.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
VENV=${VENV:-.venv}
export PATH="$ROOT/$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$ROOT/.cache/collections}
export ANSIBLE_CONFIG=${ANSIBLE_CONFIG:-$ROOT/ansible.cfg}
SCENARIOS=(vagrant-single vagrant-ha)
PROVIDERS=(libvirt virtualbox)
PRESETS=(inventory/presets/*.yml)

die() { echo "vagrant-check: FAILED: $*" >&2; exit 1; }
step() { echo "vagrant-check: $*"; }

command -v molecule >/dev/null || die "molecule not found in $VENV/bin: run 'make setup' first"

# Debian 12 ships vagrant 2.3.4 and the libvirt provider plugin; VirtualBox is not in Debian.
install_vagrant() {
  [[ $(id -u) -eq 0 ]] || die "vagrant and vagrant-libvirt are missing; as root: apt-get install vagrant vagrant-libvirt"
  command -v apt-get >/dev/null || die "vagrant is missing and this is not a Debian-family host: install vagrant and the vagrant-libvirt plugin"
  step "installing vagrant and vagrant-libvirt from the Debian archive"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends vagrant vagrant-libvirt >/dev/null
}
if ! command -v vagrant >/dev/null || ! vagrant plugin list 2>/dev/null | grep -q '^vagrant-libvirt '; then
  install_vagrant
fi
vagrant plugin list | grep -q '^vagrant-libvirt ' || die "the vagrant-libvirt plugin is not installed: the libvirt Vagrantfile cannot be validated"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

step "molecule list"
molecule list >"$WORK/list.log" 2>&1 || { cat "$WORK/list.log"; die "molecule list"; }

for scenario in "${SCENARIOS[@]}"; do
  ephemeral=$WORK/$scenario/molecule
  step "$scenario: molecule syntax"
  MOLECULE_EPHEMERAL_DIRECTORY=$ephemeral molecule syntax -s "$scenario" >"$WORK/$scenario.syntax.log" 2>&1 \
    || { cat "$WORK/$scenario.syntax.log"; die "molecule syntax -s $scenario"; }
  # molecule wrote the effective config (base merged, environment interpolated)
  # and the inventory its converge would use.
  [[ -s $ephemeral/molecule.yml && -d $ephemeral/inventory ]] || die "$scenario: molecule wrote no config or inventory in $ephemeral"

  export MOLECULE_FILE=$ephemeral/molecule.yml
  # molecule interpolated DUOSHOU_VAGRANT_CRI_DOCKERD_CHECKSUM (unset here) into the inventory:
  # with the docker runtime that must be refused, naming the variable.
  log=$WORK/$scenario.no-checksum.log
  step "$scenario: docker runtime without DUOSHOU_VAGRANT_CRI_DOCKERD_CHECKSUM is refused"
  if ansible-playbook -i "$ephemeral/inventory" playbooks/validate.yml \
      --extra-vars cluster_container_runtime=docker >"$log" 2>&1; then
    cat "$log"; die "$scenario: validation accepted the docker runtime without a cri-dockerd checksum"
  fi
  grep -q 'docker_cri_cri_dockerd_package_checksum' "$log" \
    || { cat "$log"; die "$scenario: the refusal does not name docker_cri_cri_dockerd_package_checksum"; }

  for preset in "${PRESETS[@]}"; do
    for runtime in containerd docker; do
      # A checksum-shaped value stands for the one a user sets; nothing is downloaded here.
      checksum=$([[ $runtime == docker ]] && printf '%064d' 0 || true)
      log=$WORK/$scenario.$runtime.validate.log
      step "$scenario: playbooks/validate.yml with $(basename "$preset" .yml) mirrors, $runtime"
      ansible-playbook -i "$ephemeral/inventory" playbooks/validate.yml --extra-vars "@$preset" \
        --extra-vars "cluster_container_runtime=$runtime docker_cri_cri_dockerd_package_checksum=$checksum" \
        >"$log" 2>&1 || { cat "$log"; die "$scenario: the inventory fails validation with $preset ($runtime)"; }
    done
  done

  for provider in "${PROVIDERS[@]}"; do
    dir=$WORK/$scenario/$provider
    python3 tests/vagrant/render_vagrantfile.py "$ephemeral/molecule.yml" "$provider" "$dir"
    path=$PATH
    if [[ $provider == virtualbox ]] && ! command -v VBoxManage >/dev/null; then
      # Without VirtualBox, vagrant refuses the provider before reading its settings. A stub
      # that only reports a version makes it check them (nothing else is ever called).
      mkdir -p "$WORK/vbox-stub"
      cat >"$WORK/vbox-stub/VBoxManage" <<'STUB'
#!/bin/sh
[ "$1" = --version ] && echo 7.0.20r163906 && exit 0
echo "VBoxManage stub: $*" >&2
exit 1
STUB
      chmod +x "$WORK/vbox-stub/VBoxManage"
      path=$WORK/vbox-stub:$PATH
    fi
    step "$scenario: vagrant validate ($provider)"
    (cd "$dir" && PATH=$path VAGRANT_DEFAULT_PROVIDER=$provider vagrant validate >"$dir/validate.log" 2>&1) \
      || { cat "$dir/Vagrantfile" "$dir/validate.log"; die "$scenario: vagrant validate ($provider)"; }
  done
done

step "OK: ${SCENARIOS[*]}: syntax, inventory validation (${#PRESETS[@]} mirror presets x 2 runtimes, no cri-dockerd checksum refused), Vagrantfile valid for ${PROVIDERS[*]}"
