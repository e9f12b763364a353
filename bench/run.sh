#!/usr/bin/env bash
# sshook benchmark runner: see bench/README.md.
#
#   bench/run.sh [--payloads N] [--keep DIR] [--files-sizes "20000 200000 1000000"]
#                [--scale N]
#
#   --payloads N   NDJSON corpus of N payloads and a dated-folders corpus of N/2 files
#                  (default 200000 and 100000)
#   --files-sizes  many-small-files rows: one-payload-per-file corpora of these sizes,
#                  export and validate against the floor at each (default: none)
#   --scale N      the scale row: N payloads (N / PAYLOADS rounds of the NDJSON corpus, ids
#                  moved each round) through a pipe into export and stats (default: none;
#                  the issue's run is 10000000)
#   --keep DIR     generate the corpora (and keep outputs) in DIR, and reuse corpora already
#                  there; without it everything goes to a temporary folder removed at the end
#
# Rows also added: the NDJSON corpus through a pipe (`sshook export -`), and DuckDB
# (`bench/duckdb_export.py`, pip `duckdb` installed into WORK/pylib; NO_DUCKDB=1 skips it).
#
# Environment: SKIP_JQ=1 skips the (slow) jq row; SEED (default 42); NO_HYPERFINE=1 skips the
# optional hyperfine pass; CARGO (default cargo); SSHOOK_BIN (default target/release/sshook)
# measures another sshook binary.
set -uo pipefail

PAYLOADS=200000
KEEP=""
FILES_SIZES=""
SCALE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --payloads) PAYLOADS="$2"; shift 2 ;;
    --payloads=*) PAYLOADS="${1#*=}"; shift ;;
    --keep) KEEP="$2"; shift 2 ;;
    --keep=*) KEEP="${1#*=}"; shift ;;
    --files-sizes) FILES_SIZES="$2"; shift 2 ;;
    --scale) SCALE="$2"; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$PAYLOADS" in ''|*[!0-9]*) echo "run.sh: --payloads needs a number" >&2; exit 2 ;; esac
FILES_PAYLOADS=$((PAYLOADS / 2))
SEED="${SEED:-42}"
CARGO="${CARGO:-cargo}"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT" || exit 2

if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP" && WORK="$(cd "$KEEP" && pwd)"
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/sshook-bench.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
fi
OUT="$WORK/out"
mkdir -p "$OUT"

log() { echo "[bench] $*" >&2; }

# ---------------------------------------------------------------- tools
if [ ! -x /usr/bin/time ]; then
  log "installing GNU time (/usr/bin/time)"
  (apt-get update -qq && apt-get install -y -qq time) >&2 || true
fi
if [ ! -x /usr/bin/time ]; then
  echo "run.sh: /usr/bin/time is required (Debian package 'time')" >&2
  exit 2
fi
HAVE_JQ=0; command -v jq >/dev/null 2>&1 && HAVE_JQ=1
HAVE_HF=0; command -v hyperfine >/dev/null 2>&1 && [ -z "${NO_HYPERFINE:-}" ] && HAVE_HF=1
HAVE_DUCKDB=0
if [ -z "${NO_DUCKDB:-}" ]; then
  if ! PYTHONPATH="$WORK/pylib" python3 -c 'import duckdb' 2>/dev/null; then
    log "installing DuckDB for the comparison (pip duckdb into $WORK/pylib)"
    python3 -m pip install --quiet --target "$WORK/pylib" duckdb >&2 || true
  fi
  PYTHONPATH="$WORK/pylib" python3 -c 'import duckdb' 2>/dev/null && HAVE_DUCKDB=1
fi

# ---------------------------------------------------------------- corpora
NDJSON_DIR="$WORK/ndjson-$PAYLOADS-s$SEED"
FILES_DIR="$WORK/files-$FILES_PAYLOADS-s$SEED"
gen() { # dir layout payloads
  if [ -f "$1/.complete" ]; then
    log "reusing corpus $1"
    return 0
  fi
  rm -rf "$1"
  log "generating $2 corpus of $3 payloads in $1"
  python3 bench/gen_corpus.py --out "$1" --payloads "$3" --layout "$2" --seed "$SEED" \
    && touch "$1/.complete"
}
gen "$NDJSON_DIR" ndjson "$PAYLOADS" || { echo "run.sh: corpus generation failed" >&2; exit 1; }
gen "$FILES_DIR" files "$FILES_PAYLOADS" || { echo "run.sh: corpus generation failed" >&2; exit 1; }

# ---------------------------------------------------------------- build
SSHOOK="${SSHOOK_BIN:-$ROOT/target/release/sshook}"
FLOOR="$ROOT/target/release/examples/floor"
BUILD_OK=1; FLOOR_OK=1
log "cargo build --release"
if ! "$CARGO" build --release >"$OUT/build.log" 2>&1 && [ -z "${SSHOOK_BIN:-}" ]; then
  BUILD_OK=0; log "cargo build --release failed (see $OUT/build.log): sshook rows will fail"
fi
log "cargo build --release --example floor"
if ! "$CARGO" build --release --example floor >>"$OUT/build.log" 2>&1; then
  FLOOR_OK=0; log "floor example failed to build: floor rows will fail"
fi
[ -x "$SSHOOK" ] || BUILD_OK=0
[ -x "$FLOOR" ] || FLOOR_OK=0

# ---------------------------------------------------------------- measuring
RESULTS="$OUT/results.tsv"
: >"$RESULTS"

# measure CORPUS_KIND LABEL KIND(floor|sshook|python|jq|other) -- CMD... [> redirect via $STDOUT]
# Writes: kind label wall rss status
STDOUT=/dev/null
measure() {
  local corpus="$1" label="$2" kind="$3"; shift 3
  local tf="$OUT/time.$$" wall rss status
  if [ "$1" = "SKIP" ]; then
    printf '%s\t%s\t%s\t\t\tskipped\n' "$corpus" "$kind" "$label" >>"$RESULTS"
    log "skipped: $label"
    return
  fi
  if [ "$1" = "FAIL" ]; then
    printf '%s\t%s\t%s\t\t\tfailed\n' "$corpus" "$kind" "$label" >>"$RESULTS"
    log "failed (not built): $label"
    return
  fi
  log "running: $label"
  rm -f "$tf"
  /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$STDOUT" 2>"$OUT/stderr.last"
  local rc=$?
  read -r wall rss <"$tf" 2>/dev/null || true
  # GNU time writes "Command exited with non-zero status N" first on failure
  if [ "$rc" -ne 0 ]; then
    wall="$(tail -n1 "$tf" 2>/dev/null | cut -d' ' -f1)"; rss="$(tail -n1 "$tf" 2>/dev/null | cut -d' ' -f2)"
    status="failed (exit $rc)"
    log "  exit $rc: $(tail -n3 "$OUT/stderr.last" | tr '\n' ' ')"
  else
    status=ok
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$corpus" "$kind" "$label" "$wall" "$rss" "$status" >>"$RESULTS"
  if [ "$status" = ok ]; then log "  ${wall}s, ${rss} KB"; fi
}

last_id_ndjson() {
  tail -n 1 "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["channel"]["id"])' 2>/dev/null
}
last_id_files() {
  find "$1" -name '*.json' | sort | tail -n 1 | sed -E 's#.*/[0-9]+-([0-9]+)(-r[0-9]+)?\.json$#\1#'
}

run_corpus() { # kind path docs
  local c="$1" path="$2" id
  local S F
  if [ "$BUILD_OK" = 1 ]; then S=""; else S=FAIL; fi
  if [ "$FLOOR_OK" = 1 ]; then F=""; else F=FAIL; fi
  if [ "$c" = ndjson ]; then id="$(last_id_ndjson "$path")"; else id="$(last_id_files "$path")"; fi
  id="${id:-0}"

  # warm the page cache so that every row sees the same state
  if [ "$FLOOR_OK" = 1 ]; then "$FLOOR" read "$path" 2>/dev/null; else find "$path" -type f -exec cat {} + >/dev/null; fi

  STDOUT=/dev/null
  measure "$c" "floor read" floor-read ${F:-"$FLOOR"} read "$path"
  measure "$c" "floor parse" floor-parse ${F:-"$FLOOR"} parse "$path"
  measure "$c" "sshook validate --quiet" sshook ${S:-"$SSHOOK"} validate "$path" --quiet
  measure "$c" "sshook export conversations csv" sshook ${S:-"$SSHOOK"} export "$path" --rows conversations --format csv -o "$OUT/$c-conversations.csv"
  measure "$c" "sshook export messages csv" sshook ${S:-"$SSHOOK"} export "$path" --rows messages --format csv -o "$OUT/$c-messages.csv"
  measure "$c" "sshook export conversations ndjson" sshook ${S:-"$SSHOOK"} export "$path" --rows conversations --format ndjson -o "$OUT/$c-conversations.ndjson"
  measure "$c" "sshook export conversations parquet" sshook ${S:-"$SSHOOK"} export "$path" --rows conversations --format parquet -o "$OUT/$c-conversations.parquet"
  measure "$c" "sshook stats --by day csv" sshook ${S:-"$SSHOOK"} stats "$path" --by day --format csv
  measure "$c" "sshook show --id $id text" sshook ${S:-"$SSHOOK"} show "$path" --id "$id" --format text
  STDOUT="$OUT/$c-python.csv"
  measure "$c" "python reference_export.py" python python3 bench/reference_export.py "$path"
  if [ "$c" = ndjson ]; then
    STDOUT="$OUT/$c-pipe.csv"
    measure "$c" "sshook export - (the corpus through a pipe)" sshook ${S:-"$SSHOOK"} export - --rows conversations --format csv < <(cat "$path")
    # The same export into a file without -o's fsync and rename, as DuckDB's COPY writes
    # (it does not fsync): the row to compare with DuckDB's.
    STDOUT="$OUT/$c-conversations-stdout.csv"
    measure "$c" "sshook export conversations csv > file (no fsync, as DuckDB)" sshook ${S:-"$SSHOOK"} export "$path" --rows conversations --format csv
    STDOUT=/dev/null
    if [ "$HAVE_DUCKDB" = 1 ]; then
      measure "$c" "duckdb read_json -> csv, 2 threads" duckdb env PYTHONPATH="$WORK/pylib" python3 bench/duckdb_export.py "$path" "$OUT/$c-duckdb.csv" 2
    else
      measure "$c" "duckdb read_json -> csv, 2 threads" duckdb SKIP
    fi
    STDOUT="$OUT/$c-jq.csv"
    if [ -n "${SKIP_JQ:-}" ] || [ "$HAVE_JQ" = 0 ]; then
      measure "$c" "jq -r -f bench/export.jq" jq SKIP
    else
      measure "$c" "jq -r -f bench/export.jq" jq jq -r -f bench/export.jq "$path"
    fi
  fi
  STDOUT=/dev/null
}

corpus_bytes() { find "$1" -type f ! -name '.complete' -printf '%s\n' | awk '{s+=$1} END {printf "%.0f\n", s}'; }
NDJSON_BYTES="$(corpus_bytes "$NDJSON_DIR")"
FILES_BYTES="$(corpus_bytes "$FILES_DIR")"
: >"$OUT/sizes.tsv"

run_corpus ndjson "$NDJSON_DIR/corpus.ndjson"
run_corpus files "$FILES_DIR"

# many small files: the layout serve writes, at each size
for n in $FILES_SIZES; do
  dir="$WORK/files-$n-s$SEED"
  gen "$dir" files "$n" || continue
  c="files-$n"
  if [ "$FLOOR_OK" = 1 ]; then "$FLOOR" read "$dir" 2>/dev/null; fi
  measure "$c" "floor parse" floor-parse "$FLOOR" parse "$dir"
  measure "$c" "sshook validate --quiet" sshook "$SSHOOK" validate "$dir" --quiet
  measure "$c" "sshook export conversations csv" sshook "$SSHOOK" export "$dir" --rows conversations --format csv -o "$OUT/$c.csv"
  echo "$c	$n	$(corpus_bytes "$dir")" >>"$OUT/sizes.tsv"
done

# scale: N payloads through a pipe (every payload a new conversation), peak RSS of sshook
if [ "$SCALE" -gt 0 ] && [ "$BUILD_OK" = 1 ] && [ "$FLOOR_OK" = 1 ]; then
  rounds=$(( (SCALE + PAYLOADS - 1) / PAYLOADS ))
  c="scale"
  STDOUT=/dev/null
  measure "$c" "sshook export - ($((rounds * PAYLOADS)) payloads, pipe)" sshook "$SSHOOK" export - --rows conversations --format csv < <("$FLOOR" repeat "$NDJSON_DIR/corpus.ndjson" "$rounds")
  measure "$c" "sshook stats - --by month ($((rounds * PAYLOADS)) payloads, pipe)" sshook "$SSHOOK" stats - --by month --format csv < <("$FLOOR" repeat "$NDJSON_DIR/corpus.ndjson" "$rounds")
  echo "$c	$((rounds * PAYLOADS))	$((rounds * NDJSON_BYTES))" >>"$OUT/sizes.tsv"
fi

# optional second opinion with hyperfine (3 runs each) for the main sshook commands
if [ "$HAVE_HF" = 1 ] && [ "$BUILD_OK" = 1 ]; then
  log "hyperfine pass"
  hyperfine --warmup 1 --runs 3 --ignore-failure --export-markdown "$OUT/hyperfine.md" \
    -n "floor parse (ndjson)" "$FLOOR parse $NDJSON_DIR/corpus.ndjson" \
    -n "validate (ndjson)" "$SSHOOK validate $NDJSON_DIR/corpus.ndjson --quiet" \
    -n "export conversations csv (ndjson)" "$SSHOOK export $NDJSON_DIR/corpus.ndjson --rows conversations --format csv -o $OUT/hf.csv" \
    -n "export conversations csv (files)" "$SSHOOK export $FILES_DIR --rows conversations --format csv -o $OUT/hf.csv" \
    >&2 || true
fi

# ---------------------------------------------------------------- report
SSHOOK_VERSION="$( [ -x "$SSHOOK" ] && "$SSHOOK" --version 2>/dev/null | head -n1 )"
GIT_REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo uncommitted)"
python3 - "$RESULTS" "$PAYLOADS" "$NDJSON_BYTES" "$FILES_PAYLOADS" "$FILES_BYTES" \
  "${SSHOOK_VERSION:-sshook (not built)}" "$GIT_REV" "$(nproc)" "$OUT/sizes.tsv" <<'PY'
import sys
res, n_nd, b_nd, n_f, b_f, ver, rev, cores, sizes = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(res, encoding="utf-8") if l.strip()]
meta = {"ndjson": (int(n_nd), int(b_nd), "NDJSON, one file"),
        "files": (int(n_f), int(b_f), "one pretty-printed file per payload in dated folders")}
extra = []
for line in open(sizes, encoding="utf-8"):
    name, docs, size = line.rstrip("\n").split("\t")
    desc = "through a pipe, ids moved each round" if name == "scale" else "one pretty-printed file per payload"
    meta[name] = (int(docs), int(size), desc)
    extra.append(name)
print(f"# sshook benchmark\n\n{ver}, git {rev}, {cores} cores. Wall time and peak RSS from "
      "`/usr/bin/time -f '%e %M'`, one run each, warm page cache.\n")
for corpus in ["ndjson", "files"] + extra:
    docs, size, desc = meta[corpus]
    rs = [r for r in rows if r[0] == corpus]
    def wall(kind):
        for r in rs:
            if r[1] == kind and r[5] == "ok" and r[3]:
                return max(float(r[3]), 0.005)  # /usr/bin/time has 10 ms resolution
        return None
    py, jq, fp = wall("python"), wall("jq"), wall("floor-parse")
    print(f"## {corpus}: {docs} payloads, {size / 1e6:.1f} MB ({desc})\n")
    print("| command | wall s | MB/s | payloads/s | peak RSS MiB | vs python | vs jq | % of floor parse |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for _, kind, label, w, rss, status in rs:
        if status != "ok" or not w:
            print(f"| {label} | {status} | | | | | | |")
            continue
        w = float(w)
        t = max(w, 0.005)  # /usr/bin/time has 10 ms resolution
        cells = [label, f"{w:.2f}", f"{size / 1e6 / t:.0f}", f"{docs / t:,.0f}",
                 f"{int(rss) / 1024:.0f}" if rss else "",
                 f"{py / t:.1f}×" if py else "-", f"{jq / t:.1f}×" if jq else "-",
                 f"{fp / t * 100:.0f} %" if fp else "-"]
        print("| " + " | ".join(cells) + " |")
    print()
print("vs python / vs jq: how many times faster than that competitor on the same corpus "
      "(>1 is faster). % of floor parse: floor-parse wall time / this wall time.")
PY
if [ -f "$OUT/hyperfine.md" ]; then
  echo; echo "## hyperfine (3 runs, mean ± σ)"; echo; cat "$OUT/hyperfine.md"
fi
[ -n "$KEEP" ] && log "corpora and outputs kept in $WORK"
exit 0
