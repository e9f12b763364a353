#!/usr/bin/env python3
"""Webhook event streams made from known conversations, for sshook's assembly.

Writes N conversations as Smartsupp webhook events (WEBHOOKS.md): opened, contact/agent/bot
replies (content as a string or an object), assignment, join, rating, close — some never
closed — shuffled within a window (out of order) with a share of re-delivered copies, as
NDJSON on stdout or one file per event under --dir. With --expected FILE it also writes what
each conversation must assemble to (CSV: conversation_id, status, begin_at_ms, end_at_ms,
rating, messages_counted, first_visitor_message, visitor_name), so a run can be checked.

    python3 bench/gen_events.py --conversations 100000 --seed 1 > events.ndjson
    python3 bench/gen_events.py --conversations 2000 --dir events/ --expected expected.csv
"""
import argparse, csv, json, os, random, sys
from datetime import datetime, timezone

def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.') + f'{ms % 1000:03d}Z'

WORDS = "hello order delivery invoice refund price shipping thanks please help account login password discount".split()
NAMES = ["Eva Nováková", "Jan Novák", "Sophie Becker", "Chris Miller", "鈴木 一郎", "Zoë O'Connor", "Petr"]
AGENTS = [("ag_1", "John Doe"), ("ag_2", "Jana Nováková"), ("ag_3", "Anna Schmidt")]

def sentence(rng):
    return ' '.join(rng.choice(WORDS) for _ in range(rng.randint(2, 12)))

def conversation(i, rng, t0):
    cid = f"cnv_{i:08d}"
    begin = t0 + i * 37_000 + rng.randint(0, 30_000)
    name = rng.choice(NAMES)
    agent_id, agent_name = rng.choice(AGENTS)
    closed = rng.random() > 0.05
    rated = closed and rng.random() < 0.4
    rating = rng.randint(1, 5) if rated else None
    base = {"id": cid, "status": "open", "is_offline": False, "contact_id": f"co_{i}", "visitor_id": f"vi_{i}",
            "contact_name": name, "contact_email": f"v{i}@example.com", "location_code": "CZ",
            "location_country": "Czechia", "location_city": "Brno", "created_at": iso(begin), "updated_at": iso(begin)}
    def conv(at, **kw):
        c = dict(base); c["updated_at"] = iso(at); c.update(kw); return c
    events = [("conversation.opened", begin + 50, {"conversation": conv(begin + 50)})]
    t = begin
    messages = []
    n = rng.randint(1, 8)
    for k in range(n):
        t += rng.randint(2_000, 60_000)
        sub = "contact" if k % 2 == 0 else rng.choice(["agent", "agent", "bot"])
        text = sentence(rng)
        content = text if rng.random() < 0.5 else {"type": "text", "text": text, "html": f"<p>{text}</p>"}
        m = {"id": f"{cid}_m{k}", "conversation_id": cid, "sub_type": sub, "content": content, "created_at": iso(t), "updated_at": iso(t)}
        if sub == "contact": m.update(visitor_id=f"vi_{i}", author_name=name)
        elif sub == "agent": m.update(agent_id=agent_id, author_name=agent_name, response_time=rng.randint(1, 60))
        else: m.update(trigger_name="Welcome bot")
        name_of = {"contact": "conversation.contact_replied", "agent": "conversation.agent_replied", "bot": "conversation.bot_replied"}[sub]
        events.append((name_of, t + 100, {"conversation": conv(t + 100, status="served" if k else "open"), "message": m}))
        messages.append((sub, text))
        if sub == "agent" and k == 1:
            events.append(("conversation.agent_assigned", t - 500, {"conversation": conv(t - 500, assigned_agent_ids=[agent_id]), "assigned": agent_id}))
    end = None
    if closed:
        end = t + rng.randint(1_000, 30_000)
        events.append(("conversation.closed", end, {"conversation": conv(end, status="closed", finished_at=iso(end)), "agent_id": agent_id}))
    if rated:
        at = (end or t) + 5_000
        events.append(("conversation.rated", at, {"conversation": conv(at, status="closed", rating=rating, finished_at=iso(end)), "rating_value": rating, "rating_text": None}))
    first_visitor = next((text for sub, text in messages if sub == "contact"), "")
    expected = {"conversation_id": cid, "status": "open" if not closed else None, "begin_at_ms": begin,
                "end_at_ms": end if closed else "", "rating": rating if rating is not None else "",
                "messages_counted": len(messages), "first_visitor_message": first_visitor, "visitor_name": name}
    return events, expected

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--redeliver", type=float, default=0.1, help="share of events delivered twice")
    ap.add_argument("--window", type=int, default=200, help="events shuffled within windows of this size")
    ap.add_argument("--dir", help="one file per event in DIR/YYYY/MM/DD/ instead of NDJSON on stdout")
    ap.add_argument("--expected", help="write the expected conversations as CSV here")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    t0 = 1_767_225_600_000  # 2026-01-01
    out = sys.stdout
    expected_rows = []
    buffer = []
    written = 0
    def flush(force=False):
        nonlocal buffer, written
        if len(buffer) < a.window and not force:
            return
        rng.shuffle(buffer)
        for name, at, data in buffer:
            doc = {"type": "event_callback", "event": name, "timestamp": iso(at), "account_id": "881987", "app_id": "ap40qUkYi", "data": data}
            text = json.dumps(doc, ensure_ascii=False, separators=(',', ':'))
            copies = 2 if rng.random() < a.redeliver else 1
            for c in range(copies):
                if a.dir:
                    day = iso(at)[:10].replace('-', '/')
                    folder = os.path.join(a.dir, day)
                    os.makedirs(folder, exist_ok=True)
                    with open(os.path.join(folder, f"{written:09d}-{name.replace('.', '_')}.json"), 'w') as f:
                        f.write(text + '\n')
                else:
                    out.write(text + '\n')
                written += 1
        buffer = []
    for i in range(a.conversations):
        events, expected = conversation(i, rng, t0)
        expected_rows.append(expected)
        buffer.extend(events)
        flush()
    flush(force=True)
    if a.expected:
        with open(a.expected, 'w', newline='') as f:
            w = csv.DictWriter(f, fieldnames=list(expected_rows[0].keys()))
            w.writeheader()
            w.writerows(expected_rows)
    print(f"{written} events, {a.conversations} conversations", file=sys.stderr)

if __name__ == "__main__":
    main()
