/* The deal map's own script. Reads the page's JSON data block and draws the header,
 * flags, support chart, legend details and the vis-network committee.
 * Rule: user text reaches the page through textContent (or canvas text) only, and
 * tooltips are DOM elements, never HTML strings. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("map-data").textContent);
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ALERT = "#E4002B";
  var HIGHLIGHT = "#FFB000";

  var state = {
    mode: DATA.mode,
    frameIndex: DATA.current,
    frameCount: DATA.frames.length,
    network: null,
    nodes: null,
    edges: null,
    activeFlag: null,
    highlighted: [],
    stabilized: false,
    stabilizedMs: null,
    layouts: 0,
    committeeSize: 0,
    asOf: null
  };
  // Read by the tests and the benchmark (node counts, "stabilised" time).
  window.__graphsvcMap = state;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function setText(id, text) {
    document.getElementById(id).textContent = text === null || text === undefined ? "" : String(text);
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function pct(x) {
    return Math.round((x || 0) * 100) + "%";
  }

  function signedPoints(x) {
    var p = Math.round((x || 0) * 1000) / 10;
    return (p > 0 ? "+" : p < 0 ? "−" : "±") + Math.abs(p) + " pts";
  }

  function money(amount, currency) {
    if (amount === null || amount === undefined) return null;
    try {
      if (currency) {
        return new Intl.NumberFormat("en", { style: "currency", currency: currency, maximumFractionDigits: 0 }).format(amount);
      }
    } catch (e) { /* an unknown currency code: fall through to a plain number */ }
    return new Intl.NumberFormat("en", { maximumFractionDigits: 0 }).format(amount) + (currency ? " " + currency : "");
  }

  function frame() {
    return DATA.frames[state.frameIndex];
  }

  /* ------------------------------------------------------------------ header */

  function renderHeader(f) {
    var d = f.deal;
    var s = f.support;
    setText("deal-name", d.name);
    document.title = d.name + " · deal map";
    var meta = ["owner " + d.owner];
    if (d.stage) meta.push(d.stage);
    var amount = money(d.amount, d.currency);
    if (amount) meta.push(amount);
    meta.push(d.status);
    if (d.close_date) meta.push("closes " + d.close_date);
    meta.push("as of " + f.date);
    setText("deal-meta", meta.join(" · "));

    setText("support-share", pct(s.share));
    var trend = document.getElementById("support-trend");
    var arrow = s.trend === "growing" ? "▲ growing " : s.trend === "shrinking" ? "▼ shrinking " : "■ stable ";
    trend.textContent = arrow + signedPoints(s.trend_delta) + " in " + s.trend_weeks + " wk";
    trend.className = "trend trend-" + s.trend;
    setText("movers", s.movers.length ? "moved by " + s.movers.map(function (m) {
      return m.name + " " + signedPoints(m.delta);
    }).join(", ") : "");
    setText("allies", s.allies);
    setText("opposition", pct(s.opposition));
    setText("completeness", pct(s.completeness));
    setText("missing-roles", s.missing_roles.length ? "missing: " + s.missing_roles.join(", ") : "all key roles mapped");

    var dm = document.getElementById("top-dm");
    var tdm = f.top_decision_maker;
    if (!tdm) {
      dm.textContent = "none on the committee";
      dm.className = "stat-value small-value dm-alert";
    } else if (!tdm.contacted) {
      dm.textContent = tdm.name + " — NEVER CONTACTED";
      dm.className = "stat-value small-value dm-alert";
    } else {
      dm.textContent = tdm.name + " — last contact " + (tdm.last_contact || "unknown");
      dm.className = "stat-value small-value";
    }
    setText("stale-days", DATA.stale_days);
  }

  /* ------------------------------------------------------------------- flags */

  function renderFlags(f) {
    var list = document.getElementById("flags");
    clear(list);
    setText("flag-count", f.flags.length ? "(" + f.flags.length + ")" : "");
    if (!f.flags.length) {
      list.appendChild(el("li", "no-flags", "No flags."));
      return;
    }
    f.flags.forEach(function (flag, index) {
      var item = el("li");
      var button = el("button", "flag flag-" + flag.severity);
      button.type = "button";
      button.setAttribute("data-flag-index", String(index));
      button.setAttribute("aria-pressed", "false");
      button.appendChild(el("span", "flag-code", flag.code + " · " + flag.severity));
      button.appendChild(el("span", "flag-message", flag.message));
      button.title = flag.message;  // the whole message when it is clamped
      button.addEventListener("click", function () { toggleFlag(index); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function toggleFlag(index) {
    var buttons = document.querySelectorAll("#flags .flag");
    var same = state.activeFlag === index;
    state.activeFlag = same ? null : index;
    buttons.forEach(function (b) {
      var on = !same && b.getAttribute("data-flag-index") === String(index);
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    highlight(same ? [] : frame().flags[index].nodes);
  }

  function highlight(ids) {
    if (!state.nodes) return;
    var present = ids.filter(function (id) { return state.nodes.get(id) !== null; });
    var wanted = {};
    present.forEach(function (id) { wanted[id] = true; });
    state.highlighted = present;
    var dim = present.length > 0;
    state.nodes.update(state.nodes.getIds().map(function (id) {
      return { id: id, opacity: !dim || wanted[id] ? 1 : 0.25 };
    }));
    state.network.selectNodes(present, false);
    if (present.length) {
      state.network.fit({ nodes: present, animation: { duration: 350, easingFunction: "easeInOutQuad" }, maxZoomLevel: 1.2 });
    } else {
      state.network.fit({ animation: { duration: 350, easingFunction: "easeInOutQuad" } });
    }
    state.network.redraw();
  }

  /* ------------------------------------------------------------------- chart */

  function renderChart() {
    var box = document.getElementById("chart");
    clear(box);
    var points = DATA.history;
    if (!points.length) {
      box.appendChild(el("p", "muted small", "No support history yet."));
      return;
    }
    var W = 300, H = 130, L = 34, R = 26, T = 10, B = 22;
    var t0 = points[0].at_ms, t1 = points[points.length - 1].at_ms;
    var maxAllies = Math.max(1, Math.max.apply(null, points.map(function (p) { return p.allies; })));
    function x(t) { return t1 === t0 ? L + (W - L - R) / 2 : L + (W - L - R) * (t - t0) / (t1 - t0); }
    function yShare(v) { return T + (H - T - B) * (1 - v); }
    function yAllies(v) { return T + (H - T - B) * (1 - v / maxAllies); }
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img" });
    var label = svg("title", {});
    label.textContent = "Support share and allies over time";
    root.appendChild(label);
    [0, 0.5, 1].forEach(function (v) {
      root.appendChild(svg("line", { x1: L, x2: W - R, y1: yShare(v), y2: yShare(v), stroke: "#dadce0", "stroke-width": 1 }));
      var tick = svg("text", { x: L - 4, y: yShare(v) + 3, "text-anchor": "end", "class": "axis" });
      tick.textContent = Math.round(v * 100) + "%";
      root.appendChild(tick);
    });
    [0, maxAllies].forEach(function (v) {
      var tick = svg("text", { x: W - R + 4, y: yAllies(v) + 3, "text-anchor": "start", "class": "axis" });
      tick.textContent = String(v);
      root.appendChild(tick);
    });
    var first = svg("text", { x: L, y: H - 6, "text-anchor": "start", "class": "axis" });
    first.textContent = points[0].date;
    root.appendChild(first);
    if (points.length > 1) {
      var last = svg("text", { x: W - R, y: H - 6, "text-anchor": "end", "class": "axis" });
      last.textContent = points[points.length - 1].date;
      root.appendChild(last);
    }
    var asOf = frame().as_of_ms;
    if (asOf >= t0 && asOf <= t1) {
      root.appendChild(svg("line", { x1: x(asOf), x2: x(asOf), y1: T, y2: H - B, stroke: "#777", "stroke-dasharray": "3 3" }));
    }
    var allies = [];
    points.forEach(function (p, i) {
      if (i > 0) allies.push(x(p.at_ms) + "," + yAllies(points[i - 1].allies));
      allies.push(x(p.at_ms) + "," + yAllies(p.allies));
    });
    root.appendChild(svg("polyline", { points: allies.join(" "), fill: "none", stroke: "#E69F00", "stroke-width": 2 }));
    root.appendChild(svg("polyline", {
      points: points.map(function (p) { return x(p.at_ms) + "," + yShare(p.share); }).join(" "),
      fill: "none", stroke: "#0072B2", "stroke-width": 2.2
    }));
    points.forEach(function (p) {
      var dot = svg("circle", { cx: x(p.at_ms), cy: yShare(p.share), r: 3, fill: "#0072B2" });
      var tip = svg("title", {});
      tip.textContent = p.date + ": support " + pct(p.share) + ", opposition " + pct(p.opposition) + ", " + p.allies + " allies";
      dot.appendChild(tip);
      root.appendChild(dot);
    });
    box.appendChild(root);
  }

  /* ---------------------------------------------------------------- tooltips */

  function table(rows) {
    var t = el("table", "tip-table");
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") return;
      var tr = el("tr");
      tr.appendChild(el("th", null, row[0]));
      tr.appendChild(el("td", null, row[1]));
      t.appendChild(tr);
    });
    return t;
  }

  function interaction(f, id) {
    var rec = id ? f.interactions[id] : null;
    return rec ? { date: rec[0], channel: rec[1], summary: rec[2] } : null;
  }

  function memberTip(f, info) {
    var root = el("div", "tip");
    root.appendChild(el("div", "tip-name", info.name));
    if (info.title) root.appendChild(el("div", "tip-title", info.title));
    if (info.never_contacted) root.appendChild(el("div", "tip-alert", "Top decision-maker — never contacted"));
    var c = info.components;
    var last = interaction(f, info.last);
    root.appendChild(table([
      ["Role", info.role],
      ["Stance", info.stance],
      ["Ally", info.ally ? "yes" : "no"],
      ["Score", info.score + (info.rank ? " (rank " + info.rank + ")" : "")],
      ["Components", c ? "authority " + c.authority + " · network " + c.network + " · rating " + c.rating : null],
      ["Coverage", info.coverage + " · " + info.interactions + " interaction" + (info.interactions === 1 ? "" : "s")],
      ["Last contact", info.last_contact ? info.last_contact + (last ? " (" + last.channel + ")" : "") : "never"],
      ["On committee since", info.since]
    ]));
    if (last && last.summary) root.appendChild(el("div", "tip-summary", "“" + last.summary + "”"));
    return root;
  }

  function teamTip(info) {
    var root = el("div", "tip");
    root.appendChild(el("div", "tip-name", info.email));
    root.appendChild(el("div", "tip-title", "Our team"));
    root.appendChild(table([
      ["Interactions", info.interactions],
      ["People met", info.people],
      ["Last contact", info.last_contact || "never"]
    ]));
    return root;
  }

  function nodeName(f, id) {
    var info = f.node_info[id];
    if (!info) return id;
    return info.kind === "team" ? info.email : info.name;
  }

  function edgeTip(f, edge, info) {
    var root = el("div", "tip");
    var from = nodeName(f, edge.from), to = nodeName(f, edge.to);
    if (info.kind === "influence") {
      root.appendChild(el("div", "tip-name", from + " → " + to));
      root.appendChild(table([["Influences", "strength " + info.strength], ["Since", info.since]]));
    } else if (info.kind === "reporting") {
      root.appendChild(el("div", "tip-name", from + " → " + to));
      root.appendChild(table([["Line", "reports to"], ["Since", info.since]]));
    } else {
      var last = interaction(f, info.last);
      root.appendChild(el("div", "tip-name", from + " met " + to));
      root.appendChild(table([
        ["Interactions", info.count],
        ["Last contact", last ? last.date + " (" + last.channel + ")" + (info.stale ? " — over " + DATA.stale_days + " days ago" : "") : null]
      ]));
      if (last && last.summary) root.appendChild(el("div", "tip-summary", "“" + last.summary + "”"));
    }
    return root;
  }

  /* ----------------------------------------------------------------- network */

  function drawMarkers(ctx) {
    var f = frame();
    var ids = [];
    if (f.alert_node && state.nodes.get(f.alert_node)) ids.push(f.alert_node);
    var positions = state.network.getPositions(ids.concat(state.highlighted));
    state.highlighted.forEach(function (id) {
      var p = positions[id];
      var n = state.nodes.get(id);
      if (!p || !n) return;
      ctx.save();
      ctx.beginPath();
      ctx.lineWidth = 5;
      ctx.strokeStyle = HIGHLIGHT;
      ctx.arc(p.x, p.y, (n.size || 20) + 6, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.restore();
    });
    ids.forEach(function (id) {
      var p = positions[id];
      var n = state.nodes.get(id);
      if (!p || !n) return;
      var r = (n.size || 20) + 11;
      ctx.save();
      ctx.beginPath();
      ctx.setLineDash([8, 5]);
      ctx.lineWidth = 4;
      ctx.strokeStyle = ALERT;
      ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = "bold 14px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      ctx.lineWidth = 4;
      ctx.strokeStyle = "#FFFFFF";
      ctx.strokeText("⚠ NEVER CONTACTED", p.x, p.y - r - 4);
      ctx.fillStyle = ALERT;
      ctx.fillText("⚠ NEVER CONTACTED", p.x, p.y - r - 4);
      ctx.restore();
    });
  }

  function onStabilized() {
    if (state.stabilized) return;
    state.network.setOptions({ physics: { enabled: false } });
    state.stabilized = true;
    state.stabilizedMs = performance.now();
    document.documentElement.setAttribute("data-layouts", String(state.layouts));
    document.documentElement.setAttribute("data-stabilized", "true");
    var f = frame();
    var team = f.nodes.length - f.committee_size;  // team node ids start with "t:"
    setText("status", f.committee_size + " committee members, " + team + " of our team · layout settled");
  }

  function showFrame(index) {
    state.frameIndex = index;
    var f = frame();
    state.activeFlag = null;
    state.highlighted = [];
    state.stabilized = false;
    state.asOf = f.date;
    state.committeeSize = f.committee_size;
    document.documentElement.removeAttribute("data-stabilized");
    renderHeader(f);
    renderFlags(f);
    renderChart();
    document.getElementById("as-of-input").value = f.date;

    var previous = state.network ? state.network.getPositions() : {};
    if (state.network) {
      state.network.destroy();
      state.network = null;
    }
    state.nodes = new vis.DataSet(f.nodes.map(function (n) {
      var item = Object.assign({}, n);
      var info = f.node_info[n.id];
      item.title = info.kind === "team" ? teamTip(info) : memberTip(f, info);
      if (previous[n.id]) {
        item.x = previous[n.id].x;
        item.y = previous[n.id].y;
      }
      return item;
    }));
    state.edges = new vis.DataSet(f.edges.map(function (e) {
      var item = Object.assign({}, e);
      item.title = edgeTip(f, e, f.edge_info[e.id]);
      return item;
    }));
    setText("status", "Laying out the committee…");
    var container = document.getElementById("network");
    state.network = new vis.Network(container, { nodes: state.nodes, edges: state.edges }, f.options);
    state.layouts += 1;
    state.network.on("stabilizationProgress", function (p) {
      setText("status", "Laying out the committee… " + Math.round(100 * p.iterations / p.total) + "%");
    });
    state.network.on("stabilizationIterationsDone", onStabilized);
    state.network.on("afterDrawing", drawMarkers);
    if (f.nodes.length === 0) {
      onStabilized();
      setText("status", "Nobody is on this committee as of " + f.date + ".");
    }
  }

  /* ------------------------------------------------------------------- as-of */

  function setUpAsOf() {
    var form = document.getElementById("as-of-form");
    var input = document.getElementById("as-of-input");
    var note = document.getElementById("as-of-note");
    if (state.mode === "file") {
      var first = DATA.frames[0].date, last = DATA.frames[DATA.frames.length - 1].date;
      input.min = first;
      input.max = last;
      note.textContent = DATA.frames.length > 1
        ? "This file holds the map at " + DATA.frames.length + " dates, " + first + " to " + last + "."
        : "This file holds the map as of " + last + " only.";
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = input.value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return;
      if (state.mode === "served") {
        var url = new URL(window.location.href);
        url.searchParams.set("as_of", value);
        window.location.assign(url.toString());
        return;
      }
      // A file has no server to ask: show the newest embedded map at or before the day's end.
      var end = Date.parse(value + "T23:59:59.999Z");
      var chosen = -1;
      DATA.frames.forEach(function (f, i) { if (f.as_of_ms <= end) chosen = i; });
      if (chosen < 0) {
        note.textContent = "This file has no map before " + DATA.frames[0].date + ".";
        return;
      }
      showFrame(chosen);
      if (DATA.frames[chosen].date !== value) {
        note.textContent = "Showing " + DATA.frames[chosen].date + ", the latest map in this file on or before " + value + ".";
      }
    });
  }

  setUpAsOf();
  showFrame(state.frameIndex);
})();
