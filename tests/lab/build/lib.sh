# shellcheck shell=bash
# Helpers shared by build-all.sh and the step files. Sourced, never executed.

log() {
  local line
  line="[$(date -u +%H:%M:%S)] $*"
  echo "$line"
  if [ -n "${LOG_FILE:-}" ]; then echo "$line" >>"$LOG_FILE"; fi
}

die() {
  log "ERROR: $*"
  exit 1
}

# Run a command, sending its output to the log file only (stdout stays short).
run() {
  if [ -n "${LOG_FILE:-}" ]; then
    echo "+ $*" >>"$LOG_FILE"
    "$@" >>"$LOG_FILE" 2>&1
  else
    "$@"
  fi
}

# Fail unless MOD@VER is served by the configured Go proxy; the proxy on some
# machines only mirrors part of the version history.
require_module() {
  local mod="$1" ver="$2"
  go list -m -json "${mod}@${ver}" >/dev/null 2>>"${LOG_FILE:-/dev/stderr}" ||
    die "Go module ${mod}@${ver} is not available from GOPROXY=$(go env GOPROXY); pick another version (go list -m -versions ${mod})"
}

# Path of the cached go.mod of MOD@VER (downloads it when needed).
module_gomod() {
  go mod download -json "$1@$2" | jq -er .GoMod
}

# Directory of the extracted module zip of MOD@VER.
module_dir() {
  go mod download -json "$1@$2" | jq -er .Dir
}

# Copy the `replace (...)` block and single-line replaces of an upstream go.mod
# into the consumer module in the current directory, skipping local (./, ../)
# targets that are not part of published module zips.
copy_replaces() {
  local gomod="$1" line
  local lines
  lines=$(awk '
    /^replace \(/ {inblk=1; next}
    inblk && /^\)/ {inblk=0; next}
    inblk {print; next}
    /^replace / {sub(/^replace /, ""); print}
  ' "$gomod" | sed 's#//.*##' | grep '=>' || true)
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    local lhs rhs
    lhs=$(echo "${line%%=>*}" | xargs)
    rhs=$(echo "${line##*=>}" | xargs)
    case "$rhs" in
      ./* | ../*) continue ;;
    esac
    # "path version" -> "path@version"
    lhs=$(echo "$lhs" | awk '{ if (NF==2) print $1 "@" $2; else print $1 }')
    rhs=$(echo "$rhs" | awk '{ if (NF==2) print $1 "@" $2; else print $1 }')
    go mod edit -replace="${lhs}=${rhs}"
  done <<<"$lines"
}

# Fresh consumer module directory under the cache's work area.
new_consumer() {
  local dir="$1" name="$2"
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$dir" && go mod init "$name" >/dev/null 2>&1)
}

# Build Go main packages from a consumer module into OUTDIR.
#   go_build_pkgs OUTDIR LDFLAGS PKG...
go_build_pkgs() {
  local outdir="$1" ld="$2" pkg
  shift 2
  mkdir -p "$outdir"
  for pkg in "$@"; do
    log "  go build $pkg"
    run go build -p "$GO_PARALLEL" -ldflags "$ld" -o "$outdir/$(basename "$pkg")" "$pkg"
  done
}

# Replace directory DEST with the finished directory TMP in one move, so an
# interrupted step never leaves a half-filled output behind.
publish_dir() {
  local tmp="$1" dest="$2"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$tmp" "$dest"
}

# output_has PATTERN CMD... : CMD's output (stdout+stderr) matches PATTERN.
# Captured first: `cmd | grep -q` under pipefail fails when grep exits early.
output_has() {
  local pat="$1" out
  shift
  out=$("$@" 2>&1) || true
  grep -q -- "$pat" <<<"$out"
}
