#!/usr/bin/env bash
# Tear the whole lab down: nodes, their volumes, the network, the mirror servers, and
# dockerd if the lab started it and nothing else runs on it. Caches under $DUOSHOU_LAB_CACHE stay.
# Containers the lab did not start keep the network and mirrors up unless --force is given.
set -euo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_require_root

force=false
[ "${1:-}" = --force ] && force=true

others=""
if docker info >/dev/null 2>&1; then
  "$LAB_DIR/nodes.sh" down all
  if docker network inspect "$LAB_NETWORK" >/dev/null 2>&1; then
    # Containers the lab did not start (someone's scratch nodes) may still use the mirrors.
    others=$(docker ps -a --filter "network=$LAB_NETWORK" --format '{{.Names}} {{.Label "duoshou-lab"}}' | awk '$2 != "1" {print $1}' | tr '\n' ' ')
  fi
fi
if [ -n "$others" ] && [ "$force" = false ]; then
  lab_log "kept the network and the mirrors: containers the lab did not start still use them: $others"
  lab_log "remove them, or run $0 --force"
  exit 0
fi
if docker info >/dev/null 2>&1 && docker network inspect "$LAB_NETWORK" >/dev/null 2>&1; then
  # The servers bind the gateway address: stop them before the address goes away.
  "$LAB_DIR/mirrors.sh" down
  if [ -n "$others" ]; then
    lab_log "disconnecting $others"
    for c in $others; do docker network disconnect -f "$LAB_NETWORK" "$c"; done
  fi
  lab_log "removing network $LAB_NETWORK"
  docker network rm "$LAB_NETWORK" >/dev/null
fi
"$LAB_DIR/mirrors.sh" down
if lab_pid_alive "$LAB_RUN/dockerd.pid"; then
  if [ -z "$(docker ps -q 2>/dev/null)" ]; then
    lab_stop_pidfile "$LAB_RUN/dockerd.pid" "dockerd (started by tests/lab/engine.sh)"
  else
    lab_log "dockerd left running: it still runs containers the lab did not create"
  fi
fi
lab_log "lab is down (caches kept in $DUOSHOU_LAB_CACHE)"
