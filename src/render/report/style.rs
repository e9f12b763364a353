//! The report's stylesheet: the Okabe–Ito palette (readable with every common colour-vision
//! deficiency; incomplete in neutral grey), light and dark via `prefers-color-scheme`, a
//! phone's width (charts shrink and stack, wide tables scroll in their own box), and clean
//! printing.

pub const CSS: &str = "\
:root{--bg:#fff;--fg:#1f2328;--muted:#5f6670;--grid:#e3e5e8;--card:#f4f5f7;--accent:#0072b2;\
--completed:#0072b2;--incomplete:#a3a3a3;--dropped:#cc79a7;--offline:#e69f00;--missed:#d55e00;--open:#009e73}
@media (prefers-color-scheme:dark){:root{--bg:#15171a;--fg:#e6e8eb;--muted:#a2a9b3;--grid:#30343a;\
--card:#1f2226;--accent:#56b4e9;--completed:#56b4e9;--incomplete:#7d828a}}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;background:var(--bg);color:var(--fg);max-width:72rem;margin:0 auto;padding:1.5rem}
h1{margin:0;font-size:1.6rem}h2{font-size:1.1rem;margin:0 0 .5rem}
.sub,.note{color:var(--muted);margin:.2rem 0 1rem}.note{font-size:.85rem}
a{color:var(--accent)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:.75rem;margin:1rem 0 2rem}
.card{background:var(--card);border-radius:.5rem;padding:.7rem .9rem;cursor:help}
.card .v{font-size:1.6rem;font-weight:650;font-variant-numeric:tabular-nums}
.card .k{color:var(--muted);font-size:.85rem}.card sup a{text-decoration:none}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(28rem,100%),1fr));gap:1.5rem 2rem}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}
svg{width:100%;height:auto;display:block;overflow:visible}
svg text{fill:var(--fg);font-size:11px}svg text.title{fill:var(--muted);font-size:11px}
.grid{stroke:var(--grid);stroke-width:1}.axis{stroke:var(--muted);stroke-width:1}
.s-completed{fill:var(--completed);background:var(--completed)}.s-incomplete{fill:var(--incomplete);background:var(--incomplete)}
.s-dropped{fill:var(--dropped);background:var(--dropped)}.s-offline{fill:var(--offline);background:var(--offline)}
.s-missed{fill:var(--missed);background:var(--missed)}.s-open{fill:var(--open);background:var(--open)}
.partial rect,.dot.partial{fill-opacity:.4}figure .note{margin:.4rem 0 0;overflow-wrap:anywhere}.nw{white-space:nowrap}
.line{fill:none;stroke:var(--missed);stroke-width:2}.dot{fill:var(--missed)}
.cell-key{background:var(--accent)}.cell-key.light{opacity:.25}
.bar{fill:var(--accent)}.cell{fill:var(--accent)}.cell.empty{fill:var(--card);fill-opacity:1}
.marker{stroke:var(--fg);stroke-width:1.5;stroke-dasharray:4 3}svg text.marker-label{font-weight:600}
.legend{margin:.1rem 0 .3rem;font-size:.85rem;color:var(--muted)}
.legend span{display:inline-flex;align-items:center;margin-right:.9rem}
.legend i{width:.75rem;height:.75rem;display:inline-block;margin-right:.3rem;border-radius:2px}
section{margin:2rem 0}
.tops{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(22rem,100%),1fr));gap:0 2.5rem}
.wide{overflow-x:auto;max-width:100%}figure,section,.tops>*{min-width:0}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.9rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid var(--grid);text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}.n{text-align:right;white-space:nowrap}
tr.total td{font-weight:650}tr.more td{color:var(--muted)}
td{overflow-wrap:break-word}
.share{display:inline-block;height:.6rem;width:calc(var(--w) * .6);max-width:3.5rem;background:var(--accent);margin-right:.4rem;border-radius:1px}
footer{margin-top:2.5rem;font-size:.85rem;color:var(--muted)}.notes{padding-left:1.2rem}
@media (max-width:30rem){body{padding:.75rem}.cards{grid-template-columns:repeat(2,minmax(0,1fr))}}
@media print{body{max-width:none;padding:0;font-size:10pt;background:#fff;color:#000}\
.charts,.tops{display:block}figure,section,table,.cards{break-inside:avoid}figure{margin-bottom:1rem}}
";
