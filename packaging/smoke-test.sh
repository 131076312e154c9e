#!/usr/bin/env bash
# The release as a user gets it (./switchboard test, step "packaging"): `./switchboard package` makes the tarball,
# the unpacked launcher serves a configuration on a free loopback port, /readyz and /v1/usage answer with the
# build's version, SIGTERM drains and exits 0. Then the Docker image, where a Docker daemon answers: built from
# the Dockerfile, run with the configuration mounted, healthy by its HEALTHCHECK, stopped cleanly. Without a
# daemon (or without the base image's registry) that part is skipped and says why.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
SERVER_PID=""
CONTAINER=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
  [[ -n "$CONTAINER" ]] && docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
say() { printf '  %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# Waits (at most $2 s) for the line $3 in file $1: the server's own word that it listens, not a sleep.
await_line() {
  grep -q -m1 -- "$3" < <(timeout "$2" tail -n +1 -f "$1") || fail "no '$3' within $2 s in $1: $(tail -5 "$1")"
}

SECRET="sk_secret_smoke_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat >"$WORK/switchboard.yaml" <<YAML
apps:
  - id: smoke
    keys:
      - { type: publishable, id: pk_live_smoke000000000000001, channelPatterns: ["**"] }
      - { type: secret, id: sk_id_smoke000000000000001, secret: $SECRET, channelPatterns: ["**"] }
YAML

# ── the tarball ──
tarball="$("$ROOT/switchboard" package "$WORK/dist" | tail -n1)"
[[ -f "$tarball" ]] || fail "no tarball"
tar -C "$WORK" -xzf "$tarball"
unpacked="$WORK/$(basename "$tarball" .tar.gz)"
for f in switchboard server/target/switchboard.jar README.md docs/deploy.md docs/operations.md Dockerfile \
         packaging/switchboard.service; do
  [[ -f "$unpacked/$f" ]] || fail "$f is missing from $(basename "$tarball")"
done
version="$(basename "$tarball" .tar.gz)"; version="${version#switchboard-}"
"$unpacked/switchboard" --version | grep -qx "Switchboard $version" || fail "--version is not $version"
say "tarball $(basename "$tarball"): jar, launcher, docs, Dockerfile, unit; --version $version"

SWITCHBOARD_PORT=0 "$unpacked/switchboard" serve --config "$WORK/switchboard.yaml" --set server.stateDir="$WORK/state" \
  >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
await_line "$WORK/serve.log" 60 "Switchboard listening on ws://127.0.0.1:"
port="$(sed -n 's#^Switchboard listening on ws://127.0.0.1:\([0-9]*\)/v1$#\1#p' "$WORK/serve.log")"
[[ "$port" =~ ^[0-9]+$ ]] || fail "no port in: $(cat "$WORK/serve.log")"
curl -fsS "http://127.0.0.1:$port/readyz" | grep -q '"ready"' || fail "/readyz is not ready"
curl -fsS -H "Authorization: Bearer sk_id_smoke000000000000001:$SECRET" "http://127.0.0.1:$port/v1/usage" \
  | grep -q "\"serverVersion\":\"$version\"" || fail "/v1/usage does not report $version"
curl -fsS "http://127.0.0.1:$port/metrics" | grep -q "switchboard_build_info{version=\"$version\"}" \
  || fail "/metrics has no build info"
grep -q "$SECRET" "$WORK/serve.log" && fail "the log holds the key's secret"
kill -TERM "$SERVER_PID"
status=0; wait "$SERVER_PID" || status=$?
SERVER_PID=""
(( status == 0 )) || fail "serve exited $status after SIGTERM"
grep -q "event=drain_finished" "$WORK/serve.log" || fail "no drain_finished line"
say "unpacked launcher: serve on the environment's port (SWITCHBOARD_PORT=0 → $port), /readyz, /v1/usage and /metrics, SIGTERM drained, exit 0"

# ── the systemd unit ──
if command -v systemd-analyze >/dev/null 2>&1; then
  mkdir -p "$WORK/unit" && cp "$ROOT/packaging/switchboard.service" "$WORK/unit/"
  verify="$(systemd-analyze verify --man=no "$WORK/unit/switchboard.service" 2>&1 || true)"
  # A machine without /usr/bin/java may say so; anything else (an unknown key, a bad value) is a defect.
  if grep -v "/usr/bin/java" <<<"$verify" | grep -qiE "unknown|invalid|failed|error"; then
    fail "systemd-analyze verify: $verify"
  fi
  say "systemd unit: systemd-analyze verify has no complaint"
else
  say "systemd unit: not verified (no systemd-analyze on this machine)"
fi

# ── the image ──
if ! command -v docker >/dev/null 2>&1; then
  say "Docker image: skipped (no docker command on this machine)"
  exit 0
fi
if ! docker info >/dev/null 2>&1; then
  say "Docker image: skipped (docker is installed but no daemon answers)"
  exit 0
fi
if ! docker build -q -t switchboard:smoke "$ROOT" >"$WORK/build.log" 2>&1; then
  if grep -qiE "pull|registry|resolve|dial|timeout" "$WORK/build.log"; then
    say "Docker image: skipped (the base image cannot be pulled here: $(tail -1 "$WORK/build.log"))"
    exit 0
  fi
  fail "docker build: $(tail -5 "$WORK/build.log")"
fi
CONTAINER="switchboard-smoke-$$"
since="$(date +%s)"
docker run -d --name "$CONTAINER" -p "127.0.0.1::7070" \
  -v "$WORK/switchboard.yaml:/etc/switchboard/switchboard.yaml:ro" switchboard:smoke >/dev/null
mapped="$(docker port "$CONTAINER" 7070/tcp | head -1)"
# The daemon's own event says when the HEALTHCHECK first passed (start period 20 s, interval 10 s).
grep -q -m1 "health_status: healthy" < <(timeout 90 docker events --since "$since" \
  --filter "container=$CONTAINER" --filter event=health_status) || true
health="$(docker inspect --format '{{.State.Health.Status}}' "$CONTAINER")"
[[ "$health" == healthy ]] || fail "container not healthy: $health"
curl -fsS "http://$mapped/readyz" | grep -q '"ready"' || fail "/readyz through the container's port"
[[ "$(docker exec "$CONTAINER" id -u)" != 0 ]] || fail "the container runs as root"
docker stop -t 30 "$CONTAINER" >/dev/null
[[ "$(docker inspect --format '{{.State.ExitCode}}' "$CONTAINER")" == 0 ]] || fail "container exit code after stop"
say "Docker image: healthy, /readyz through the mapped port, non-root, stopped with exit 0"
