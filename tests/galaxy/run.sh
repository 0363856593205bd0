#!/usr/bin/env bash
# The Galaxy user's path, offline: builds the tarball, installs it into a temporary collections
# path, and from a temporary directory outside the checkout (no ansible.cfg, no ANSIBLE_CONFIG,
# a HOME of its own) runs what the README tells a Galaxy user to run:
#   1. duoshou.kubeadm.sample_inventory for every sample: copies it, the presets and ansible.cfg;
#      a second run onto the same destination must be refused, naming sample_inventory_dest;
#   2. duoshou.kubeadm.validate on each copy: refused as copied, accepted once edited
#      (-e cluster_inventory_sample=false and tests/validation/sample-unedited/<name>/edits);
#   3. ansible-playbook --syntax-check of every playbook the README names, by its FQCN.
# Exits non-zero on the first command that fails or result that is not the expected one.
# Usage: tests/galaxy/run.sh   (needs the tools of `make setup`)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VENV_BIN=$REPO/${VENV:-.venv}/bin
export PATH="$VENV_BIN:$PATH"
start=$SECONDS

die() { echo "galaxy-test: FAILED: $*" >&2; exit 1; }
step() { echo "galaxy-test: $*"; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
case $WORK/ in "$REPO"/*) die "the temporary directory $WORK is inside the checkout" ;; esac

# Nothing from the checkout or the caller: no ansible.cfg, no ~/.ansible, no collection path.
unset ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_ROLES_PATH ANSIBLE_INVENTORY
export HOME=$WORK/home ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
mkdir -p "$HOME"

step "building the tarball"
(cd "$REPO" && ansible-galaxy collection build --output-path "$WORK/build" .) >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log"; die "ansible-galaxy collection build"; }
tarball=$(ls "$WORK"/build/duoshou-kubeadm-*.tar.gz)

# galaxy.yml depends on ansible.posix and community.general: --no-deps keeps Galaxy out of it, and
# the copies the `ansible` package bundles in the venv's site-packages stand in for them.
step "installing $(basename "$tarball") into $WORK/collections"
ansible-galaxy collection install --no-deps -p "$WORK/collections" "$tarball" >"$WORK/install.log" 2>&1 \
  || { cat "$WORK/install.log"; die "ansible-galaxy collection install"; }
site_packages=$("$VENV_BIN/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export ANSIBLE_COLLECTIONS_PATH=$WORK/collections:$site_packages
installed=$WORK/collections/ansible_collections/duoshou/kubeadm
[[ -f $installed/MANIFEST.json ]] || die "no MANIFEST.json in $installed"

# The collection Ansible resolves must be the installed tarball, never the checkout.
listed=$(cd "$WORK" && ansible-galaxy collection list duoshou.kubeadm 2>/dev/null) || die "ansible-galaxy collection list"
grep -qF "$WORK/collections/ansible_collections" <<<"$listed" || { echo "$listed"; die "duoshou.kubeadm is not resolved from $WORK/collections"; }
if grep -F "$REPO" <<<"$listed"; then die "duoshou.kubeadm also resolves from the checkout"; fi

samples=()
for dir in "$installed"/inventory/sample/*/; do
  dir=${dir%/}
  samples+=("${dir##*/}")
done
[[ " ${samples[*]} " == *" single "* && " ${samples[*]} " == *" ha "* ]] \
  || die "the tarball's inventory/sample holds '${samples[*]}', expected single and ha"

# expect_run NAME WANT(pass|fail) PATTERN DIR COMMAND...: runs COMMAND in DIR, checks its exit
# status and that its output contains PATTERN (fixed string, empty for none).
expect_run() {
  local name=$1 want=$2 pattern=$3 dir=$4 log rc=0
  shift 4
  log=$WORK/logs/${name//[^A-Za-z0-9_.-]/_}.log
  mkdir -p "$WORK/logs"
  (cd "$dir" && "$@") >"$log" 2>&1 || rc=$?
  if [[ $want == pass && $rc -ne 0 ]]; then
    tail -n 30 "$log"
    die "$name: exit $rc, expected success ($*)"
  elif [[ $want == fail && $rc -eq 0 ]]; then
    tail -n 30 "$log"
    die "$name: succeeded, expected a refusal ($*)"
  fi
  if [[ -n $pattern ]] && ! grep -qF -- "$pattern" "$log"; then
    tail -n 30 "$log"
    die "$name: the output lacks '$pattern'"
  fi
  step "ok   $name"
}

user_dir=$WORK/user
mkdir -p "$user_dir"
for name in "${samples[@]}"; do
  expect_run "sample_inventory $name" pass "copied to $user_dir/$name" "$user_dir" \
    ansible-playbook duoshou.kubeadm.sample_inventory -e sample_inventory_topology="$name" -e sample_inventory_dest="./$name"
  [[ -f $user_dir/$name/hosts.yml && -d $user_dir/$name/group_vars ]] || die "$name: no hosts.yml and group_vars/ in $user_dir/$name"
  expect_run "sample_inventory $name again" fail "sample_inventory_dest: $user_dir/$name exists already" "$user_dir" \
    ansible-playbook duoshou.kubeadm.sample_inventory -e sample_inventory_topology="$name" -e sample_inventory_dest="./$name"
done
[[ -f $user_dir/presets/china.yml ]] || die "no presets/china.yml beside the copied inventories"
[[ -f $user_dir/ansible.cfg ]] || die "no ansible.cfg copied into the directory the playbook ran in"

# Validation runs twice per sample: beside the copied ansible.cfg (what the user gets, its
# callbacks included), and in a directory with no ansible.cfg at all.
bare_dir=$WORK/bare
mkdir -p "$bare_dir"
for name in "${samples[@]}"; do
  edits=(-e cluster_inventory_sample=false)
  edits_file=$REPO/tests/validation/sample-unedited/$name/edits
  if [[ -f $edits_file ]]; then
    while IFS= read -r line || [[ -n $line ]]; do
      [[ -n $line ]] && edits+=(-e "$line")
    done <"$edits_file"
  fi
  for dir in "$user_dir" "$bare_dir"; do
    where=$([[ $dir == "$user_dir" ]] && echo "with the copied ansible.cfg" || echo "without ansible.cfg")
    expect_run "validate $name as copied, $where" fail "cluster_inventory_sample: true: this is the sample inventory" "$dir" \
      ansible-playbook duoshou.kubeadm.validate -i "$user_dir/$name"
    expect_run "validate $name edited, $where" pass "inventory OK" "$dir" \
      ansible-playbook duoshou.kubeadm.validate -i "$user_dir/$name" "${edits[@]}"
  done
done

# Every playbook the README names, as playbooks/<name>.yml or duoshou.kubeadm.<name>, must be
# in the tarball and pass --syntax-check by its FQCN; the list must at least hold these.
mapfile -t named < <(grep -oE 'playbooks/[a-z_]+\.yml|duoshou\.kubeadm\.[a-z_]+' "$REPO/README.md" \
  | sed -E 's#^playbooks/##; s#\.yml$##; s#^duoshou\.kubeadm\.##' | sort -u)
for required in site validate sample_inventory upgrade certificates reset etcd_backup etcd_restore join_command; do
  [[ " ${named[*]} " == *" $required "* ]] || die "the README names no playbook '$required' any more: update this list or the README"
done
for name in "${named[@]}"; do
  [[ -f $installed/playbooks/$name.yml ]] || die "the README names duoshou.kubeadm.$name, but the tarball has no playbooks/$name.yml"
  expect_run "syntax-check duoshou.kubeadm.$name" pass "" "$bare_dir" \
    ansible-playbook --syntax-check -i "$user_dir/ha" duoshou.kubeadm."$name"
done

step "OK: ${#samples[@]} samples copied and validated, ${#named[@]} playbooks pass --syntax-check by FQCN, in $((SECONDS - start)) s"
