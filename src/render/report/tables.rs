//! The report's tables: agents (as `stats --by agent`), and the top countries, groups and
//! triggers. Every name from the data is escaped.

use std::fmt::Write as _;

use super::{shown, TOP};
use crate::render::stats::title;
use crate::render::transcript::html_escape;
use crate::stats::overview::Overview;
use crate::stats::Report;

/// The per-agent table with the total row.
pub fn agents(out: &mut String, agents: &Report) {
    let columns = [
        "conversations",
        "messages",
        "first_response_median",
        "first_response_p90",
        "rating_mean",
    ];
    out.push_str("<section><h2>Agents</h2><div class=\"wide\"><table><thead><tr><th>agent</th>");
    for c in columns {
        let name = if c.starts_with("first_response") {
            title(c).replace("first response", "own first response")
        } else {
            title(c).to_owned()
        };
        let _ = write!(out, "<th class=\"n\">{}</th>", html_escape(&name));
    }
    out.push_str("</tr></thead><tbody>\n");
    let total = [("total", &agents.total)];
    let rows = agents.rows.iter().map(|r| {
        let key = r.keys.first().cloned().flatten();
        (
            key.map(|k| k.to_string()).unwrap_or_else(|| "–".into()),
            &r.cells,
        )
    });
    for (name, cells) in rows.chain(total.iter().map(|(n, c)| (n.to_string(), *c))) {
        let class = if name == "total" {
            " class=\"total\""
        } else {
            ""
        };
        let _ = write!(out, "<tr{class}><td>{}</td>", html_escape(&name));
        for c in columns {
            let cell = agents.cell(cells, c);
            let _ = write!(out, "<td class=\"n\">{}</td>", html_escape(&shown(c, cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str(
        "</tbody></table></div><p class=\"note\">An agent's own first response runs from the \
         conversation's first visitor message to the agent's first message after it \
         (as <code>sshook stats --by agent</code>).</p></section>\n",
    );
}

/// The first groups of `report`, each with its share of `all` conversations.
pub fn top(out: &mut String, heading: &str, word: &str, report: &Report, all: f64) {
    let _ = writeln!(
        out,
        "<section><h2>{}</h2><div class=\"wide\"><table><thead><tr><th>{}</th><th class=\"n\">conversations</th>\
         <th class=\"n\">share</th><th class=\"n\">missed %</th></tr></thead><tbody>",
        html_escape(heading),
        html_escape(word)
    );
    for row in report.rows.iter().take(TOP) {
        let key = row.keys.first().cloned().flatten();
        let name = key.map_or_else(|| String::from("(none)"), |k| k.to_string());
        let n = report
            .cell(&row.cells, "conversations")
            .as_f64()
            .unwrap_or(0.0);
        let share = if all > 0.0 { n / all * 100.0 } else { 0.0 };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{n}</td><td class=\"n\"><span class=\"share\" style=\"--w:{share:.1}%\"></span>{share:.1} %</td><td class=\"n\">{}</td></tr>",
            html_escape(&name),
            html_escape(&shown("missed_rate", report.cell(&row.cells, "missed_rate")))
        );
    }
    if report.rows.len() > TOP {
        let _ = writeln!(
            out,
            "<tr class=\"more\"><td colspan=\"4\">{} more</td></tr>",
            report.rows.len() - TOP
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

pub fn triggers(out: &mut String, overview: &Overview) {
    out.push_str(
        "<section><h2>Top triggers</h2><div class=\"wide\"><table><thead><tr><th>trigger</th>\
         <th class=\"n\">conversations</th></tr></thead><tbody>\n",
    );
    for (name, n) in overview.triggers.iter().take(TOP) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
            html_escape(name)
        );
    }
    if overview.triggers.is_empty() {
        out.push_str("<tr><td colspan=\"2\">no trigger messages</td></tr>\n");
    }
    out.push_str("</tbody></table></div></section>\n");
}
