#!/usr/bin/env bash
# Runs playbooks/validate.yml against every inventory of the matrix:
#   good/<case>/hosts.{yml,ini} must pass ("inventory OK");
#   inventory/sample/<name>/ must fail as it is and pass once edited (sample-unedited/<name>/);
#   bad/<case>/hosts.{yml,ini} must fail with exactly `count` problems (1 when
#   there is no count file) and name every line of bad/<case>/expected.
# Every case is read on top of shared.yml (what every docker cluster must set, the cri-dockerd
# checksum); a case overrides it by setting the variable itself.
# The last line is "N passed, M failed"; the exit status is 1 on any failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
playbook="$repo/playbooks/validate.yml"
bin_dir="$repo/.venv/bin"
ansible_playbook=$(command -v ansible-playbook || echo "$bin_dir/ansible-playbook")

# duoshou.kubeadm.* resolves only from an ansible_collections/duoshou/kubeadm
# path: link the work tree into a temporary one unless the caller set it up.
if [[ -z "${ANSIBLE_COLLECTIONS_PATH:-}" ]]; then
  link_root=$(mktemp -d)
  trap 'rm -rf "$link_root"' EXIT
  mkdir -p "$link_root/ansible_collections/duoshou"
  ln -s "$repo" "$link_root/ansible_collections/duoshou/kubeadm"
  export ANSIBLE_COLLECTIONS_PATH="$link_root"
fi
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0

passed=0
failed=0
shared=() # the samples are read alone, as a user reads them
start=$SECONDS

inventory_of() {
  local dir=$1 file
  for file in "$dir/hosts.yml" "$dir/hosts.ini"; do
    [[ -f "$file" ]] && { echo "$file"; return 0; }
  done
  return 1
}

report() { # name, ok (0/1), reason
  if [[ $2 -eq 0 ]]; then
    passed=$((passed + 1))
    echo "ok   $1"
  else
    failed=$((failed + 1))
    echo "FAIL $1: $3"
  fi
}

run_good() { # name, inventory, extra ansible-playbook arguments...
  local output rc
  output=$("$ansible_playbook" "$playbook" "${shared[@]}" -i "$2" "${@:3}" 2>&1)
  rc=$?
  if [[ $rc -ne 0 ]]; then
    report "$1" 1 "exit $rc, expected success"
    printf '%s\n' "$output" | grep -E 'fatal|ERROR' | head -n 5 | sed 's/^/     /'
  elif ! grep -q 'inventory OK' <<<"$output"; then
    report "$1" 1 "no 'inventory OK' summary"
  else
    report "$1" 0
  fi
}

run_bad() { # name, inventory, case dir
  local output rc count line missing=""
  count=1
  [[ -f "$3/count" ]] && count=$(<"$3/count")
  output=$("$ansible_playbook" "$playbook" "${shared[@]}" -i "$2" 2>&1)
  rc=$?
  if [[ $rc -eq 0 ]]; then
    report "$1" 1 "passed, expected a failure"
    return
  fi
  if ! grep -qF "The inventory has $count problem(s)" <<<"$output"; then
    report "$1" 1 "expected $count problem(s); got: $(grep -oE 'The inventory has [0-9]+ problem|ERROR.*' <<<"$output" | head -n 1)"
    printf '%s\n' "$output" | grep -E '^fatal' | head -n 3 | sed 's/^/     /'
    return
  fi
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "$line" ]] && continue
    grep -qF -- "$line" <<<"$output" || missing+="[$line] "
  done <"$3/expected"
  if [[ -n "$missing" ]]; then
    report "$1" 1 "output lacks $missing"
    printf '%s\n' "$output" | grep -E '^fatal' | head -n 3 | sed 's/^/     /'
  else
    report "$1" 0
  fi
}

# Each sample directory is refused as it is (sample-unedited/<name>/expected, count), and
# passes once the flag is gone and the placeholders of sample-unedited/<name>/edits (one
# name=value a line, the user's edits) are replaced.
for inventory in "$repo"/inventory/sample/*/; do
  inventory=${inventory%/}
  name=${inventory##*/}
  cases="$here/sample-unedited/$name"
  [[ -s "$cases/expected" ]] || { report "sample/$name" 1 "no $cases/expected"; continue; }
  run_bad "sample/$name unedited" "$inventory" "$cases"
  edits=(-e cluster_inventory_sample=false)
  if [[ -f "$cases/edits" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      [[ -n "$line" ]] && edits+=(-e "$line")
    done <"$cases/edits"
  fi
  run_good "sample/$name edited" "$inventory" "${edits[@]}"
done
shared=(-i "$here/shared.yml")
for dir in "$here"/good/*/; do
  dir=${dir%/}
  inventory=$(inventory_of "$dir") || { report "good/${dir##*/}" 1 "no hosts.yml or hosts.ini"; continue; }
  run_good "good/${dir##*/}" "$inventory"
done
for dir in "$here"/bad/*/; do
  dir=${dir%/}
  inventory=$(inventory_of "$dir") || { report "bad/${dir##*/}" 1 "no hosts.yml or hosts.ini"; continue; }
  [[ -s "$dir/expected" ]] || { report "bad/${dir##*/}" 1 "no expected file"; continue; }
  run_bad "bad/${dir##*/}" "$inventory" "$dir"
done

echo "validation matrix took $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
