#!/usr/bin/env python3
"""Synthetic corpus of Smartsupp POST-hook payloads for the sshook benchmarks.

    python3 bench/gen_corpus.py --out DIR --payloads N \
        --layout files|ndjson|array|gz-ndjson|mixed --seed S [--dup-rate 0.02]

Payloads look like real ones (see the payload section of README.md and sample-data/): epoch-ms
timestamps between 2025-01-01 and 2026-06-30 (UTC), durations in seconds, 1..30 messages
with system events (agent.join/leave, close.*, an occasional unknown code) and trigger
messages, Unicode names and texts with commas, quotes, newlines and tabs, visitor variables,
the documented variants (group/groupKey, `from` with and without the `visitor:` prefix,
`"email": null` in messages) and, rarely, unknown extra fields. Flags and counters are
consistent with the messages (the recorded counts are sometimes off by one, as in the
official example). About 2 KB per payload in compact form.

Channel ids grow with time and are unique, except that a fraction --dup-rate of the
documents are exact re-sends (same bytes) of a recent earlier payload.

Layouts:
  files      DIR/YYYY/MM/DD/<beginAt>-<id>.json, pretty-printed (indent=2); a re-send is
             DIR/YYYY/MM/DD/<beginAt>-<id>-r<n>.json
  ndjson     DIR/corpus.ndjson, one compact payload per line
  array      DIR/corpus.json, a JSON array with one compact payload per line
  gz-ndjson  DIR/corpus.ndjson.gz (deterministic gzip, mtime 0)
  mixed      40 % files under DIR/files/, 30 % DIR/corpus.ndjson, 15 % DIR/corpus.json,
             15 % DIR/corpus.ndjson.gz

Output is deterministic for a given --seed and --payloads. Python 3.11 standard library only.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time

START_MS = 1735689600000  # 2025-01-01T00:00:00Z
END_MS = 1751328000000    # 2026-07-01T00:00:00Z (exclusive)

# ----------------------------------------------------------------------------- pools

NAMES = {
    "CZ": (["Petra", "Jan", "Tomáš", "Kateřina", "Lukáš", "Eva", "Jiří", "Veronika", "Ondřej", "Tereza",
            "Martin", "Lucie", "Václav", "Alžběta", "Radek", "Hana", "Zdeněk", "Markéta"],
           ["Novák", "Svobodová", "Dvořák", "Černá", "Procházka", "Kučerová", "Veselý", "Horáková",
            "Němec", "Marková", "Pokorný", "Růžičková", "Beneš", "Křížová", "Fiala", "Šťastná"],
           "Czech Republic", ["Praha", "Brno", "Ostrava", "Plzeň", "Olomouc", "Liberec", "Zlín",
                              "České Budějovice", "Hradec Králové", "Ústí nad Labem"]),
    "SK": (["Ľubomír", "Mária", "Peter", "Zuzana", "Marek", "Katarína", "Juraj", "Ľudmila"],
           ["Šťastný", "Horváthová", "Kováč", "Nagyová", "Hudák", "Baláž", "Tóthová", "Mikuláš"],
           "Slovakia", ["Bratislava", "Košice", "Žilina", "Nitra", "Prešov", "Banská Bystrica"]),
    "DE": (["Jürgen", "Käthe", "Lena", "Günther", "Sophie", "Felix", "Jörg", "Anneliese", "Lukas"],
           ["Müller", "Größer", "Weiß", "Bäcker", "Schröder", "Braun", "Köhler", "Schäfer", "Groß"],
           "Germany", ["München", "Köln", "Berlin", "Hamburg", "Düsseldorf", "Nürnberg", "Dresden"]),
    "AT": (["Florian", "Theresa", "Maximilian", "Johanna"], ["Huber", "Pölzl", "Gruber", "Wögerer"],
           "Austria", ["Wien", "Graz", "Linz", "Innsbruck"]),
    "PL": (["Łukasz", "Małgorzata", "Paweł", "Agnieszka"], ["Wiśniewski", "Dąbrowska", "Zieliński", "Wójcik"],
           "Poland", ["Kraków", "Wrocław", "Łódź", "Gdańsk"]),
    "US": (["Zoë", "Michael", "Emily", "Chris", "Noah", "Olivia", "Ava", "Ethan", "Mia"],
           ["O'Connor", "Carter", "Zhang", "Miller", "Williams", "Johnson", "García", "Nguyen"],
           "United States", ["Portland", "Austin", "Seattle", "Denver", "Chicago", "New York", "Miami"]),
    "GB": (["Oliver", "Amelia", "Harry", "Isla"], ["Smith", "Jones", "Taylor", "Brown"],
           "United Kingdom", ["London", "Manchester", "Leeds", "Bristol"]),
    "FR": (["Émile", "Chloé", "Léa", "François"], ["Lefèvre", "Girard", "Bézier", "Côté"],
           "France", ["Paris", "Lyon", "Marseille", "Lille"]),
    "JP": (["太郎", "花子", "一郎", "さくら", "健太", "美咲"], ["山田", "佐藤", "鈴木", "伊藤", "高橋", "田中"],
           "Japan", ["東京", "大阪", "横浜", "札幌", "名古屋", "福岡"]),
}
COUNTRY_WEIGHTS = [("CZ", 45), ("SK", 14), ("DE", 12), ("AT", 4), ("PL", 4), ("US", 9), ("GB", 4),
                   ("FR", 3), ("JP", 5)]

LANG = {"CZ": "cs", "SK": "cs", "DE": "de", "AT": "de", "PL": "en", "US": "en", "GB": "en",
        "FR": "en", "JP": "ja"}

VISITOR_TEXTS = {
    "cs": ["Dobrý den, kdy mi dorazí objednávka?", "Máte tento model skladem?",
           "Jde platit na splátky?", "Dobrý den,\nchci reklamovat zboží, přišlo poškozené.",
           "Jaký je rozdíl mezi Standard a PRO?", "Díky!", "ok", "Super, děkuji 🙂",
           "Posílám číslo objednávky: CZ-{n}", "Potřebuju opravit fakturu: \"Firma, s.r.o.\"\tIČO {n}",
           "V exportu mi buňka ukazuje =SUM(A1) místo čísla", "@cmd /export --all",
           "Dobrý večer, nejde mi přihlášení, píše to \"neplatný token\".",
           "Kolik stojí doprava na Slovensko, Maďarsko a do Rakouska?", "Hallo? Je tu někdo?",
           "Mám slevový kód, ale e-shop ho nebere 😕", "Platí sleva i na příslušenství?",
           "Dobrý den, funguje to i na mobilu?", "Můžu si zboží vyzvednout osobně v Brně?",
           "Zkoušel jsem to třikrát, pořád chyba 500.\nProhlížeč: Firefox\nOS: Windows 11"],
    "de": ["Hallo, ist der Versand nach Österreich kostenlos?", "Kann ich per Rechnung zahlen?",
           "Meine Rücksendung ist seit 2 Wochen unterwegs 😤", "Gibt es eine Garantieverlängerung?",
           "Wo finde ich die Bedienungsanleitung (PDF)?", "Danke, schönen Tag noch!", "Und? 🙄",
           "Bestellnummer: DE-{n}, Lieferadresse \"Hauptstraße 5, 80331 München\"",
           "Funktioniert das auch mit 110 V?", "Ja, bitte.", "Das habe ich schon dreimal getan!!!"],
    "en": ["Hello, can we white-label the widget for clients?", "Do you ship to Japan?",
           "Hi,\nI ordered the \"Team\" plan, but the invoice says \"Pro\".\nOrder:\t#A-{n}",
           "Is there a 30-day, no-questions-asked refund?", "Thanks, that's all for now.",
           "SAML metadata upload fails with \"invalid signature\", any idea?", "👍",
           "Please call me back tomorrow, 9-11am CST, re: order #{n}.", "That was it, thanks!",
           "How do I export chats to CSV, with commas in names?", "=HYPERLINK(\"http://x\")",
           "-1 for the new UI, honestly", "+1 555 0100 is my number"],
    "ja": ["こんにちは。日本への配送は可能ですか？", "返品はできますか？", "領収書を発行できますか？",
           "ありがとうございます！", "営業時間外にすみません。\n注文番号 JP-{n} の配送状況を教えてください。",
           "了解です 👍", "電圧は100Vですが、使えますか？"],
}
AGENT_TEXTS = {
    "cs": ["Dobrý den, jak vám mohu pomoci?", "Ano, máme skladem, odesíláme ještě dnes.",
           "Při objednávce do 14:00 odesíláme ještě dnes, doručení zítra.",
           "Hlavní rozdíly:\n- PRO má neomezenou historii\n- statistiky a export\n- až 10 agentů",
           "Pošlete prosím číslo objednávky a fotku, založím reklamaci.", "Rádo se stalo. Hezký den!",
           "Zkuste prosím smazat cookies a přihlásit se znovu.", "Moment, podívám se na to.",
           "Ano, přes Home Credit i Cofidis – vyberete si v košíku u platby.", "Není zač.",
           "Ve sloupci napište '=SUM(A1:A10) jako text, nebo použijte export \"CSV, UTF-8\"."],
    "de": ["Guten Tag! Wie kann ich helfen?", "Ja, ab dem zweiten Einkauf.",
           "Ich prüfe das gleich für Sie 🔍", "Leider sehe ich noch keinen Eingang.",
           "Ja, auf 5 Jahre für 49 €.", "Das tut mir leid – ich eskaliere es.", "Gern geschehen!"],
    "en": ["Hi! How can I help?", "Yes, we ship worldwide, 3–5 business days.",
           "Please re-download the metadata; the certificate rotated on March 1st.",
           "Yes, 30 days, full refund.", "I'll send you the partner deck, one moment.",
           "Glad to help.", "Could you confirm your order number, please?",
           "Sure:\n1. Open Settings\n2. Click \"Export\"\n3. Choose CSV"],
    "ja": ["はい、配送可能です。", "はい、PDFでお送りします。", "少々お待ちください。", "良い一日を！",
           "Hello! We can answer in English, is that OK?"],
}
TRIGGERS = [("Košík > 30 s", "Dobrý den, můžeme vám s něčím pomoci?"),
            ("Akce týdne – uvítání", "Sleva 15 % jen dnes! Máte dotaz k akci?"),
            ("Settings page help", "Need help with SSO? We're online."),
            ("Produktová stránka 60 s", "Potřebujete poradit s výběrem?"),
            ("Willkommen DE", "Hallo 👋 Können wir helfen?"),
            ("Exit intent", "Wait, before you go: free shipping over $50, today only.")]
AGENTS = [(3, "John Doe"), (7, "Jana Nováková"), (12, "Petr Dvořák"), (15, "Anna Schmidt"),
          (21, "Lucie Malá"), (24, "Max Müller"), (30, "Kenji Mori"), (33, "")]
GROUPS = [None, None, None, "sales", "support", "support-de", "b2b", "export", "partners"]
PAGES = [("https://shop.example.cz/", "Domů · Kávovary Brno"),
         ("https://shop.example.cz/kavovary/delonghi-magnifica-s", "De'Longhi Magnifica S · Kávovary Brno"),
         ("https://shop.example.cz/kosik", "Košík · Kávovary Brno"),
         ("https://shop.example.cz/akce?utm_source=newsletter&utm_medium=email", "Akce týdne"),
         ("https://shop.example.de/versand", "Versand & Lieferung"),
         ("https://shop.example.de/rücksendung", "Rücksendung 📦"),
         ("https://app.example.com/pricing?compare=pro,team", "Pricing — Example App"),
         ("https://app.example.com/settings/sso", "SSO settings"),
         ("https://www.example.com/partners?ids=12,15,19", "Partners, Resellers & Agencies"),
         ("https://shop.example.com/ja/shipping", "配送について"),
         ("https://shop.example.sk/objednavka", "Stav objednávky"),
         ("", "POST Hook · Smartsupp"), ("", "API · Smartsupp")]
REFERERS = ["", "", "https://www.google.com/", "https://www.google.cz/", "https://www.seznam.cz/",
            "https://duckduckgo.com/", "https://www.bing.com/search?q=live+chat,csv"]
UAS = [("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36", "MacIntel"),
       ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0", "Win32"),
       ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.80", "Win32"),
       ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1", "iPhone"),
       ("Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.105 Mobile Safari/537.36", "Linux armv81")]
RATING_DESCS = ["", "Rychlé a ochotné, díky!", "Danke, schnell beantwortet", "Helpful, but slow.",
                "Keine Antwort auf meine Frage 😞", "ありがとう", "OK", "\"Perfect\", thanks", "👍"]
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        r = self.r
        self.countries = [c for c, w in COUNTRY_WEIGHTS for _ in range(w)]
        # pre-generated pools, so that one payload costs little
        self.keys = ["".join(r.choice(ALNUM) for _ in range(30)) + str(r.randint(10**12, 10**13 - 1))
                     for _ in range(4096)]
        self.vtexts = {lang: [t.replace("{n}", str(r.randint(1000, 99999))) for t in ts for _ in range(4)]
                       for lang, ts in VISITOR_TEXTS.items()}
        self.atexts = {lang: list(ts) for lang, ts in AGENT_TEXTS.items()}
        self.var_pool = []
        for i in range(512):
            v = {}
            if r.random() < 0.7:
                v["userId"] = {"label": "User ID", "value": str(r.randint(1, 99999))}
            if r.random() < 0.5:
                v["cartTotal"] = {"label": "Košík (Kč)", "value": r.randint(0, 50000)}
            if r.random() < 0.4:
                v["loggedIn"] = {"label": "Logged in", "value": r.random() < 0.5}
            if r.random() < 0.3:
                v["chatPackage"] = {"label": "Chat Package", "value": r.choice(["free", "standard", "pro"])}
            if r.random() < 0.1:
                v["score"] = {"label": "Score", "value": round(r.random() * 10, 2)}
            self.var_pool.append(v)
        self.path_pool = []
        for i in range(256):
            n = min(1 + int(r.expovariate(0.6)), 8)
            self.path_pool.append([{"url": u, "title": t} for u, t in (r.choice(PAGES) for _ in range(n))])

    def visitor(self, vid: int):
        r = self.r
        cc = r.choice(self.countries)
        firsts, lasts, country, cities = NAMES[cc]
        if cc == "JP":
            name = f"{r.choice(lasts)} {r.choice(firsts)}"
        else:
            name = f"{r.choice(firsts)} {r.choice(lasts)}"
        x = r.random()
        if x < 0.06:
            name = ""
        email = "" if r.random() < 0.5 else f"user{vid}@example.{cc.lower()}"
        ua, plat = r.choice(UAS)
        v = {"id": vid, "name": name, "email": email,
             "note": "" if r.random() < 0.9 else r.choice(["VIP customer", "Účetní, chce export", "Reseller, \"gold\" tier"])}
        if r.random() < 0.85:
            v["group"] = r.choice(GROUPS)
        else:
            v["groupKey"] = r.choice(GROUPS)
        v["ipAddress"] = "" if r.random() < 0.3 else f"{r.randint(2, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        v["city"] = r.choice(cities)
        v["countryCode"] = cc
        v["country"] = country
        v["userAgent"] = ua
        v["platform"] = plat
        v["referer"] = r.choice(REFERERS)
        if r.random() < 0.92:
            v["variables"] = self.var_pool[r.randrange(len(self.var_pool))]
        return v, cc

    def payload(self, cid: int, begin: int):
        r = self.r
        vis, cc = self.visitor(10000 + cid // 2 + r.randrange(1000))
        lang = LANG[cc]
        vname = vis["name"]
        key = self.keys[r.randrange(len(self.keys))]
        vfrom = ("visitor:" + key) if r.random() < 0.9 else key
        email_null = r.random() < 0.1
        vt, at = self.vtexts[lang], self.atexts[lang]

        x = r.random()
        kind = ("completed" if x < 0.6 else "missed" if x < 0.75 else "offline" if x < 0.85
                else "dropped" if x < 0.92 else "open")
        target = 1 + min(int(r.expovariate(0.15)), 24)  # with system events: 1..30 messages
        msgs = []
        t = begin

        def add(typ, frm, content, name=None, trig=None):
            m = {"type": typ}
            if name is not None:
                m["name"] = name
            m["from"] = frm
            if email_null:
                m["email"] = None
            m["content"] = content
            m["sentAt"] = t
            m["triggeredBy"] = trig
            msgs.append(m)

        def step(lo, hi):
            nonlocal t
            t += r.randint(lo, hi)

        triggered = r.random() < 0.25
        if triggered and kind != "offline":
            name, text = r.choice(TRIGGERS)
            add("agent", "system", text, "", name)
            step(3000, 60000)
        if kind == "offline":
            for i in range(1 if target < 20 else 2):
                add("visitor", vfrom, r.choice(vt), vname if i or r.random() < 0.7 else None)
                step(5000, 90000)
            t = msgs[-1]["sentAt"]
        elif kind == "missed":
            for i in range(max(1, min(target, 4))):
                add("visitor", vfrom, r.choice(vt), vname)
                step(10000, 120000)
            add("system", "system", "close.visitorClose", vname)
        else:
            add("visitor", vfrom, r.choice(vt), vname if r.random() < 0.8 else None)
            step(2000, 40000)
            aid, aname = r.choice(AGENTS)
            add("system", f"agent:{aid}", "agent.join", aname)
            step(5000, 45000)
            add("agent", f"agent:{aid}", r.choice(at), aname)
            transfer = target > 8 and r.random() < 0.15
            n = len(msgs)
            while n < target:
                step(3000, 120000)
                add("visitor", vfrom, r.choice(vt), vname)
                step(2000, 90000)
                if transfer and n > target // 2:
                    transfer = False
                    add("system", f"agent:{aid}", "transfer.requested", aname)
                    step(5000, 30000)
                    aid2, aname2 = r.choice(AGENTS)
                    add("system", f"agent:{aid2}", "agent.join", aname2)
                    step(1000, 5000)
                    add("system", f"agent:{aid}", "agent.leave", aname)
                    aid, aname = aid2, aname2
                    step(5000, 40000)
                add("agent", f"agent:{aid}", r.choice(at), aname)
                n = len(msgs)
            step(5000, 60000)
            if kind == "completed":
                if r.random() < 0.7:
                    add("system", "system", "close.visitorClose", vname)
                else:
                    add("system", f"agent:{aid}", "close.agentClose", aname)
            elif kind == "open":
                add("visitor", vfrom, r.choice(vt), vname)
            else:
                t = msgs[-1]["sentAt"]

        # flags and counters, consistent with the messages
        end = msgs[-1]["sentAt"]
        vis_any = ag_any = trig_any = closed = False
        pending = None
        responses = []
        counted = words = 0
        unanswered = False
        for m in msgs:
            typ = m["type"]
            if typ == "visitor":
                vis_any = True
                unanswered = True
                if pending is None:
                    pending = m["sentAt"]
                counted += 1
                words += len(m["content"].split())
            elif typ == "agent":
                counted += 1
                words += len(m["content"].split())
                if m["from"] == "system":
                    trig_any = True
                else:
                    ag_any = True
                    unanswered = False
                    if pending is not None:
                        responses.append((m["sentAt"] - pending) // 1000)
                        pending = None
            elif m["content"].startswith("close."):
                closed = True
        is_chat = vis_any and ag_any
        dropped = kind == "dropped"
        offline = kind == "offline"
        missed = vis_any and unanswered
        if r.random() < 0.08:
            counted += r.choice((-1, 1))
        if r.random() < 0.08:
            words += r.choice((-2, -1, 1))
        rating = rating_desc = None
        if kind == "completed" and r.random() < 0.4:
            rating = r.choices((1, 2, 3, 4, 5), (5, 4, 10, 25, 56))[0]
            rating_desc = r.choice(RATING_DESCS) if r.random() < 0.6 else None
        channel = {
            "id": cid,
            "isChat": is_chat,
            "isMissed": missed,
            "isTriggered": trig_any,
            "isOffline": offline,
            "isCompleted": closed and is_chat and not missed and not dropped,
            "isDropped": dropped,
            "duration": (end - begin) // 1000,
            "avgResponse": round(sum(responses) / len(responses)) if responses else 0,
            "firstResponse": responses[0] if responses else 0,
            "messagesCount": max(counted, 0),
            "wordsCount": max(words, 0),
            "rating": rating,
            "ratingDesc": rating_desc,
        }
        if r.random() < 0.02:
            channel["queueTime"] = r.randint(0, 120)
        p = {"accountId": 208 if r.random() < 0.8 else r.choice((311, 5120, 77001)),
             "beginAt": begin, "endAt": end, "channel": channel, "visitor": vis,
             "paths": self.path_pool[r.randrange(len(self.path_pool))], "messages": msgs}
        if r.random() < 0.02:
            p["tags"] = r.choice((["vip"], ["b2b", "invoice"], []))
        return p


def compact(p) -> str:
    return json.dumps(p, separators=(",", ":"), ensure_ascii=False)


def pretty(p) -> str:
    return json.dumps(p, indent=2, ensure_ascii=False) + "\n"


def documents(gen: Gen, n: int, dup_rate: float):
    """Yields (payload, serialized-compact-or-None, resend_no) in time order."""
    r = gen.r
    times = sorted(r.randrange(START_MS, END_MS) for _ in range(n))
    cid = 1_000_000
    recent = []  # ring of recent payloads for re-sends
    resends = {}
    for i in range(n):
        if recent and r.random() < dup_rate:
            p = recent[r.randrange(len(recent))]
            k = p["channel"]["id"]
            resends[k] = resends.get(k, 0) + 1
            yield p, resends[k]
            continue
        cid += r.randint(1, 40)
        p = gen.payload(cid, times[i])
        if len(recent) < 2000:
            recent.append(p)
        else:
            recent[r.randrange(2000)] = p
        yield p, 0


class FilesOut:
    def __init__(self, root):
        self.root = root
        self.made = set()

    def write(self, p, resend):
        t = time.gmtime(p["beginAt"] // 1000)
        d = os.path.join(self.root, f"{t.tm_year:04d}", f"{t.tm_mon:02d}", f"{t.tm_mday:02d}")
        if d not in self.made:
            os.makedirs(d, exist_ok=True)
            self.made.add(d)
        name = f"{p['beginAt']}-{p['channel']['id']}" + (f"-r{resend}" if resend else "") + ".json"
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(pretty(p))

    def close(self):
        pass


class NdjsonOut:
    def __init__(self, path, gz=False):
        self.raw = open(path, "wb", buffering=1 << 20)
        self.f = (gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, compresslevel=6, mtime=0)
                  if gz else self.raw)
        self.buf = []
        self.size = 0

    def write(self, p, resend):
        s = compact(p)
        self.buf.append(s)
        self.size += len(s)
        if self.size > 1 << 20:
            self.flush()

    def flush(self):
        if self.buf:
            self.f.write(("\n".join(self.buf) + "\n").encode("utf-8"))
            self.buf, self.size = [], 0

    def close(self):
        self.flush()
        if self.f is not self.raw:
            self.f.close()
        self.raw.close()


class ArrayOut:
    def __init__(self, path):
        self.f = open(path, "w", encoding="utf-8", buffering=1 << 20)
        self.f.write("[\n")
        self.first = True

    def write(self, p, resend):
        if not self.first:
            self.f.write(",\n")
        self.first = False
        self.f.write(compact(p))

    def close(self):
        self.f.write("\n]\n")
        self.f.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--payloads", type=int, required=True, help="number of documents, re-sends included")
    ap.add_argument("--layout", required=True, choices=["files", "ndjson", "array", "gz-ndjson", "mixed"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-rate", type=float, default=0.02, help="fraction of exact re-sends (default 0.02)")
    a = ap.parse_args(argv)

    os.makedirs(a.out, exist_ok=True)
    started = time.time()
    gen = Gen(a.seed)
    if a.layout == "files":
        sinks = [(1.0, FilesOut(a.out))]
    elif a.layout == "ndjson":
        sinks = [(1.0, NdjsonOut(os.path.join(a.out, "corpus.ndjson")))]
    elif a.layout == "array":
        sinks = [(1.0, ArrayOut(os.path.join(a.out, "corpus.json")))]
    elif a.layout == "gz-ndjson":
        sinks = [(1.0, NdjsonOut(os.path.join(a.out, "corpus.ndjson.gz"), gz=True))]
    else:
        sinks = [(0.40, FilesOut(os.path.join(a.out, "files"))),
                 (0.70, NdjsonOut(os.path.join(a.out, "corpus.ndjson"))),
                 (0.85, ArrayOut(os.path.join(a.out, "corpus.json"))),
                 (1.00, NdjsonOut(os.path.join(a.out, "corpus.ndjson.gz"), gz=True))]
    pick = random.Random(a.seed ^ 0x5EED)
    count = dups = 0
    for p, resend in documents(gen, a.payloads, a.dup_rate):
        if len(sinks) == 1:
            sink = sinks[0][1]
        else:
            x = pick.random()
            sink = next(s for limit, s in sinks if x < limit)
        sink.write(p, resend)
        count += 1
        dups += resend > 0
    for _, s in sinks:
        s.close()
    print(f"gen_corpus: {count} payloads ({dups} re-sends), layout {a.layout}, "
          f"{time.time() - started:.1f} s -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
