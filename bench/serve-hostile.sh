#!/usr/bin/env bash
# Hostile tests for `sshook serve`, on loopback only, each bounded in count and time
# (bench/serve_hostile.rs does the talking):
#   stall   IDLE idle + SLOW byte-by-byte connections without the token, reopened as soon as
#           closed, while 32 clients post 3 200 valid payloads and /healthz is asked every 50 ms:
#           p99 of both must stay under 1 s, every acknowledged payload on disk byte for byte
#   flood   300 invalid 1 MiB bodies, then 6 000 empty ones: rejected/ stops at its bound
#   memory  256 bodies of 10 MiB at once: peak RSS against --max-inflight, and RSS after
#   events  500 signed webhook events, each delivered twice, forged and unsigned ones: each
#           stored once byte for byte, nothing else stored
#   copies  1 000 differing re-sends of one conversation, then each again: the cost of the
#           1st and the 1 000th copy
#   fill    (if a tmpfs can be mounted: root) a 48 MiB tmpfs filled with 256 KiB payloads until
#           503, with --min-free 16MiB and then with no floor (the disk itself full), then the
#           tmpfs remounted read-only: /healthz 503
#
# Usage: bench/serve-hostile.sh [--idle N] [--slow N] [--only NAME] [--keep DIR]
# Env:   SSHOOK_BIN, HOSTILE_BIN (default target/release/{sshook,examples/serve_hostile}),
#        STALL_SERVE_ARGS (more serve flags for the stall run, e.g. "--max-connections 512")
set -euo pipefail

idle=500
slow=500
only=""
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --idle) idle="$2"; shift 2 ;;
        --slow) slow="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        *) echo "usage: $0 [--idle N] [--slow N] [--only stall|flood|memory|events|copies|fill] [--keep DIR]" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -z "${SSHOOK_BIN:-}" ] || [ -z "${HOSTILE_BIN:-}" ]; then
    cargo build --release --quiet --bin sshook --example serve_hostile
fi
bin="${SSHOOK_BIN:-$root/target/release/sshook}"
hostile="${HOSTILE_BIN:-$root/target/release/examples/serve_hostile}"

work="${keep:-$(mktemp -d)}"
mkdir -p "$work"
token="hostile-$RANDOM$RANDOM"
server_pid=""
mounted=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
cleanup() {
    stop_server
    if [ -n "$mounted" ]; then umount "$mounted" 2>/dev/null || true; fi
    if [ -z "$keep" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# start NAME DUMPS ARGS...: starts the server on a free loopback port; sets server_pid, url.
start() {
    local name="$1" dumps="$2"
    shift 2
    local log="$work/$name.log"
    SSHOOK_TOKEN="$token" "$bin" serve --listen 127.0.0.1:0 --dir "$dumps" --quiet "$@" 2>"$log" &
    server_pid=$!
    for _ in $(seq 1 500); do
        if grep -q "listening on http://" "$log" 2>/dev/null; then
            url="http://$(sed -n 's|.*listening on http://\([0-9.:]*\)/.*|\1|p' "$log")"
            return 0
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then cat "$log" >&2; return 1; fi
        sleep 0.02
    done
    echo "serve-hostile: the server did not start" >&2
    return 1
}

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }
status=0

if want stall; then
    echo "== stall: $idle idle + $slow byte-by-byte connections without the token"
    # shellcheck disable=SC2086
    start stall "$work/stall" ${STALL_SERVE_ARGS:-}
    "$hostile" stall --url "$url" --token "$token" --idle "$idle" --slow "$slow" \
        --clients 32 --requests 3200 --max-seconds 120 --verify-dir "$work/stall" || status=1
    stop_server
fi

if want flood; then
    echo "== flood: --rejected-max 64MiB, --rejected-max-files 2000"
    start flood "$work/flood" --rejected-max 64MiB --rejected-max-files 2000
    "$hostile" flood --url "$url" --token "$token" --requests 300 --size 1MiB --clients 8 \
        --max-seconds 120 || status=1
    "$hostile" flood --url "$url" --token "$token" --requests 6000 --size 1 --clients 8 \
        --max-seconds 120 || status=1
    echo "rejected/: $(find "$work/flood/rejected" -type f | wc -l) files, $(du -sm "$work/flood/rejected" | cut -f1) MiB on disk"
    grep -c "rejected/ is full" "$work/flood.log" | sed 's/^/log lines saying rejected\/ is full: /'
    stop_server
fi

if want memory; then
    echo "== memory: 256 bodies of 10 MiB at once, --max-inflight 256MiB"
    start memory "$work/memory" --max-body 10MiB --max-inflight 256MiB --min-free 0
    "$hostile" memory --url "$url" --token "$token" --pid "$server_pid" --clients 256 \
        --size 10MiB --max-seconds 120 || status=1
    stop_server
fi

if want events; then
    echo "== events: 500 signed events, each twice; forged and unsigned every tenth"
    secret="whsec-$RANDOM$RANDOM"
    SSHOOK_WEBHOOK_SECRET="$secret" start events "$work/events"
    "$hostile" events --url "$url" --secret "$secret" --requests 500 --max-seconds 120 \
        --verify-dir "$work/events" || status=1
    stop_server
    "$bin" validate "$work/events" >/dev/null 2>"$work/events-validate.err" || true
    echo "sshook validate on what was stored: $(tail -1 "$work/events-validate.err")"
fi

if want copies; then
    echo "== copies: 1 000 differing re-sends of one conversation, then each again"
    start copies "$work/copies" --max-copies 1000
    "$hostile" copies --url "$url" --token "$token" --requests 1000 --max-seconds 300 || status=1
    stop_server
fi

if want fill; then
    disk="$work/disk"
    mkdir -p "$disk"
    if mount -t tmpfs -o size=48m tmpfs "$disk" 2>/dev/null; then
        mounted="$disk"
        echo "== fill: a 48 MiB tmpfs, --min-free 16MiB"
        start fill-floor "$disk/dumps" --min-free 16MiB
        "$hostile" fill --url "$url" --token "$token" --requests 400 --size 256KiB \
            --max-seconds 120 --verify-dir "$disk/dumps" || status=1
        stop_server
        echo "== fill: the same disk, no floor (--min-free 0): the disk itself fills"
        start fill-full "$disk/dumps" --min-free 0
        "$hostile" fill --url "$url" --token "$token" --requests 400 --size 256KiB \
            --max-seconds 120 --verify-dir "$disk/dumps" || status=1
        echo "temporary files left: $(find "$disk" -name '.tmp-*' | wc -l); free: $(df --output=avail -B1 "$disk" | tail -1) bytes"
        stop_server
        echo "== read-only: the tmpfs remounted read-only"
        mount -o remount,ro "$disk"
        start readonly "$disk/dumps" --min-free 0
        health=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz" || echo "no curl")
        echo "/healthz on a read-only store: $health"
        [ "$health" = "503" ] || [ "$health" = "no curl" ] || status=1
        stop_server
        umount "$disk" && mounted=""
    else
        echo "== fill: skipped (cannot mount a tmpfs here)"
    fi
fi

if [ "$status" -ne 0 ]; then
    echo "serve-hostile: FAILED" >&2
fi
exit "$status"
