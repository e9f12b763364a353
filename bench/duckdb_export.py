#!/usr/bin/env python3
"""The DuckDB competitor for the sshook benchmarks (issue 16): the NDJSON corpus to a
conversations CSV with `read_json`, on the machine's cores.

    python3 bench/duckdb_export.py CORPUS.ndjson OUT.csv [THREADS]

Fewer columns than `sshook export` (those DuckDB reaches without custom code: ids, times,
flags, counters, rating and the visitor's fields; no counted messages, agents or first
message), and no dedupe. DuckDB is installed by bench/run.sh (pip `duckdb`) into the bench's
work folder; nothing in the crate or its tests needs it.
"""
import sys

import duckdb

corpus, out = sys.argv[1], sys.argv[2]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
con.execute(
    f"""
    COPY (
      SELECT channel.id AS channel_id, accountId AS account_id,
             to_timestamp(beginAt / 1000) AS begin_at, to_timestamp(endAt / 1000) AS end_at,
             channel.duration AS duration, channel.isChat AS is_chat,
             channel.isMissed AS is_missed, channel.isOffline AS is_offline,
             channel.messagesCount AS messages_recorded, channel.wordsCount AS words_recorded,
             channel.rating AS rating, channel.ratingDesc AS rating_desc,
             visitor.id AS visitor_id, visitor.name AS visitor_name,
             visitor.email AS visitor_email, visitor.city AS visitor_city,
             visitor.countryCode AS visitor_country_code, len(messages) AS messages
      FROM read_json('{corpus}', format = 'newline_delimited', maximum_object_size = 67108864)
    ) TO '{out}' (HEADER, DELIMITER ',')
    """
)
