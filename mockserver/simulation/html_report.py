"""``mockserver simulate SCENARIO --html report.html``: one self-contained HTML file to hand over.

``figures(world, sim, start, end)`` reads the finished run once (O(items + work), like ``report``) for
what the text report has no room for: submissions and review verdicts per person over virtual time,
accuracy and consensus with their 95% Wilson intervals (the same counts as ``report``: the point
values are equal), item outcomes and how long items and tasks took to settle.  ``headless`` adds them
to the summary as ``figures`` (so ``--json-report`` carries them too) and ``render(summary)`` turns
the summary into the page: tables readable without scripts, and five charts drawn by the vendored
Chart.js, inlined with the data -- the file fetches nothing.
"""
from __future__ import annotations

import datetime as dt
import html
import json

from mockserver import core
from mockserver.dashboard import chart_js
from mockserver.dashboard.data import judge_item
from mockserver.dashboard.figures import quantile, wilson

BINS = 48
SETTLED = ("approved", "rejected")


def _settled_at(ti: dict, subs: list[dict]) -> float | None:
    """When an approved or rejected item got its decision: its last review, else (consensus, or no
    review needed) its last submission."""
    reviews = ti.get("reviews") or ()
    if reviews:
        times = [r.get("at") for r in reviews if r.get("at") is not None]
        if times:
            return max(times)
    times = [w.get("submitted_at") for w in subs if w.get("submitted_at") is not None]
    return max(times) if times else ti.get("updated_at")


def figures(world, sim, start: float, end: float | None, report_tasks: list[dict] | None = None) -> dict:
    """The extra figures of a finished run (see the module docstring)."""
    end = start if end is None or end < start else end
    width = (end - start) / BINS if end > start else 0.0
    edges = [start + width * (i + 1) for i in range(BINS)] if width else []

    def bin_of(t: float) -> int | None:
        if t is None or not width:
            return None
        return min(BINS - 1, max(0, int((t - start) / width)))

    ours = None
    if report_tasks is not None:
        ours = {t["task"] for t in report_tasks if t.get("part_of_scenario", True)}
    submitted: dict[str, list[int]] = {}
    reviewed: dict[str, list[int]] = {}
    workers: dict[str, list[int]] = {}  # worker -> [judged, right]
    tasks_out = []
    store = world.store
    with core.session(store) as s:
        for task in s.tasks():
            tid = task["id"]
            kind, iou = task.get("kind", "classification"), task.get("iou_threshold", 0.5)
            complete = consensus = known = right = 0
            outcomes = {"consensus": 0, "approved": 0, "rejected": 0, "skipped": 0}
            settle_seconds: list[float] = []
            settled_bins = [0] * BINS
            last_settled = None
            items = 0
            for ti in s.task_items(tid):
                items += 1
                c = judge_item(s, sim, task, ti, kind, iou)
                complete += c[0]
                consensus += c[1]
                known += c[2]
                right += c[3]
                for worker, ok in c[4]:
                    acc = workers.setdefault(worker, [0, 0])
                    acc[0] += 1
                    acc[1] += ok
                subs = []
                for w in s.works(ti["id"]):
                    if w["state"] == "submitted":
                        subs.append(w)
                        b = bin_of(w.get("submitted_at"))
                        if b is not None:
                            submitted.setdefault(w["worker"], [0] * BINS)[b] += 1
                for r in ti.get("reviews") or ():
                    b = bin_of(r.get("at"))
                    if b is not None:
                        reviewed.setdefault(r["reviewer"], [0] * BINS)[b] += 1
                state = ti["state"]
                if state == "skipped":
                    outcomes["skipped"] += 1
                elif state in SETTLED:
                    if state == "approved" and ti.get("winner"):
                        outcomes["consensus"] += 1
                    else:
                        outcomes[state] += 1
                    at = _settled_at(ti, subs)
                    if at is not None:
                        first = min((w["submitted_at"] for w in subs if w.get("submitted_at") is not None), default=None)
                        if first is not None:
                            settle_seconds.append(max(0.0, at - first))
                        last_settled = at if last_settled is None else max(last_settled, at)
                        b = bin_of(at)
                        if b is not None:
                            settled_bins[b] += 1
            if ours is not None and tid not in ours:
                continue
            settle_seconds.sort()
            curve, total = [], 0
            for n in settled_bins:
                total += n
                curve.append(total)
            done = outcomes["consensus"] + outcomes["approved"] + outcomes["rejected"] + outcomes["skipped"]
            tasks_out.append({
                "task": tid, "items": items,
                "consensus": wilson(consensus, complete) if task["review"]["strategy"] == "consensus" else None,
                "accuracy": wilson(right, known),
                "outcomes": outcomes,
                "settled_curve": curve,
                "settled_after_seconds": (last_settled - start) if done == items and items and last_settled else None,
                "settle_seconds": {"n": len(settle_seconds), "median": quantile(settle_seconds, 0.5),
                                   "p90": quantile(settle_seconds, 0.9),
                                   "max": settle_seconds[-1] if settle_seconds else None},
            })
    people = list(sim.people) if sim is not None else []
    names = people + sorted(n for n in set(workers) | set(submitted) | set(reviewed) if n not in people)
    workers_out = []
    for name in names:
        acc = workers.get(name)
        est = wilson(acc[1], acc[0]) if acc else None
        workers_out.append({"worker": name, "accuracy": est})
    return {"bins": {"start": start, "end": end, "seconds": width, "t": edges},
            "throughput": {"submitted": submitted, "reviewed": reviewed},
            "workers": workers_out, "tasks": tasks_out}


# -- the page ------------------------------------------------------------------------------------------

def _iso(t) -> str:
    if t is None:
        return "-"
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _est(e) -> str:
    if not e:
        return "-"
    return (f"{_pct(e['value'])} <span class=\"ci\">{_pct(e['low'])} to {_pct(e['high'])}, "
            f"n={e['n']}</span>")


def _duration(seconds) -> str:
    if seconds is None:
        return "-"
    seconds = float(seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _e(x) -> str:
    return html.escape("" if x is None else str(x))


def _json_for_script(value) -> str:
    """JSON safe inside a <script> element: no ``</`` can end it early, no ``<!--`` open a comment."""
    return (json.dumps(value, sort_keys=True, allow_nan=False)
            .replace("</", "<\\/").replace("<!--", "<\\!--").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


CSS = """
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; font-size: 15px;
  line-height: 1.4; color: #1b1f24; background: #f6f7f9; }
body { margin: 0; }
header { background: #1b1f24; color: #f6f8fa; padding: .8rem 1rem; }
header h1 { margin: 0; font-size: 1.25rem; }
header p { margin: .2rem 0 0; color: #c9d1d9; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem; display: grid; gap: 1rem; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: .75rem 1rem; min-width: 0; }
h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: .3rem 1rem; margin: 0; }
dt { font-size: .8rem; color: #57606a; }
dd { margin: 0; font-weight: 600; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; text-align: left; vertical-align: top; }
thead th { font-size: .8rem; color: #57606a; vertical-align: bottom; }
.num { text-align: right; }
.ci { display: block; font-size: .75rem; color: #57606a; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 480px), 1fr)); gap: 1rem; }
figure { margin: 0; min-width: 0; }
figcaption { font-size: .85rem; color: #57606a; margin-bottom: .25rem; }
.box { position: relative; height: 280px; }
.note { font-size: .85rem; color: #57606a; }
:focus-visible { outline: 3px solid #bf5700; outline-offset: 2px; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var PALETTE = ["#0b5cad", "#bf3989", "#1a7f37", "#bc4c00", "#8250df", "#0a7f8c", "#9a6700", "#cf222e",
                 "#57606a", "#116329", "#6639ba", "#953800"];
  function color(i) { return PALETTE[i % PALETTE.length]; }
  function shortTime(v) { var d = new Date(v * 1000); if (isNaN(d)) return ""; var s = d.toISOString(); return s.slice(5, 10) + " " + s.slice(11, 16); }
  function pct(v) { return Math.round(v * 100) + "%"; }
  var charts = [];
  var base = {animation: false, responsive: true, maintainAspectRatio: false, plugins: {legend: {position: "bottom"}}};
  function opts(extra) { return Object.assign({}, base, extra); }
  var fig = data.figures || {};
  var bins = fig.bins || {t: [], seconds: 0};
  var timeAxis = {type: "linear", min: bins.start, max: bins.end, title: {display: true, text: "virtual time (UTC)"},
                  ticks: {maxTicksLimit: 7, callback: shortTime}};
  // 1. throughput per person
  var series = [];
  var tp = (fig.throughput || {});
  var names = [];
  Object.keys(tp.submitted || {}).forEach(function (n) { names.push([n, "submitted", tp.submitted[n]]); });
  Object.keys(tp.reviewed || {}).forEach(function (n) { names.push([n, "reviewed", tp.reviewed[n]]); });
  names.forEach(function (entry, i) {
    var perHour = bins.seconds ? 3600 / bins.seconds : 0;
    series.push({label: entry[0] + (entry[1] === "reviewed" ? " (reviews)" : ""), borderColor: color(i), backgroundColor: color(i),
                 pointRadius: 0, borderWidth: 2, tension: 0.25,
                 data: entry[2].map(function (n, j) { return {x: bins.t[j], y: n * perHour}; })});
  });
  charts.push(new Chart(document.getElementById("chart-throughput"), {type: "line", data: {datasets: series},
    options: opts({scales: {x: timeAxis, y: {beginAtZero: true, title: {display: true, text: "per virtual hour"}}}})}));
  // 2. accuracy per worker with its interval
  var ws = (fig.workers || []).filter(function (w) { return w.accuracy; });
  charts.push(new Chart(document.getElementById("chart-accuracy"), {type: "bar",
    data: {labels: ws.map(function (w) { return w.worker; }), datasets: [
      {type: "bar", label: "95% Wilson interval", data: ws.map(function (w) { return [w.accuracy.low, w.accuracy.high]; }),
       backgroundColor: "rgba(11, 92, 173, 0.25)", borderColor: "#0b5cad", borderWidth: 1, barPercentage: 0.5},
      {type: "line", label: "accuracy", data: ws.map(function (w) { return w.accuracy.value; }), showLine: false,
       pointRadius: 6, pointStyle: "rectRot", borderColor: "#bc4c00", backgroundColor: "#bc4c00"}]},
    options: opts({scales: {y: {min: 0, max: 1, ticks: {callback: pct}}}})}));
  var tasks = fig.tasks || [];
  var tnames = tasks.map(function (t) { return t.task.length > 40 ? t.task.slice(0, 18) + "…" + t.task.slice(-18) : t.task; });
  // 3. item outcomes per task
  var kinds = [["consensus", "approved by consensus", "#1a7f37"], ["approved", "approved otherwise", "#0b5cad"],
               ["rejected", "rejected", "#cf222e"], ["skipped", "skipped", "#8c959f"]];
  charts.push(new Chart(document.getElementById("chart-outcomes"), {type: "bar",
    data: {labels: tnames, datasets: kinds.map(function (k) {
      return {label: k[1], backgroundColor: k[2], data: tasks.map(function (t) { return t.outcomes[k[0]]; })}; })},
    options: opts({indexAxis: "y", scales: {x: {stacked: true, beginAtZero: true, title: {display: true, text: "items"}}, y: {stacked: true}}})}));
  // 4. review verdicts per task
  var rtasks = data.tasks || [];
  var verdicts = [["approved", "approved", "#1a7f37"], ["rejected", "rejected", "#cf222e"],
                  ["changes_requested", "changes requested", "#9a6700"]];
  var byTask = {};
  rtasks.forEach(function (t) { byTask[t.task] = t; });
  charts.push(new Chart(document.getElementById("chart-reviews"), {type: "bar",
    data: {labels: tnames, datasets: verdicts.map(function (k) {
      return {label: k[1], backgroundColor: k[2], data: tasks.map(function (t) { var r = byTask[t.task]; return r ? r.reviews[k[0]] : 0; })}; })},
    options: opts({indexAxis: "y", scales: {x: {stacked: true, beginAtZero: true, title: {display: true, text: "review verdicts"}}, y: {stacked: true}}})}));
  // 5. settled share of each task over virtual time
  charts.push(new Chart(document.getElementById("chart-settle"), {type: "line",
    data: {datasets: tasks.map(function (t, i) {
      return {label: tnames[i], borderColor: color(i), backgroundColor: color(i), pointRadius: 0, borderWidth: 2, stepped: false,
              data: t.settled_curve.map(function (n, j) { return {x: bins.t[j], y: t.items ? n / t.items : 0}; })}; })},
    options: opts({scales: {x: timeAxis, y: {min: 0, max: 1, ticks: {callback: pct}, title: {display: true, text: "items settled"}}}})}));
  window.reportCharts = charts;
  document.body.setAttribute("data-charts-ready", String(charts.length));
})();
"""


def render(summary: dict, headline: str = "") -> str:
    """The whole page as one string (the chart library and the data inlined); ``headline``: the
    line ``mockserver simulate`` prints first."""
    fig = summary.get("figures") or {}
    untouched = set(summary.get("untouched_tasks") or ())
    tasks = [t for t in summary.get("tasks") or () if t["task"] not in untouched]
    extra = {t["task"]: t for t in fig.get("tasks") or ()}
    acc = {w["worker"]: w.get("accuracy") for w in fig.get("workers") or ()}
    reason = summary.get("stop_reason") or ("completed" if summary.get("completed") else "until")
    partial = " (partial: the run was interrupted)" if summary.get("interrupted") else ""
    facts = [
        ("Scenario", f"{summary.get('scenario')} (seed {summary.get('seed')})"),
        ("Outcome", reason + partial),
        ("Virtual start", _iso_text(summary.get("virtual_start"))),
        ("Virtual end", _iso_text(summary.get("virtual_end"))),
        ("Virtual time", _duration(summary.get("virtual_seconds"))),
        ("Events", f"{summary.get('events', 0):,}"),
        ("Wall time", f"{summary.get('wall_seconds', 0):.2f} s (setup {summary.get('setup_seconds', 0):.2f} s)"),
        ("Events per second", f"{summary.get('events_per_second', 0):,.0f}"),
    ]
    rows_t = []
    for t in tasks:
        x = extra.get(t["task"], {})
        r = t["reviews"]
        st = x.get("settle_seconds") or {}
        rows_t.append(
            f"<tr><th scope=\"row\">{_e(t['task'])}</th><td>{_e(t['status'])}</td><td class=\"num\">{t['items']}</td>"
            f"<td class=\"num\">{t['done']}</td>"
            f"<td class=\"num\">{_est(x.get('consensus')) if x.get('consensus') else _e(_pct(t.get('consensus_rate')))}</td>"
            f"<td class=\"num\">{_est(x.get('accuracy')) if x.get('accuracy') else _e(_pct(t.get('accuracy')))}</td>"
            f"<td class=\"num\">{r['approved']}/{r['rejected']}/{r['changes_requested']}</td>"
            f"<td class=\"num\">{_duration(x.get('settled_after_seconds'))}</td>"
            f"<td class=\"num\">{_duration(st.get('median'))} / {_duration(st.get('p90'))}</td></tr>")
    rows_w = []
    for w in summary.get("workers") or ():
        rows_w.append(
            f"<tr><th scope=\"row\">{_e(w['worker'])}</th><td>{'simulated' if w.get('simulated') else 'not simulated'}</td>"
            f"<td class=\"num\">{w['submitted']}</td><td class=\"num\">{w['reviewed']}</td>"
            f"<td class=\"num\">{_e(_fmt1(w.get('items_per_hour')))}</td>"
            f"<td class=\"num\">{_est(acc.get(w['worker'])) if acc.get(w['worker']) else _e(_pct(w.get('accuracy')))}</td></tr>")
    untouched_note = (f"<p class=\"note\">Not part of the scenario (untouched): {_e(', '.join(sorted(untouched)))}</p>"
                      if untouched else "")
    charts = [
        ("chart-throughput", "Throughput per person over virtual time (submissions, and review verdicts, per virtual hour)"),
        ("chart-accuracy", "Accuracy per worker against the truth, with its 95% Wilson interval"),
        ("chart-outcomes", "Item outcomes per task: settled by consensus, approved otherwise, rejected, skipped"),
        ("chart-reviews", "Review verdicts per task"),
        ("chart-settle", "Time to settle: share of each task's items settled over virtual time"),
    ]
    figures_html = "\n".join(
        f"<figure><figcaption id=\"{cid}-caption\">{_e(text)}</figcaption><div class=\"box\">"
        f"<canvas id=\"{cid}\" role=\"img\" aria-labelledby=\"{cid}-caption\"></canvas></div></figure>"
        for cid, text in charts)
    title = f"Simulation report: {summary.get('scenario')}"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<link rel="icon" href="data:,">
<style>{CSS}</style>
</head>
<body>
<header><h1>{_e(title)}</h1>
<p>{_e(headline)}</p></header>
<main>
<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>
<dl>{''.join(f'<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>' for k, v in facts)}</dl></section>
<section aria-labelledby="charts-h"><h2 id="charts-h">Charts</h2><div class="charts">
{figures_html}
</div></section>
<section aria-labelledby="tasks-h"><h2 id="tasks-h">Tasks</h2><div class="wrap" tabindex="0" role="region" aria-label="Tasks table"><table>
<thead><tr><th scope="col">Task</th><th scope="col">Status</th><th scope="col" class="num">Items</th>
<th scope="col" class="num">Settled</th><th scope="col" class="num">Consensus (95% CI)</th>
<th scope="col" class="num">Accuracy (95% CI)</th><th scope="col" class="num">Reviews a/r/c</th>
<th scope="col" class="num">Task settled after</th><th scope="col" class="num">Item: first label to settled, median / p90</th></tr></thead>
<tbody>{''.join(rows_t)}</tbody></table></div>{untouched_note}
<p class="note">Consensus: labeled items whose submissions agreed enough to settle without a reviewer. Accuracy: approved
results that match the truth (the item's ground truth, else the simulation's latent truth). Intervals: 95% Wilson.</p></section>
<section aria-labelledby="workers-h"><h2 id="workers-h">Workers</h2><div class="wrap" tabindex="0" role="region" aria-label="Workers table"><table>
<thead><tr><th scope="col">Worker</th><th scope="col">Kind</th><th scope="col" class="num">Submitted</th>
<th scope="col" class="num">Reviewed</th><th scope="col" class="num">Items / h</th>
<th scope="col" class="num">Accuracy (95% CI)</th></tr></thead>
<tbody>{''.join(rows_w)}</tbody></table></div></section>
<p class="note">Made by mockserver simulate (labelforce-standin). Charts: Chart.js (MIT licence), inlined.</p>
</main>
<script id="report-data" type="application/json">{_json_for_script(summary)}</script>
<script>{chart_js()}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


def _iso_text(value) -> str:
    return "-" if not value else str(value).replace("T", " ")


def _fmt1(x) -> str:
    return "-" if x is None else f"{x:.1f}"


def write(path: str, summary: dict, headline: str = "") -> None:
    text = render(summary, headline)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
