/* labelforce-standin dashboard: polls /_mock/dashboard/api/overview once a second and acts through the
   control API (/_mock/clock, /_mock/scenario, /_mock/reset, /_mock/faults, /_mock/journal).
   Plain browser JavaScript, no build step; charts by the vendored Chart.js (window.Chart). */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var HIDDEN_POLL_MS = 5000;
  var JOURNAL_MS = 2000;
  var PALETTE = ["#0b5cad", "#bf3989", "#1a7f37", "#bc4c00", "#8250df", "#0a7f8c", "#9a6700", "#cf222e",
                 "#57606a", "#116329", "#6639ba", "#953800"];

  var state = {
    overview: null,
    seriesVersion: null,
    series: null,
    charts: {},
    colors: {},
    openTask: null,
    opener: null,
    items: {offset: 0, limit: 25, state: ""},
    scenarios: [],
    failures: 0,
  };

  // -- small helpers ---------------------------------------------------------------------------------
  function $(sel, root) { return (root || document).querySelector(sel); }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "className") node.className = v;
        else if (k === "onclick") node.addEventListener("click", v);
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function setText(node, text) {
    text = text === null || text === undefined ? "" : String(text);
    if (node.textContent !== text) node.textContent = text;
  }

  function pct(x, digits) {
    if (x === null || x === undefined) return "-";
    return (100 * x).toFixed(digits === undefined ? 1 : digits) + "%";
  }

  function estimate(e) {
    if (!e) return "-";
    return pct(e.value) + " (" + pct(e.low, 0) + "-" + pct(e.high, 0) + ")";
  }

  function setEstimate(td, e, na) {  // the value, and its interval on a second line
    var text = na ? "n/a" : (e ? pct(e.value) : "-");
    var ci = !na && e ? pct(e.low, 0) + "-" + pct(e.high, 0) : "";
    if (td.dataset.value === text && td.dataset.ci === ci) return;
    td.dataset.value = text;
    td.dataset.ci = ci;
    td.textContent = text;
    if (ci) td.appendChild(el("span", {className: "ci", text: ci}));
  }

  function estimateTitle(e, what) {
    if (!e) return "no " + what + " judged yet";
    return e.k + " of " + e.n + " " + what + "; 95% Wilson interval " + pct(e.low) + " to " + pct(e.high);
  }

  function iso(t) {
    if (t === null || t === undefined) return "-";
    var d = new Date(t * 1000);
    if (isNaN(d.getTime())) return String(t);
    return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  }

  function shortTime(t) {
    var d = new Date(t * 1000);
    if (isNaN(d.getTime())) return "";
    var s = d.toISOString();
    return s.slice(5, 10) + " " + s.slice(11, 16);
  }

  function colorOf(name) {
    if (!state.colors[name]) {
      state.colors[name] = PALETTE[Object.keys(state.colors).length % PALETTE.length];
    }
    return state.colors[name];
  }

  function labelsText(labels) {
    if (!labels || !labels.length) return "(none)";
    return labels.map(function (l) {
      var s = String(l.concept);
      if (l.box) s += " [" + l.box.map(function (v) { return Math.round(v); }).join(",") + "]";
      if (l.polygon) s += " (polygon, " + l.polygon.length + " points)";
      if (l.value !== undefined) s += " = " + JSON.stringify(l.value);
      return s;
    }).join("; ");
  }

  var toastTimer = null;
  function toast(message, isError) {
    var box = $("#toast");
    box.textContent = message;
    box.className = "show" + (isError ? " error" : "");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.className = ""; }, isError ? 6000 : 2500);
  }

  function api(path, options) {
    options = options || {};
    var init = {method: options.method || "GET", headers: {"Accept": "application/json"}, cache: "no-store"};
    if (options.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return fetch(path, init).then(function (res) {
      return res.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        if (!res.ok) {
          var why = body && body.error ? body.error : ("HTTP " + res.status);
          if (res.status === 401) why = "the control API needs its token (see --control-token)";
          var err = new Error(why);
          err.status = res.status;
          throw err;
        }
        return body;
      });
    });
  }

  function busy(button, promise) {
    if (button) button.disabled = true;
    return promise.finally(function () { if (button) button.disabled = false; });
  }

  // keyed rows: update cells in place so focus and selection survive a refresh
  function syncRows(tbody, rows, key, create, update) {
    var existing = {};
    Array.prototype.forEach.call(tbody.rows, function (tr) { existing[tr.dataset.key] = tr; });
    var wanted = {};
    rows.forEach(function (row, i) {
      var k = key(row);
      wanted[k] = true;
      var tr = existing[k];
      if (!tr) {
        tr = create(row);
        tr.dataset.key = k;
      }
      update(tr, row);
      if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] || null);
    });
    Object.keys(existing).forEach(function (k) { if (!wanted[k]) existing[k].remove(); });
  }

  function cells(tr, n) {
    while (tr.cells.length < n) tr.appendChild(el("td"));
    return tr.cells;
  }

  // -- the poll --------------------------------------------------------------------------------------
  function poll() {
    var url = "api/overview" + (state.seriesVersion !== null ? "?series_version=" + state.seriesVersion : "");
    api(url).then(function (data) {
      state.failures = 0;
      state.overview = data;
      if (data.series) {
        state.series = data.series;
        state.seriesVersion = data.series.version;
      }
      render(data);
      setLive(true, "live");
    }).catch(function (err) {
      state.failures += 1;
      setLive(false, err.status ? err.message : "server not answering");
    }).finally(function () {
      var wait = document.hidden ? HIDDEN_POLL_MS : POLL_MS;
      if (state.failures) wait = Math.min(10000, POLL_MS * Math.pow(2, state.failures));
      setTimeout(poll, wait);
    });
  }

  function setLive(ok, text) {
    $("#live-dot").className = "dot " + (ok ? "ok" : "bad");
    setText($("#live-text"), text);
  }

  function render(data) {
    var sc = data.scenario || {};
    var line = sc.name ? "Scenario " + sc.name + " (seed " + sc.seed + ")" : "No scenario loaded (the default workspace)";
    var ports = Object.keys(data.vendors || {}).map(function (v) { return v + " " + data.vendors[v]; });
    if (ports.length) line += " | " + ports.join(" | ");
    setText($("#scenario-line"), line);
    renderClock(data);
    if (!state.pickedScenario && sc.name && state.scenarios.length) {
      var select = $("#scenario-select");
      state.scenarios.forEach(function (x) { if (x.name === sc.name && select.value !== x.file) { select.value = x.file; describeScenario(); } });
    }
    renderTasks(data.tasks || []);
    renderWorkers(data.workers || []);
    renderCharts(data.workers || []);
    setText($("#footer-cost"), "overview built in " + data.cost_ms + " ms; " + (data.faults || 0) + " fault rule(s) in force");
    if (state.openTask) refreshTaskSummary();
  }

  function renderClock(data) {
    var c = data.clock;
    setText($("#clock-now"), iso(c.now));
    setText($("#clock-mode"), c.mode === "manual" ? "manual (paused)" : "scaled");
    setText($("#clock-factor"), c.mode === "manual" ? "-" : String(c.factor));
    setText($("#sim-events"), String((data.scenario || {}).events || 0));
    $("#clock-now").dataset.now = String(c.now);
  }

  // -- tasks -----------------------------------------------------------------------------------------
  var GROUPS = ["not_started", "in_progress", "awaiting_review", "settled"];
  var GROUP_NAMES = {not_started: "not started", in_progress: "in progress", awaiting_review: "awaiting review",
                     settled: "settled", accepted: "accepted"};

  function progressBar(bar, t) {
    var g = t.groups, total = t.total || 0;
    var parts = [];
    GROUPS.forEach(function (name, i) {
      var span = bar.children[i];
      if (!span) { span = el("span", {className: "s-" + name}); bar.appendChild(span); }
      var w = total ? (100 * g[name] / total) : 0;
      if (name === "settled" && g.accepted) {
        // accepted is part of settled: a darker end of the settled segment
        span.style.background = "linear-gradient(90deg, var(--settled) " + (100 * (1 - g.accepted / Math.max(1, g.settled))) +
          "%, var(--accepted) 0)";
      } else if (name === "settled") {
        span.style.background = "";
      }
      span.style.width = w + "%";
      parts.push(GROUP_NAMES[name] + " " + g[name]);
    });
    bar.setAttribute("aria-label", parts.join(", ") + (g.accepted ? ", of which accepted " + g.accepted : "") +
      " of " + total + " items");
  }

  function renderTasks(tasks) {
    var tbody = $("#tasks-table tbody");
    if (!tasks.length) {
      tbody.innerHTML = "";
      var tr = el("tr", {"data-key": "-"}, el("td", {colspan: 13, className: "muted", text: "No tasks."}));
      tbody.appendChild(tr);
      return;
    }
    var empty = tbody.querySelector('tr[data-key="-"]');
    if (empty) empty.remove();
    syncRows(tbody, tasks, function (t) { return t.id; }, function (t) {
      var tr = el("tr");
      var btn = el("button", {type: "button", className: "link", text: t.id,
                              "aria-label": "Open task " + t.id, "data-task": t.id});
      btn.addEventListener("click", function () { openTask(t.id, btn); });
      tr.appendChild(el("td", {className: "id"}, btn));
      tr.appendChild(el("td"));
      tr.appendChild(el("td"));
      tr.appendChild(el("td", null, el("div", {className: "bar", role: "img"})));
      return tr;
    }, function (tr, t) {
      var c = cells(tr, 13);
      setText(c[1], t.vendor);
      setText(c[2], t.status);
      progressBar(c[3].firstChild, t);
      var fields = [["total", t.total], ["not_started", t.groups.not_started], ["in_progress", t.groups.in_progress],
                    ["awaiting_review", t.groups.awaiting_review], ["settled", t.groups.settled],
                    ["accepted", t.groups.accepted]];
      fields.forEach(function (f, i) {
        var td = c[4 + i];
        td.className = "num";
        td.dataset.field = f[0];
        setText(td, f[1]);
      });
      c[10].className = "num"; c[10].dataset.field = "consensus";
      setEstimate(c[10], t.consensus, t.review_strategy !== "consensus");
      c[10].title = t.review_strategy === "consensus" ? estimateTitle(t.consensus, "labeled items agreed") + " (" + t.judged + " of " + t.settled + " settled items judged)" : "not a consensus task";
      c[11].className = "num"; c[11].dataset.field = "accuracy";
      setEstimate(c[11], t.accuracy, false);
      c[11].title = estimateTitle(t.accuracy, "results right") + " (" + t.judged + " of " + t.settled + " settled items judged)";
      c[12].className = "num"; c[12].dataset.field = "reviews";
      setText(c[12], t.reviews.approved + "/" + t.reviews.rejected + "/" + t.reviews.changes_requested);
    });
  }

  // -- workers and their charts ----------------------------------------------------------------------
  function cumulative(name) {
    var s = state.series;
    if (!s) return null;
    var a = s.submitted[name], b = s.reviewed[name];
    if (!a && !b) return null;
    return s.t.map(function (_, i) { return (a ? a[i] : 0) + (b ? b[i] : 0); });
  }

  function valueAt(ts, ys, t) {  // linear interpolation of a cumulative count
    if (t <= ts[0]) return ys[0];
    if (t >= ts[ts.length - 1]) return ys[ys.length - 1];
    var lo = 0, hi = ts.length - 1;
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (ts[mid] <= t) lo = mid; else hi = mid; }
    var span = ts[hi] - ts[lo];
    return span > 0 ? ys[lo] + (ys[hi] - ys[lo]) * (t - ts[lo]) / span : ys[hi];
  }

  function rates(name, bins) {
    var s = state.series, ys = cumulative(name);
    if (!ys || s.t.length < 2) return [];
    var t0 = s.t[0], t1 = s.t[s.t.length - 1], width = (t1 - t0) / bins;
    if (width <= 0) return [];
    var out = [];
    for (var i = 0; i < bins; i++) {
      var a = t0 + i * width, b = a + width;
      out.push({x: b, y: 3600 * (valueAt(s.t, ys, b) - valueAt(s.t, ys, a)) / width});
    }
    return out;
  }

  function recentRate(name) {
    var s = state.series, ys = cumulative(name);
    if (!ys || s.t.length < 2) return null;
    var t1 = s.t[s.t.length - 1], t0 = Math.max(s.t[0], t1 - 3600);
    if (t1 <= t0) return null;
    return 3600 * (valueAt(s.t, ys, t1) - valueAt(s.t, ys, t0)) / (t1 - t0);
  }

  function renderWorkers(workers) {
    var tbody = $("#workers-table tbody");
    if (!workers.length) {
      tbody.innerHTML = "";
      tbody.appendChild(el("tr", {"data-key": "-"}, el("td", {colspan: 9, className: "muted", text: "No workers."})));
      return;
    }
    var empty = tbody.querySelector('tr[data-key="-"]');
    if (empty) empty.remove();
    syncRows(tbody, workers, function (w) { return w.id; }, function (w) {
      var tr = el("tr");
      tr.appendChild(el("th", {scope: "row", text: w.id}));
      tr.appendChild(el("td", null, el("span", {className: "state"})));
      return tr;
    }, function (tr, w) {
      var c = cells(tr, 9);
      var badge = c[1].firstChild;
      badge.className = "state " + w.state;
      setText(badge, w.state);
      var doing = w.doing ? w.doing.kind + " " + w.doing.item + " in " + w.doing.task : (w.simulated ? (w.next_at ? "next at " + iso(w.next_at) : "nothing to do") : "-");
      setText(c[2], doing);
      setText(c[3], w.simulated ? (w.schedule + (w.working ? " (working)" : " (off)")) : "not simulated");
      var nums = [["submitted", w.submitted], ["reviewed", w.reviewed]];
      nums.forEach(function (f, i) { c[4 + i].className = "num"; c[4 + i].dataset.field = f[0]; setText(c[4 + i], f[1]); });
      var r = recentRate(w.id);
      c[6].className = "num"; setText(c[6], r === null ? "-" : r.toFixed(1));
      c[6].title = "submissions and verdicts in the last virtual hour of the series";
      c[7].className = "num"; setText(c[7], pct(w.approval_rate));
      c[7].title = "approved / (approved + rejected) of this worker's submissions";
      c[8].className = "num"; c[8].dataset.field = "accuracy"; setEstimate(c[8], w.accuracy, false);
      c[8].title = estimateTitle(w.accuracy, "submissions right");
    });
  }

  function timeAxis() {
    return {type: "linear", title: {display: true, text: "virtual time (UTC)"},
            ticks: {maxTicksLimit: 6, callback: function (v) { return shortTime(v); }}};
  }

  function seriesBounds(axis) {
    var s = state.series;
    if (s && s.t.length > 1) { axis.min = s.t[0]; axis.max = s.t[s.t.length - 1]; }
    else { delete axis.min; delete axis.max; }
  }

  function renderCharts(workers) {
    if (!window.Chart) return;
    var names = workers.filter(function (w) { return cumulative(w.id); }).map(function (w) { return w.id; });
    var datasets = names.map(function (n) {
      return {label: n, data: rates(n, 48), borderColor: colorOf(n), backgroundColor: colorOf(n),
              pointRadius: 0, borderWidth: 2, tension: 0.25};
    });
    var tp = state.charts.throughput;
    if (!tp) {
      tp = state.charts.throughput = new window.Chart($("#chart-throughput"), {
        type: "line",
        data: {datasets: datasets},
        options: {animation: false, responsive: true, maintainAspectRatio: false, normalized: true,
                  interaction: {mode: "nearest", intersect: false},
                  scales: {x: timeAxis(), y: {beginAtZero: true, title: {display: true, text: "per virtual hour"}}},
                  plugins: {legend: {position: "bottom"},
                            tooltip: {callbacks: {title: function (items) { return items.length ? iso(items[0].parsed.x) : ""; }}}}}
      });
    } else {
      tp.data.datasets = datasets;
    }
    seriesBounds(tp.options.scales.x);
    tp.update("none");
    var judged = workers.filter(function (w) { return w.accuracy; });
    var labels = judged.map(function (w) { return w.id; });
    var ci = judged.map(function (w) { return [w.accuracy.low, w.accuracy.high]; });
    var val = judged.map(function (w) { return w.accuracy.value; });
    var ac = state.charts.accuracy;
    if (!ac) {
      ac = state.charts.accuracy = new window.Chart($("#chart-accuracy"), {
        type: "bar",
        data: {labels: labels, datasets: [
          {type: "bar", label: "95% Wilson interval", data: ci, backgroundColor: "rgba(11, 92, 173, 0.25)",
           borderColor: "#0b5cad", borderWidth: 1, barPercentage: 0.5},
          {type: "line", label: "accuracy", data: val, showLine: false, pointRadius: 6, pointStyle: "rectRot",
           borderColor: "#bc4c00", backgroundColor: "#bc4c00"}]},
        options: {animation: false, responsive: true, maintainAspectRatio: false,
                  scales: {y: {min: 0, max: 1, ticks: {callback: function (v) { return Math.round(v * 100) + "%"; }}}},
                  plugins: {legend: {position: "bottom"},
                            tooltip: {callbacks: {label: function (ctx) {
                              var w = judged[ctx.dataIndex];
                              return w ? w.id + ": " + estimateTitle(w.accuracy, "right") : "";
                            }}}}}
      });
    } else {
      ac.data.labels = labels;
      ac.data.datasets[0].data = ci;
      ac.data.datasets[1].data = val;
      ac.options.plugins.tooltip.callbacks.label = function (ctx) {
        var w = judged[ctx.dataIndex];
        return w ? w.id + ": " + estimateTitle(w.accuracy, "right") : "";
      };
      ac.update("none");
    }
  }

  // -- clock and scenario controls -------------------------------------------------------------------
  function act(button, promise, done) {
    return busy(button, promise.then(function (body) {
      if (done) toast(typeof done === "function" ? done(body) : done);
      poll.now();
      return body;
    }).catch(function (err) { toast(err.message, true); }));
  }

  function bindControls() {
    $("#advance-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var seconds = Number($("#advance-by").value);
      act($("#advance-button"), api("../clock", {method: "POST", body: {advance: seconds}}),
          function (c) { return "Clock now " + iso(c.now); });
    });
    $("#pause-button").addEventListener("click", function (ev) {
      act(ev.currentTarget, api("../clock", {method: "POST", body: {mode: "manual"}}), "Clock paused (manual)");
    });
    $("#scale-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var factor = Number($("#scale-factor").value);
      if (!(factor > 0)) { toast("give a factor above 0", true); return; }
      act($("#scale-button"), api("../clock", {method: "POST", body: {mode: "scaled", factor: factor}}),
          "Clock runs at " + factor + " virtual s per real s");
    });
    $("#load-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = $("#scenario-select").value;
      if (!file) return;
      var body = {path: file};
      var seed = $("#scenario-seed").value;
      if (seed !== "") body.seed = Number(seed);
      toast("Loading " + file + "…");
      act($("#load-button"), api("../scenario", {method: "POST", body: body}).then(function (r) {
        state.seriesVersion = null; state.colors = {}; return r;
      }), function (r) { return "Loaded " + r.name + " (seed " + r.seed + ")"; });
    });
    $("#scenario-select").addEventListener("change", function () { state.pickedScenario = true; describeScenario(); });
    $("#reset-button").addEventListener("click", function (ev) {
      act(ev.currentTarget, api("../reset", {method: "POST"}).then(function (r) { state.seriesVersion = null; return r; }),
          "Reset to the start");
    });
    $("#fault-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var spec = {};
      var vendor = $("#fault-vendor").value;
      if (vendor) spec.vendor = vendor;
      var p = Number($("#fault-probability").value);
      if (!(p >= 0 && p <= 1)) { toast("probability is between 0 and 1", true); return; }
      spec.probability = p;
      var kind = $("#fault-kind").value;
      if (kind === "error") spec.error = {status: 500};
      else if (kind === "error503") spec.error = {status: 503};
      else if (kind === "rate_limit") spec.rate_limit = {retry_after: 1};
      else if (kind === "latency") spec.latency = {ms: 500};
      else spec.drop = true;
      act($("#fault-add"), api("../faults", {method: "POST", body: spec}).then(function (f) { loadFaults(); return f; }),
          function (f) { return "Fault #" + f.id + " added"; });
    });
    $("#faults-clear").addEventListener("click", function (ev) {
      act(ev.currentTarget, api("../faults", {method: "DELETE"}).then(function (r) { loadFaults(); return r; }),
          "Every fault removed");
    });
    $("#journal-vendor").addEventListener("change", loadJournal);
    $("#task-dialog-close").addEventListener("click", closeTask);
    $("#task-dialog").addEventListener("close", function () { afterClose(); });
    $("#items-state").addEventListener("change", function () { state.items.offset = 0; loadItems(); });
    $("#items-prev").addEventListener("click", function () {
      state.items.offset = Math.max(0, state.items.offset - state.items.limit); loadItems();
    });
    $("#items-next").addEventListener("click", function () {
      state.items.offset += state.items.limit; loadItems();
    });
  }

  function loadScenarios() {
    api("api/scenarios").then(function (r) {
      state.scenarios = r.scenarios || [];
      var select = $("#scenario-select");
      select.innerHTML = "";
      state.scenarios.forEach(function (s) {
        select.appendChild(el("option", {value: s.file, text: s.name}));
      });
      var current = state.overview && state.overview.scenario && state.overview.scenario.name;
      state.scenarios.forEach(function (s) { if (s.name === current) select.value = s.file; });
      describeScenario();
    }).catch(function (err) { toast(err.message, true); });
  }

  function describeScenario() {
    var file = $("#scenario-select").value;
    var found = state.scenarios.filter(function (s) { return s.file === file; })[0];
    setText($("#scenario-description"), found ? found.description : "");
  }

  // -- faults and journal ----------------------------------------------------------------------------
  function faultScope(f) {
    var parts = [f.vendor || "every vendor"];
    if (f.operation) parts.push(f.operation);
    if (f.method) parts.push(f.method);
    if (f.path) parts.push("path ~ " + f.path);
    if (f.probability !== undefined && f.probability !== 1) parts.push("p=" + f.probability);
    if (f.times) parts.push(f.remaining + " of " + f.times + " left");
    return parts.join(", ");
  }

  function faultEffect(f) {
    var parts = [];
    if (f.error) parts.push("error " + (f.error.status || 500));
    if (f.rate_limit) parts.push("429 (retry after " + (f.rate_limit.retry_after || 1) + " s)");
    if (f.drop) parts.push("drop the connection");
    if (f.latency) parts.push("latency " + (f.latency.ms !== undefined ? f.latency.ms + " ms" : (f.latency.distribution || "")));
    return parts.join(" + ");
  }

  function loadFaults() {
    return api("../faults").then(function (r) {
      var tbody = $("#faults-table tbody");
      var faults = r.faults || [];
      if (!faults.length) {
        tbody.innerHTML = "";
        tbody.appendChild(el("tr", {"data-key": "-"}, el("td", {colspan: 5, className: "muted", text: "No faults: every request is answered normally."})));
        return;
      }
      var empty = tbody.querySelector('tr[data-key="-"]');
      if (empty) empty.remove();
      syncRows(tbody, faults, function (f) { return String(f.id); }, function (f) {
        var tr = el("tr");
        var btn = el("button", {type: "button", className: "secondary", text: "Remove", "aria-label": "Remove fault " + f.id});
        btn.addEventListener("click", function () {
          act(btn, api("../faults/" + f.id, {method: "DELETE"}).then(function (x) { loadFaults(); return x; }),
              "Fault #" + f.id + " removed");
        });
        tr.appendChild(el("td", {text: String(f.id)}));
        tr.appendChild(el("td"));
        tr.appendChild(el("td"));
        tr.appendChild(el("td", {className: "num"}));
        tr.appendChild(el("td", null, btn));
        return tr;
      }, function (tr, f) {
        setText(tr.cells[1], faultScope(f));
        setText(tr.cells[2], faultEffect(f));
        setText(tr.cells[3], f.hits);
      });
    }).catch(function () { /* shown by the live indicator */ });
  }

  function loadJournal() {
    var vendor = $("#journal-vendor").value;
    var url = "../journal?limit=15" + (vendor ? "&vendor=" + encodeURIComponent(vendor) : "");
    return api(url).then(function (r) {
      var entries = (r.entries || []).slice().reverse();
      setText($("#journal-count"), r.total + " recorded" + (r.dropped ? " (" + r.dropped + " older dropped)" : ""));
      var tbody = $("#journal-table tbody");
      if (!entries.length) {
        tbody.innerHTML = "";
        tbody.appendChild(el("tr", {"data-key": "-"}, el("td", {colspan: 5, className: "muted", text: "No vendor requests recorded yet."})));
        return;
      }
      var empty = tbody.querySelector('tr[data-key="-"]');
      if (empty) empty.remove();
      syncRows(tbody, entries, function (e) { return String(e.id); }, function (e) {
        var tr = el("tr");
        tr.appendChild(el("td", {text: iso(e.time)}));
        tr.appendChild(el("td", {text: e.vendor}));
        tr.appendChild(el("td", {className: "id", text: e.method + " " + e.path, title: e.operation || ""}));
        tr.appendChild(el("td", {className: "num " + (e.status >= 400 || e.status === 0 ? "no" : "ok"), text: String(e.status)}));
        tr.appendChild(el("td", {className: "num", text: e.duration_ms.toFixed(1)}));
        return tr;
      }, function () {});
    }).catch(function () { /* shown by the live indicator */ });
  }

  function journalLoop() {
    var work = [loadJournal()];
    if (state.overview && state.overview.faults !== state.lastFaults) {
      state.lastFaults = state.overview.faults;
      work.push(loadFaults());
    }
    Promise.all(work).finally(function () { setTimeout(journalLoop, document.hidden ? HIDDEN_POLL_MS : JOURNAL_MS); });
  }

  // -- task drill-down -------------------------------------------------------------------------------
  function openTask(taskId, opener) {
    state.openTask = taskId;
    state.opener = opener || null;
    state.items = {offset: 0, limit: 25, state: ""};
    $("#items-state").value = "";
    setText($("#task-dialog-title"), "Task " + taskId);
    $("#task-dialog-body").innerHTML = "";
    $("#item-detail").innerHTML = "";
    var dialog = $("#task-dialog");
    if (!dialog.open) dialog.showModal();
    refreshTaskSummary(true);
    loadItems();
  }

  function closeTask() {
    var dialog = $("#task-dialog");
    if (dialog.open) dialog.close();
  }

  function afterClose() {
    state.openTask = null;
    if (state.opener && document.body.contains(state.opener)) state.opener.focus();
    else {
      var again = document.querySelector('button[data-task="' + CSS.escape(String(state.lastOpen || "")) + '"]');
      if (again) again.focus();
    }
  }

  var lastTaskRefresh = 0;
  function refreshTaskSummary(force) {
    var id = state.openTask;
    if (!id) return;
    var now = Date.now();
    if (!force && now - lastTaskRefresh < 2000) return;
    lastTaskRefresh = now;
    state.lastOpen = id;
    api("api/task?task_id=" + encodeURIComponent(id)).then(function (r) {
      if (state.openTask !== id) return;
      renderTaskBody(r);
    }).catch(function (err) { toast(err.message, true); });
  }

  function kvTable(caption, head, rows) {
    var table = el("table");
    table.appendChild(el("caption", {className: "visually-hidden", text: caption}));
    var thead = el("thead"), tr = el("tr");
    head.forEach(function (h, i) { tr.appendChild(el("th", {scope: "col", className: i ? "num" : "", text: h})); });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (row) {
      var r = el("tr");
      row.forEach(function (v, i) { r.appendChild(i ? el("td", {className: "num", text: String(v)}) : el("th", {scope: "row", text: String(v)})); });
      tbody.appendChild(r);
    });
    table.appendChild(tbody);
    return el("div", {className: "table-wrap"}, table);
  }

  function renderTaskBody(r) {
    var t = r.task, st = r.stats, sm = r.summary;
    var body = $("#task-dialog-body");
    var scroll = body.scrollTop;
    body.innerHTML = "";
    body.appendChild(el("p", null,
      t.vendor + " task, " + t.kind + ", status " + t.status + "; assignment " + (t.assignment.strategy || "-") +
      (t.assignment.workers_per_input ? " (" + t.assignment.workers_per_input + " per item)" : "") +
      "; review " + t.review.strategy + (t.review.reviewers.length ? " by " + t.review.reviewers.join(", ") : "") +
      "; workers " + (t.workers.join(", ") || "none") + "."));
    body.appendChild(el("p", null,
      "Consensus: " + (sm.review_strategy === "consensus" ? estimate(sm.consensus) : "n/a") +
      ". Accuracy: " + estimate(sm.accuracy) + " (" + sm.judged + " of " + sm.settled + " settled items judged)." +
      " Reviews: " + sm.reviews.approved + " approved, " + sm.reviews.rejected + " rejected, " +
      sm.reviews.changes_requested + " changes requested."));
    var grid = el("div", {className: "grid2"});
    grid.appendChild(el("div", null, el("h3", {text: "Items by state"}),
      kvTable("Items by state", ["state", "items"], Object.keys(st.states).map(function (k) { return [k, st.states[k]]; })
        .concat([["total", st.total], ["open slots nobody has", st.unassigned]]))));
    var workers = Object.keys(st.workers);
    grid.appendChild(el("div", null, el("h3", {text: "Workers in this task"}),
      workers.length ? kvTable("Workers in this task", ["worker", "assigned", "submitted", "skipped", "approved", "rejected"],
        workers.map(function (w) { var c = st.workers[w]; return [w, c.assigned, c.submitted, c.skipped, c.approved, c.rejected]; }))
        : el("p", {className: "muted", text: "none"})));
    var reviewers = Object.keys(st.reviewers);
    grid.appendChild(el("div", null, el("h3", {text: "Reviewers"}),
      reviewers.length ? kvTable("Reviewers", ["reviewer", "approved", "rejected", "changes"],
        reviewers.map(function (n) { var c = st.reviewers[n]; return [n, c.approved, c.rejected, c.changes_requested]; }))
        : el("p", {className: "muted", text: "none"})));
    var concepts = Object.keys(st.labels_submitted);
    grid.appendChild(el("div", null, el("h3", {text: "Labels"}),
      concepts.length ? kvTable("Labels submitted and approved", ["concept", "submitted", "approved"],
        concepts.map(function (k) { return [k, st.labels_submitted[k], st.labels_approved[k] || 0]; }))
        : el("p", {className: "muted", text: "none yet"})));
    if (st.acceptance && st.acceptance.sampled) {
      var a = st.acceptance;
      grid.appendChild(el("div", null, el("h3", {text: "Acceptance"}),
        kvTable("Acceptance", ["figure", "items"], [["sampled", a.sampled], ["checked", a.checked],
          ["accepted", a.accepted], ["rejected", a.rejected], ["unchecked", a.uncheck]])));
    }
    body.appendChild(grid);
    body.scrollTop = scroll;
  }

  function loadItems() {
    var id = state.openTask;
    if (!id) return;
    var s = $("#items-state").value;
    state.items.state = s;
    var url = "api/task/items?task_id=" + encodeURIComponent(id) + "&offset=" + state.items.offset +
      "&limit=" + state.items.limit + (s ? "&state=" + s : "");
    api(url).then(function (r) {
      if (state.openTask !== id) return;
      var tbody = $("#items-table tbody");
      tbody.innerHTML = "";
      if (!r.items.length) {
        tbody.appendChild(el("tr", null, el("td", {colspan: 4, className: "muted", text: "No items here."})));
      }
      r.items.forEach(function (it) {
        var btn = el("button", {type: "button", className: "link", text: it.item_id, "aria-label": "Show item " + it.item_id});
        btn.addEventListener("click", function () { showItem(id, it.item_id, it.source); });
        tbody.appendChild(el("tr", null, el("td", {className: "id"}, btn), el("td", {text: it.state}),
          el("td", {text: it.workers.join(", ") || "-"}), el("td", {className: "num", text: String(it.reviews)})));
      });
      var end = Math.min(r.total, r.offset + r.items.length);
      setText($("#items-range"), r.total ? (r.offset + 1) + "-" + end + " of " + r.total : "0 items");
      $("#items-prev").disabled = r.offset <= 0;
      $("#items-next").disabled = end >= r.total;
    }).catch(function (err) { toast(err.message, true); });
  }

  function showItem(taskId, itemId, source) {
    var url = "api/task/item?task_id=" + encodeURIComponent(taskId) + "&item_id=" + encodeURIComponent(itemId) +
      "&source=" + encodeURIComponent(source);
    api(url).then(function (r) {
      var box = $("#item-detail");
      box.innerHTML = "";
      box.appendChild(el("h3", {text: "Item " + r.item_id + " (" + r.state + ")"}));
      var truthText = r.truth ? labelsText(r.truth) + (r.truth_kind === "simulated" ? " (the simulation's latent truth)" : " (ground truth)") : "unknown";
      box.appendChild(el("p", null, "Truth: " + truthText));
      var table = el("table");
      table.appendChild(el("caption", {className: "visually-hidden", text: "Who labeled what"}));
      table.appendChild(el("thead", null, el("tr", null, el("th", {scope: "col", text: "worker"}), el("th", {scope: "col", text: "work"}),
        el("th", {scope: "col", text: "labels"}), el("th", {scope: "col", text: "submitted"}), el("th", {scope: "col", text: "vs truth"}))));
      var tb = el("tbody");
      r.work.forEach(function (w) {
        var verdict = w.agrees_with_truth === null || w.agrees_with_truth === undefined ? "-" : (w.agrees_with_truth ? "right" : "wrong");
        tb.appendChild(el("tr", null, el("th", {scope: "row", text: w.worker}), el("td", {text: w.state}),
          el("td", {text: w.state === "submitted" ? labelsText(w.labels) : "-"}), el("td", {text: iso(w.submitted_at)}),
          el("td", {className: verdict === "right" ? "ok" : (verdict === "wrong" ? "no" : ""), text: verdict})));
      });
      table.appendChild(tb);
      box.appendChild(el("h4", {text: "Who labeled what"}));
      box.appendChild(el("div", {className: "table-wrap"}, table));
      box.appendChild(el("h4", {text: "Agreement"}));
      var pairs = r.agreement.pairs.map(function (p) { return p.a + " & " + p.b + ": " + (p.agree ? "agree" : "differ"); });
      box.appendChild(el("p", null, "Largest agreeing group: " + (r.agreement.group.join(", ") || "-") +
        (pairs.length ? ". " + pairs.join("; ") + "." : ".")));
      if (r.reviews.length) {
        box.appendChild(el("h4", {text: "Reviews"}));
        var ul = el("ul");
        r.reviews.forEach(function (rv) {
          ul.appendChild(el("li", {text: iso(rv.at) + " " + rv.reviewer + ": " + rv.decision + (rv.comment ? " (" + rv.comment + ")" : "")}));
        });
        box.appendChild(ul);
      }
      var res = r.result;
      box.appendChild(el("h4", {text: "Result"}));
      box.appendChild(el("p", null, res.state + (res.by ? " by " + res.by : "") + (res.labels ? ": " + labelsText(res.labels) : "") +
        (res.agrees_with_truth === undefined ? "" : (res.agrees_with_truth ? " (right)" : " (wrong)"))));
      if (r.data) box.appendChild(el("details", null, el("summary", {text: "Item data"}), el("pre", {text: JSON.stringify(r.data, null, 2)})));
      box.querySelector("h3").setAttribute("tabindex", "-1");
      box.querySelector("h3").focus();
    }).catch(function (err) { toast(err.message, true); });
  }

  // -- start -----------------------------------------------------------------------------------------
  poll.now = function () {
    api("api/overview" + (state.seriesVersion !== null ? "?series_version=" + state.seriesVersion : "")).then(function (data) {
      state.overview = data;
      if (data.series) { state.series = data.series; state.seriesVersion = data.series.version; }
      render(data);
    }).catch(function () {});
    loadJournal();
    loadFaults();
  };

  function start() {
    if (window.Chart) {
      window.Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
      window.Chart.defaults.color = "#1b1f24";
    }
    bindControls();
    loadScenarios();
    loadFaults();
    poll();
    journalLoop();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
