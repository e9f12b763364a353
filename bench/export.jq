# jq competitor for the sshook benchmarks:
#
#     jq -r -f bench/export.jq corpus.ndjson > conversations.csv
#
# One CSV row per payload with the columns of `sshook export --rows conversations --format csv`
# and bench/reference_export.py, with these differences (jq runs this program once per
# input document, streaming):
#   * no header row;
#   * no dedupe on channel.id (a re-sent payload gives a second row): jq cannot remember
#     the ids seen so far cheaply in streaming mode;
#   * no source_file / source_line columns (the row ends with `variables`);
#   * @csv quotes every string cell, and numbers go through doubles (jq 1.6).

def ts: if . == null then null
        else (. / 1000 | floor | strftime("%Y-%m-%dT%H:%M:%S")) + "."
             + ("00" + ((. - (. / 1000 | floor) * 1000) | tostring))[-3:] + "+00:00"
        end;
def distinct: reduce (.[] | select(. != null and . != "")) as $x ([];
                if any(.[]; . == $x) then . else . + [$x] end) | join("; ");

(.channel // {}) as $c
| (.visitor // {}) as $v
| (.messages // []) as $m
| (.paths // []) as $p
| [$m[] | select(.type == "visitor" or .type == "agent")] as $counted
| [
    $c.id, .accountId, (.beginAt | ts), (.endAt | ts), .beginAt, .endAt, $c.duration,
    (if $c.isOffline then "offline" elif $c.isMissed then "missed" elif $c.isDropped then "dropped"
     elif $c.isCompleted then "completed" else "incomplete" end),
    $c.isChat, $c.isMissed, $c.isTriggered, $c.isOffline, $c.isCompleted, $c.isDropped,
    $c.firstResponse, $c.avgResponse,
    $c.messagesCount, ($counted | length),
    $c.wordsCount, ([$counted[] | [(.content // "") | splits("\\s+") | select(length > 0)] | length] | add // 0),
    $c.rating, $c.ratingDesc,
    $v.id, $v.name, $v.email, $v.note, (if $v.group == null then $v.groupKey else $v.group end),
    $v.ipAddress, $v.city, $v.countryCode, $v.country, $v.platform, $v.userAgent, $v.referer,
    ([$m[] | select(.type == "agent" and ((.from // "") | startswith("agent:"))) | .name] | distinct),
    ([$m[] | select(.type == "agent" and .from == "system") | .triggeredBy] | distinct),
    ($p | length), $p[0].url,
    ([$m[] | select(.type == "visitor") | .content] | .[0]),
    (if $v.variables == null then null else ($v.variables | tojson) end)
  ]
| @csv
