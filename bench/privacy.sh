#!/usr/bin/env bash
# Erase and prune at scale: time and peak memory of `sshook erase` and `sshook prune` on one
# big NDJSON dump and its .gz, against `sshook export` of the same file, and the series of
# prunes that remove 5 k, 10 k, 20 k and all but a few documents. Checks every result against
# an expectation computed independently (grep -v, and a Python filter on beginAt).
#
#   bench/privacy.sh                         # 200 000 payloads (436 MB), best of 3
#   bench/privacy.sh --payloads 20000 --runs 1 --keep /tmp/sshook-privacy
#   OLD_BIN=/path/to/older/sshook bench/privacy.sh   # another build too (not its real
#                                                    # prunes of the big file: hours)
#
# Needs cargo, python3, gzip and GNU time as /usr/bin/time (Debian package `time`, installed
# with apt-get when missing). SSHOOK_BIN measures a given binary instead of building one.
# Outputs a Markdown table on stdout; the work folder holds the corpus and a copy per run.
set -euo pipefail

PAYLOADS=200000
RUNS=3
WORK=""
while [ $# -gt 0 ]; do
    case "$1" in
        --payloads) PAYLOADS="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --keep) WORK="$2"; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$WORK" ]; then
    WORK="$(mktemp -d /tmp/sshook-privacy.XXXXXX)"
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

if [ ! -x /usr/bin/time ]; then
    apt-get install -y time >/dev/null 2>&1 || { echo "install GNU time (/usr/bin/time)" >&2; exit 1; }
fi
if [ -z "${SSHOOK_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --release --quiet)
    SSHOOK_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/sshook"
fi

PERSON="planted.person@example.org"
# Another, planted only in the second half: the text before its first line is copied as it is.
LATE="planted.late@example.org"
CORPUS="$WORK/corpus-$PAYLOADS"
if [ ! -f "$CORPUS/dump.ndjson" ]; then
    [ -f "$CORPUS/corpus.ndjson" ] || python3 "$ROOT/bench/gen_corpus.py" --out "$CORPUS" \
        --payloads "$PAYLOADS" --layout ndjson --seed 42 >/dev/null
    # One person's conversations planted in several places: first lines, middle, last lines.
    python3 - "$CORPUS" "$PAYLOADS" "$PERSON" "$LATE" <<'EOF'
import re, sys
folder, n, person, late = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode()
at = {0, 1, n * 37 // 200, n // 2 - 1, n // 2, n * 3 // 4, n - 2, n - 1}
at_late = {n // 2 + 1, n * 3 // 4 + 1, n * 9 // 10}
email = re.compile(rb'"email":"[^"]*"')
with open(folder + "/corpus.ndjson", "rb") as src, open(folder + "/dump.ndjson", "wb") as out:
    for i, line in enumerate(src):
        if i in at or i in at_late:
            who = person if i in at else late
            line = email.sub(b'"email":"' + who + b'"', line, count=1)
        out.write(line)
EOF
    rm "$CORPUS/corpus.ndjson"
    gzip -6 -k "$CORPUS/dump.ndjson"
fi
DUMP="$CORPUS/dump.ndjson"

# The beginAt (ms) of the k-th oldest document, for --before: that many documents go.
python3 - "$DUMP" > "$WORK/dates" <<'EOF'
import sys
begins = []
with open(sys.argv[1], "rb") as f:
    for line in f:
        i = line.find(b'"beginAt":')
        begins.append(int(line[i + 10 : line.index(b",", i)]))
begins.sort()
n = len(begins)
for k in (5000, 10000, 20000, n - 1):
    if k < n:
        print(k, begins[k])
EOF

iso() { python3 -c "import datetime,sys; print(datetime.datetime.fromtimestamp(int(sys.argv[1])/1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]+'Z')" "$1"; }

# measure LABEL FILE_TO_COPY COMMAND...: best wall of $RUNS; the file is copied (and synced)
# to $WORK/run/ before each run, and FILE in the command stands for the copy.
ROWS=()
measure() {
    local label="$1" src="$2"; shift 2
    local best="" line
    for _ in $(seq "$RUNS"); do
        rm -rf "$WORK/run" && mkdir -p "$WORK/run"
        local copy="$WORK/run/$(basename "$src")"
        cp "$src" "$copy" && sync
        local args=()
        for a in "$@"; do args+=("${a//FILE/$copy}"); done
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "${args[@]}" >"$WORK/out" 2>"$WORK/err" || true
        line="$(tail -1 "$WORK/time")"
        if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN{split(a,x," ");split(b,y," ");exit !(x[1]<y[1])}'; then
            best="$line"
        fi
    done
    local wall user sys kb removed
    read -r wall user sys kb <<<"$best"
    # The documents removed, from the report's last line.
    # (A dry run says "would remove N conversations (P POST-hook payloads, …)".)
    removed=$(sed -n -e 's/.* removed (\([0-9]*\) POST-hook payloads.*/\1/p' \
        -e 's/.*: would remove [0-9]* conversations\{0,1\} (\([0-9]*\) POST-hook payloads.*/\1/p' \
        "$WORK/out" | tail -1)
    label="${label//REMOVED/${removed:-?}}"
    ROWS+=("$(printf '| %s | %.2f | %.2f | %.0f |' "$label" "$wall" "$(echo "$user + $sys" | bc)" "$((kb / 1024))")")
    printf '%-60s %6.2f s wall %6.2f s CPU %5d MiB\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" "$((kb / 1024))" >&2
}

# check WHAT: the last run's result against the expectation.
check_erase() {
    local got="$1" gz="$2" who="${3:-$PERSON}"
    if [ "$gz" = gz ]; then zcat "$got"; else cat "$got"; fi | cmp -s - <(grep -v -F "\"$who\"" "$DUMP") \
        || { echo "erase result differs from grep -v" >&2; exit 1; }
}
check_prune() {
    local got="$1" gz="$2" before="$3" original="${4:-$DUMP}"
    python3 - "$original" "$before" > "$WORK/expected" <<'EOF'
import sys
before = int(sys.argv[2])
out = sys.stdout.buffer
with open(sys.argv[1], "rb") as f:
    for line in f:
        i = line.find(b'"beginAt":')
        if int(line[i + 10 : line.index(b",", i)]) >= before:
            out.write(line)
EOF
    if [ "$gz" = gz ]; then zcat "$got"; else cat "$got"; fi | cmp -s - "$WORK/expected" \
        || { echo "prune result differs from the expectation" >&2; exit 1; }
}

SIZE=$(stat -c %s "$DUMP")
echo "corpus: $PAYLOADS payloads, $SIZE bytes ($DUMP), .gz $(stat -c %s "$DUMP.gz") bytes" >&2
for bin in "$SSHOOK_BIN" ${OLD_BIN:+"$OLD_BIN"}; do
    tag=""; [ "$bin" != "$SSHOOK_BIN" ] && tag=" (OLD_BIN)"
    for kind in ndjson gz; do
        src="$DUMP"; [ "$kind" = gz ] && src="$DUMP.gz"
        f="dump.ndjson"; [ "$kind" = gz ] && f="dump.ndjson.gz"
        measure "export $f -o /dev/null -f csv$tag" "$src" "$bin" export FILE -o /dev/null -f csv
        measure "erase $f --email X --dry-run$tag" "$src" "$bin" erase FILE --email "$PERSON" --dry-run
        measure "erase $f --email X$tag" "$src" "$bin" erase FILE --email "$PERSON"
        check_erase "$WORK/run/$f" "$kind"
        measure "erase $f --email Y (second half only)$tag" "$src" "$bin" erase FILE --email "$LATE"
        check_erase "$WORK/run/$f" "$kind" "$LATE"
        while read -r k at; do
            d="$(iso "$at")"
            measure "prune $f --before: REMOVED removed, dry run$tag" "$src" "$bin" prune FILE --before "$d" --dry-run
            # The rewrite before issue 30 took hours here (the square of the removals).
            [ -n "$tag" ] && continue
            measure "prune $f --before: REMOVED removed$tag" "$src" "$bin" prune FILE --before "$d"
            check_prune "$WORK/run/$f" "$kind" "$at"
        done < "$WORK/dates"
    done
done

# Files of 2n lines whose n oldest documents go, n = 5 k, 10 k, 20 k: the rewrite before
# issue 30 moved the kept text once per removed document (OLD_BIN, when given, shows it).
for n in 5000 10000 20000; do
    [ $((2 * n)) -le "$PAYLOADS" ] || continue
    head -n "$((2 * n))" "$DUMP" > "$WORK/head-$n.ndjson"
    at=$(python3 - "$WORK/head-$n.ndjson" "$n" <<'EOF'
import sys
b = []
for line in open(sys.argv[1], "rb"):
    i = line.find(b'"beginAt":')
    b.append(int(line[i + 10 : line.index(b",", i)]))
b.sort()
print(b[int(sys.argv[2])])
EOF
)
    for bin in "$SSHOOK_BIN" ${OLD_BIN:+"$OLD_BIN"}; do
        tag=""; [ "$bin" != "$SSHOOK_BIN" ] && tag=" (OLD_BIN)"
        measure "prune a $((2 * n))-line file: REMOVED removed$tag" "$WORK/head-$n.ndjson" "$bin" prune FILE --before "$(iso "$at")"
        check_prune "$WORK/run/head-$n.ndjson" ndjson "$at" "$WORK/head-$n.ndjson"
    done
done

echo
echo "| run | wall s | CPU s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
