#!/usr/bin/env python3
"""The "plain Python json + csv script" competitor for the sshook benchmarks.

    python3 bench/reference_export.py INPUT... > conversations.csv

INPUT is an NDJSON file (*.ndjson / *.jsonl, optionally .gz), a *.json file (one payload
or a JSON array of payloads) or a folder searched recursively for *.json. Writes one CSV row
per conversation, deduplicated on channel.id (the first one wins), with the columns and
definitions of `sshook export --rows conversations --format csv` (see bench/README.md).
Deliberately straightforward: json.loads per line and csv.writer, as a user would write it.
"""
import csv
import datetime
import gzip
import json
import os
import sys

COLUMNS = [
    "channel_id", "account_id", "begin_at", "end_at", "begin_at_ms", "end_at_ms", "duration",
    "status", "is_chat", "is_missed", "is_triggered", "is_offline", "is_completed", "is_dropped",
    "first_response", "avg_response", "messages_recorded", "messages_counted", "words_recorded",
    "words_counted", "rating", "rating_desc", "visitor_id", "visitor_name", "visitor_email",
    "visitor_note", "visitor_group", "visitor_ip", "visitor_city", "visitor_country_code",
    "visitor_country", "visitor_platform", "visitor_user_agent", "visitor_referer", "agents",
    "triggers", "pages", "first_url", "first_visitor_message", "variables", "source_file",
    "source_line",
]

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def cell(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    return v


def rfc3339(ms):
    if ms is None:
        return ""
    return (EPOCH + datetime.timedelta(milliseconds=ms)).isoformat(timespec="milliseconds")


def distinct(values):
    seen = []
    for v in values:
        if v not in (None, "") and v not in seen:
            seen.append(v)
    return "; ".join(seen)


def row(p, source_file, source_line):
    ch = p.get("channel") or {}
    vis = p.get("visitor") or {}
    msgs = p.get("messages") or []
    paths = p.get("paths") or []

    if ch.get("isOffline"):
        status = "offline"
    elif ch.get("isMissed"):
        status = "missed"
    elif ch.get("isDropped"):
        status = "dropped"
    elif ch.get("isCompleted"):
        status = "completed"
    else:
        status = "incomplete"

    counted = [m for m in msgs if m.get("type") in ("visitor", "agent")]
    words = sum(len((m.get("content") or "").split()) for m in counted)
    agents = distinct(m.get("name") for m in msgs
                      if m.get("type") == "agent" and str(m.get("from") or "").startswith("agent:"))
    triggers = distinct(m.get("triggeredBy") for m in msgs
                        if m.get("type") == "agent" and m.get("from") == "system")
    first_visitor = next((m.get("content") for m in msgs if m.get("type") == "visitor"), None)
    group = vis.get("group")
    if group is None:
        group = vis.get("groupKey")
    variables = vis.get("variables")
    variables = "" if variables is None else json.dumps(variables, separators=(",", ":"), ensure_ascii=False)

    return [cell(v) for v in [
        ch.get("id"), p.get("accountId"), rfc3339(p.get("beginAt")), rfc3339(p.get("endAt")),
        p.get("beginAt"), p.get("endAt"), ch.get("duration"), status,
        ch.get("isChat"), ch.get("isMissed"), ch.get("isTriggered"), ch.get("isOffline"),
        ch.get("isCompleted"), ch.get("isDropped"), ch.get("firstResponse"), ch.get("avgResponse"),
        ch.get("messagesCount"), len(counted), ch.get("wordsCount"), words,
        ch.get("rating"), ch.get("ratingDesc"),
        vis.get("id"), vis.get("name"), vis.get("email"), vis.get("note"), group,
        vis.get("ipAddress"), vis.get("city"), vis.get("countryCode"), vis.get("country"),
        vis.get("platform"), vis.get("userAgent"), vis.get("referer"),
        agents, triggers, len(paths), paths[0].get("url") if paths else None, first_visitor,
        variables, source_file, source_line,
    ]]


def documents(path):
    """Yields (payload, line) from one input file."""
    name = path[:-3] if path.endswith(".gz") else path
    opener = gzip.open if path.endswith(".gz") else open
    if name.endswith((".ndjson", ".jsonl")):
        with opener(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        yield json.loads(line), n
                    except ValueError as e:
                        print(f"{path}:{n}: skipped: {e}", file=sys.stderr)
    else:
        with opener(path, "rt", encoding="utf-8") as f:
            try:
                doc = json.load(f)
            except ValueError as e:
                print(f"{path}: skipped: {e}", file=sys.stderr)
                return
        if isinstance(doc, list):
            for p in doc:
                yield p, None
        else:
            yield doc, 1


def inputs(args):
    for a in args:
        if os.path.isdir(a):
            for root, dirs, files in os.walk(a):
                dirs.sort()
                for fn in sorted(files):
                    if fn.endswith((".json", ".ndjson", ".jsonl", ".gz")):
                        yield os.path.join(root, fn)
        else:
            yield a


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: reference_export.py INPUT... > out.csv")
    sys.stdout.reconfigure(encoding="utf-8", newline="")
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(COLUMNS)
    seen = set()
    for path in inputs(sys.argv[1:]):
        for p, line in documents(path):
            if not isinstance(p, dict):
                print(f"{path}:{line}: skipped: not an object", file=sys.stderr)
                continue
            cid = (p.get("channel") or {}).get("id")
            if cid is not None:
                if cid in seen:
                    continue
                seen.add(cid)
            w.writerow(row(p, path, line))


if __name__ == "__main__":
    main()
