#!/usr/bin/env bash
# Crash test for `sshook serve`, on loopback only:
#   start the server, run the load test (64 clients, 10 000 requests: new, re-sent, changed,
#   invalid, oversize, wrong token, healthz), SIGKILL the server midway, restart it on the same
#   port, let the load test finish (it retries connection errors, as Smartsupp would), then check
#   that every acknowledged body is on disk byte for byte, that every payload file on disk was
#   acknowledged (nothing partial or temporary is visible), and that `sshook validate` is clean.
#
# Usage: bench/serve-crash.sh [--requests N] [--clients N] [--keep DIR]
# Env:   SSHOOK_BIN (default target/release/sshook), LOADTEST_BIN (target/release/examples/loadtest)
set -euo pipefail

requests=10000
clients=64
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) requests="$2"; shift 2 ;;
        --clients) clients="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        *) echo "usage: $0 [--requests N] [--clients N] [--keep DIR]" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -z "${SSHOOK_BIN:-}" ] || [ -z "${LOADTEST_BIN:-}" ]; then
    cargo build --release --quiet --bin sshook --example loadtest
fi
bin="${SSHOOK_BIN:-$root/target/release/sshook}"
loadtest="${LOADTEST_BIN:-$root/target/release/examples/loadtest}"

work="${keep:-$(mktemp -d)}"
mkdir -p "$work"
dumps="$work/dumps"
rm -rf "$dumps"
token="crash-$RANDOM$RANDOM"
max_body="256KiB"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -z "$keep" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# Starts the server on $1 (host:port) and waits for its "listening" line; sets server_pid, port.
start_server() {
    local log="$work/server-$2.log"
    SSHOOK_TOKEN="$token" "$bin" serve --listen "$1" --dir "$dumps" --max-body "$max_body" \
        --quiet 2>"$log" &
    server_pid=$!
    for _ in $(seq 1 500); do
        if grep -q "listening on http://" "$log" 2>/dev/null; then
            port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")"
            return 0
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            cat "$log" >&2
            return 1
        fi
        sleep 0.02
    done
    echo "serve-crash: the server did not start" >&2
    return 1
}

start_server "127.0.0.1:0" first
echo "serve-crash: server $server_pid on 127.0.0.1:$port, dumps in $dumps"

"$loadtest" --url "http://127.0.0.1:$port" --token "$token" --max-body "$max_body" \
    --clients "$clients" --requests "$requests" --retry-for 60 --verify-dir "$dumps" \
    >"$work/loadtest.out" 2>"$work/loadtest.err" &
loadtest_pid=$!

# Midway: once a fifth of the requests have left files behind.
target=$((requests / 5))
for _ in $(seq 1 3000); do
    stored=$(find "$dumps" -name '*.json' 2>/dev/null | wc -l)
    [ "$stored" -ge "$target" ] && break
    kill -0 "$loadtest_pid" 2>/dev/null || break
    sleep 0.01
done
echo "serve-crash: SIGKILL after $stored files"
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
sleep 0.3
start_server "127.0.0.1:$port" second
echo "serve-crash: restarted as $server_pid"

status=0
wait "$loadtest_pid" || status=$?
cat "$work/loadtest.out"
cat "$work/loadtest.err" >&2
if [ "$status" -ne 0 ]; then
    echo "serve-crash: FAILED: the load test exited with $status" >&2
    exit 1
fi

temps=$(find "$dumps" -name '.tmp-*' | wc -l)
echo "serve-crash: $temps temporary files left by the kill (hidden from readers)"
validate_err="$work/validate.err"
if ! "$bin" validate "$dumps" >"$work/validate.out" 2>"$validate_err"; then
    head -20 "$work/validate.out" >&2
    echo "serve-crash: FAILED: sshook validate found errors" >&2
    exit 1
fi
cat "$validate_err"
files=$(sed -n 's/^validate: \([0-9]*\) files.*/\1/p' "$validate_err")
acknowledged=$(sed -n 's/^verify: \([0-9]*\) acknowledged payload files.*/\1/p' "$work/loadtest.out")
if [ "$files" != "$acknowledged" ]; then
    echo "serve-crash: FAILED: validate read $files files, $acknowledged were acknowledged" >&2
    exit 1
fi
echo "serve-crash: ok: $acknowledged acknowledged payloads on disk byte-identical, validate clean"
