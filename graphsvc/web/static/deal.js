/* The deal page: draws the committee map (vis-network), switches between the influence
 * network and the org chart, keeps dragged positions, sends edits, and follows changes
 * made by others (polls the deal's revision).
 * Rules: user text reaches the page through textContent, form values or the server's
 * autoescaped HTML only; no inline script or style (the page's CSP forbids both). */
(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("deal-data").textContent);
  var ALERT = "#E4002B";
  var ADVICE_PAUSE_MS = 700;
  var state = {
    revision: CONFIG.state.revision,
    frame: CONFIG.state.frame,
    members: CONFIG.state.members,
    formsKey: CONFIG.state.forms_key,
    linesKey: CONFIG.state.lines_key,
    drawnItems: {},
    layout: CONFIG.state.layout === "orgchart" ? "orgchart" : "network",
    positions: CONFIG.state.positions || {},
    network: null,
    nodes: null,
    edges: null,
    busy: false,
    draws: 0,
    updates: 0
  };
  // Read by the browser tests and the benchmark.
  window.__dealRoom = state;

  var side = document.getElementById("side");
  var notice = document.getElementById("notice");

  function say(text, kind) {
    notice.textContent = text || "";
    notice.className = "notice" + (kind ? " " + kind : "");
  }

  // ------------------------------------------------------------------ the map

  // Where each node goes: where it was dragged, else where the server laid it out (every
  // node has a place, so the map is drawn at once, with physics off).
  function savedPositions() {
    var kept = state.positions && state.positions.network;
    return Object.assign({}, state.frame.positions || {}, kept && typeof kept === "object" ? kept : {});
  }

  function nodeItems(frame) {
    var levels = frame.levels || {};
    var maxLevel = 0;
    Object.keys(levels).forEach(function (k) { maxLevel = Math.max(maxLevel, levels[k]); });
    var kept = savedPositions();
    return frame.nodes.map(function (n) {
      var item = Object.assign({}, n);
      delete item.title; // tooltips are never HTML strings
      if (n.id === frame.alert_node) {
        item.borderWidth = 5;
        item.color = Object.assign({}, n.color, { border: ALERT });
      }
      if (state.layout === "orgchart") {
        item.level = levels[n.id] !== undefined ? levels[n.id] : maxLevel + 1;
        delete item.x; delete item.y;
      } else if (kept[n.id]) {
        item.x = kept[n.id][0];
        item.y = kept[n.id][1];
      }
      return item;
    });
  }

  function mapOptions(frame, placed) {
    var options = JSON.parse(JSON.stringify(frame.options));
    options.interaction = Object.assign({}, options.interaction, { keyboard: false });
    options.manipulation = { enabled: false, addEdge: onEdgeDrawn };
    if (state.layout === "orgchart") {
      options.layout = {
        hierarchical: { enabled: true, direction: "UD", sortMethod: "directed",
                        levelSeparation: 120, nodeSpacing: 150, shakeTowards: "roots" }
      };
      options.physics = { enabled: false };
    } else {
      options.layout = { randomSeed: 7, improvedLayout: frame.committee_size <= 60,
                         hierarchical: { enabled: false } };
      var kept = Object.assign({}, savedPositions(), placed || {});
      var allKept = frame.nodes.length > 0 && frame.nodes.every(function (n) { return kept[n.id]; });
      if (allKept) {
        // Everyone has a place (dragged, or drawn before this edit): no physics at all,
        // so the map answers an edit at once and nothing moves under the user.
        options.physics = { enabled: false };
      } else if (frame.committee_size > 60 && options.physics) {
        // A large committee settles in fewer steps before the first drawing; the
        // rest of the settling is animated on screen.
        options.physics.stabilization = Object.assign({}, options.physics.stabilization,
          { iterations: 60, updateInterval: 20 });
      }
    }
    return options;
  }

  function markDrawn() {
    state.draws += 1;
    // For the benchmark and the browser's own performance tools: when the map was drawn.
    if (window.performance && performance.mark) performance.mark("map-drawn");
    document.documentElement.setAttribute("data-map-drawn", String(state.draws));
    document.documentElement.setAttribute("data-revision", state.revision);
    document.documentElement.setAttribute("data-layout", state.layout);
  }

  function draw() {
    var frame = state.frame;
    var container = document.getElementById("map");
    var previous = state.network && state.layout === "network" ? state.network.getPositions() : {};
    var items = nodeItems(frame).map(function (item) {
      if (state.layout === "network" && previous[item.id] && item.x === undefined) {
        item.x = previous[item.id].x;
        item.y = previous[item.id].y;
      }
      return item;
    });
    state.levels = frame.levels || {};
    state.drawnItems = {};
    items.forEach(function (item) {
      var copy = Object.assign({}, item);
      delete copy.x; delete copy.y;
      state.drawnItems[item.id] = JSON.stringify(copy);
    });
    state.drawnEdges = frame.edges;
    state.nodes = new vis.DataSet(items);
    state.edges = new vis.DataSet(frame.edges);
    var options = mapOptions(frame, previous);
    if (state.network) state.network.destroy();
    state.network = new vis.Network(container, { nodes: state.nodes, edges: state.edges }, options);
    state.network.once("afterDrawing", markDrawn);
    state.network.on("stabilized", function () {
      state.network.setOptions({ physics: { enabled: false } });
    });
    state.network.on("dragEnd", function (params) {
      if (params.nodes && params.nodes.length && state.layout === "network") keepPositions();
    });
    state.network.on("click", function (params) {
      if (params.nodes && params.nodes.length === 1 && params.nodes[0].indexOf("s:") === 0) {
        choosePerson(params.nodes[0].slice(2));
      }
    });
    ["network", "orgchart"].forEach(function (name) {
      document.getElementById("layout-" + name).setAttribute("aria-pressed",
        state.layout === name ? "true" : "false");
    });
    fillNames();
  }

  // After an edit or a change by others: when the same people are on the map (and, on
  // the org chart, on the same levels), the drawn network takes the new nodes and lines
  // in place (nodes keep where they are); building a new network for 200 people costs
  // far more than the edit itself. Otherwise it is drawn anew.
  function refresh() {
    var network = state.network;
    var frame = state.frame;
    if (!network) { draw(); return; }
    var drawnIds = state.nodes.getIds().slice().sort();
    var ids = frame.nodes.map(function (n) { return n.id; }).sort();
    var sameLevels = state.layout !== "orgchart" ||
      JSON.stringify(frame.levels || {}) === JSON.stringify(state.levels || {});
    if (!sameLevels || drawnIds.length !== ids.length ||
        drawnIds.some(function (id, i) { return id !== ids[i]; })) {
      draw();
      return;
    }
    // Only what changed goes to vis-network (an edit changes a node or two).
    var changed = [];
    nodeItems(frame).forEach(function (item) {
      delete item.x; delete item.y; // keep each node where it is on screen
      var text = JSON.stringify(item);
      if (state.drawnItems[item.id] !== text) {
        state.drawnItems[item.id] = text;
        changed.push(item);
      }
    });
    network.once("afterDrawing", markDrawn);
    if (changed.length) state.nodes.update(changed);
    if (frame.edges !== state.drawnEdges) {
      var edgeIds = {};
      frame.edges.forEach(function (e) { edgeIds[e.id] = true; });
      state.edges.remove(state.edges.getIds().filter(function (id) { return !edgeIds[id]; }));
      state.edges.update(frame.edges);
      state.drawnEdges = frame.edges;
    }
    network.redraw();
    fillNames();
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": CONFIG.csrf, "X-Forms-Key": state.formsKey || "",
                 "X-Lines-Key": state.linesKey || "" },
      body: JSON.stringify(body)
    });
  }

  var keepTimer = null;
  function keepPositions() {
    clearTimeout(keepTimer);
    keepTimer = setTimeout(function () {
      var positions = state.network.getPositions();
      var kept = {};
      Object.keys(positions).forEach(function (id) {
        kept[id] = [Math.round(positions[id].x), Math.round(positions[id].y)];
      });
      state.positions = { network: kept };
      post(CONFIG.urls.layout, { positions: { network: kept } });
    }, 400);
  }

  function setLayout(name) {
    if (state.layout === name) return;
    state.layout = name;
    draw();
    post(CONFIG.urls.layout, { layout: name });
  }

  document.getElementById("layout-network").addEventListener("click", function () { setLayout("network"); });
  document.getElementById("layout-orgchart").addEventListener("click", function () { setLayout("orgchart"); });

  function fillNames() {
    var list = document.getElementById("member-names");
    while (list.firstChild) list.removeChild(list.firstChild);
    state.members.forEach(function (m) {
      var option = document.createElement("option");
      option.value = m.name;
      list.appendChild(option);
    });
  }

  document.getElementById("map-search").addEventListener("change", function (event) {
    var text = event.target.value.trim().toLowerCase();
    if (!text) return;
    var found = state.members.filter(function (m) { return m.name.toLowerCase() === text; })[0] ||
      state.members.filter(function (m) { return m.name.toLowerCase().indexOf(text) >= 0; })[0];
    if (!found) { say("Nobody called that is on the map.", "error"); return; }
    var id = "s:" + found.id;
    state.network.selectNodes([id]);
    state.network.focus(id, { scale: 1.1 });
    choosePerson(found.id);
    say("Found " + found.name + ".");
  });

  document.getElementById("save-png").addEventListener("click", function () {
    var canvas = document.querySelector("#map canvas");
    if (!canvas) return;
    var copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    var ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(canvas, 0, 0);
    var link = document.createElement("a");
    link.href = copy.toDataURL("image/png");
    link.download = "deal-map.png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
  document.getElementById("print-map").addEventListener("click", function () { window.print(); });

  // ---------------------------------------------------------------- editing

  function field(form, name) {
    return form.querySelector("[name='" + name + "']");
  }

  function numberOrNull(input) {
    if (!input || input.value === "") return null;
    return Number(input.value);
  }

  function memberFields(form) {
    return {
      role: field(form, "role").value,
      stance: field(form, "stance").value,
      ally: field(form, "ally").checked,
      influence_rating: numberOrNull(field(form, "influence_rating")),
      self_weight: numberOrNull(field(form, "self_weight"))
    };
  }

  function choosePerson(id) {
    var select = document.getElementById("sm-person");
    if (!select) return;
    var details = document.getElementById("edit-member");
    if (details) details.open = true;
    select.value = id;
    fillPerson(id);
  }

  function fillPerson(id) {
    var form = document.getElementById("form-set-member");
    var member = state.members.filter(function (m) { return m.id === id; })[0];
    if (!form || !member) return;
    field(form, "role").value = member.role;
    field(form, "stance").value = member.stance;
    field(form, "ally").checked = !!member.ally;
    field(form, "influence_rating").value = member.influence_rating === null ? "" : member.influence_rating;
    field(form, "self_weight").value = member.self_weight === null ? "" : member.self_weight;
  }

  function editFrom(form) {
    var action = form.getAttribute("data-edit");
    var edit = { action: action };
    if (action === "set_member") {
      edit.stakeholder_id = field(form, "stakeholder_id").value;
      Object.assign(edit, memberFields(form));
    } else if (action === "add_person") {
      var known = field(form, "stakeholder_id").value;
      if (known) edit.stakeholder_id = known;
      else {
        edit.name = field(form, "name").value.trim();
        var title = field(form, "title").value.trim();
        if (title) edit.title = title;
      }
      Object.assign(edit, memberFields(form));
    } else if (action === "note") {
      edit.stakeholder_id = document.getElementById("sm-person").value;
      edit.text = field(form, "text").value;
    } else if (action === "set_influence") {
      edit.source_id = field(form, "source_id").value;
      edit.target_id = field(form, "target_id").value;
      edit.strength = Number(field(form, "strength").value);
    } else if (action === "set_reporting") {
      edit.stakeholder_id = field(form, "stakeholder_id").value;
      edit.manager_id = field(form, "manager_id").value;
    } else if (action === "log_interaction") {
      edit.on = field(form, "on").value;
      edit.channel = field(form, "channel").value;
      edit.stakeholder_ids = Array.prototype.map.call(
        form.querySelectorAll("[name='stakeholder_ids']:checked"), function (b) { return b.value; });
      edit.team_member_emails = field(form, "team_member_emails").value.split(",")
        .map(function (s) { return s.trim(); }).filter(Boolean);
      var summary = field(form, "summary").value.trim();
      if (summary) edit.summary = summary;
      var next = field(form, "next_step_on").value;
      if (next) edit.next_step_on = next;
    }
    return edit;
  }

  function describeError(body) {
    if (body && Array.isArray(body.detail)) {
      return body.detail.map(function (d) {
        return (d.loc && d.loc.length ? d.loc.join(".") + ": " : "") + d.msg;
      }).join("; ");
    }
    return body && body.detail ? String(body.detail) : "the change was not saved";
  }

  function send(edit, form) {
    if (state.busy) return Promise.resolve();
    state.busy = true;
    edit.revision = state.revision;
    say("Saving…");
    return post(CONFIG.urls.edits, edit).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      if (answer.status === 200) {
        applyState(answer.body);
        // A kept form that was just saved starts again empty (the person form keeps
        // its person, to go on editing them).
        if (form && form.isConnected && form.getAttribute("data-edit") !== "set_member") {
          form.reset();
          var knownId = document.getElementById("ap-known-id");
          if (knownId) knownId.value = ""; // a hidden field keeps its value through reset()
          defaultDates();
        }
        say(answer.body.notice || "Saved.");
      } else if (answer.status === 409 && answer.body.state) {
        applyState(answer.body.state);
        say(answer.body.detail, "conflict");
      } else {
        say("Not saved: " + describeError(answer.body), "error");
      }
    }).catch(function () {
      say("Not saved: the server could not be reached.", "error");
    }).then(function () { state.busy = false; });
  }

  function applyState(s) {
    // Unchanged forms are not resent: the page keeps them as they are (what was typed,
    // which sections are open, who is chosen), moved into the new side panel.
    var keptForms = null;
    if (!s.forms_sent) {
      keptForms = document.getElementById("side-forms");
      if (keptForms) keptForms.remove();
    }
    var open = Array.prototype.filter.call(side.querySelectorAll("details[id]"),
      function (d) { return d.open; }).map(function (d) { return d.id; });
    var person = document.getElementById("sm-person");
    var chosen = person ? person.value : "";
    state.revision = s.revision;
    if (s.frame.edges === null) s.frame.edges = state.frame.edges; // unchanged: not resent
    state.frame = s.frame;
    state.linesKey = s.lines_key;
    state.members = s.members;
    state.formsKey = s.forms_key;
    side.innerHTML = s.side_html; // rendered and escaped by the server's templates
    if (keptForms) {
      var slot = document.getElementById("side-forms");
      slot.replaceWith(keptForms);
    } else {
      Array.prototype.forEach.call(side.querySelectorAll("details[id]"), function (d) {
        d.open = open.indexOf(d.id) >= 0 || (d.id === "edit-member" && open.length === 0);
      });
      prepareForms();
      if (chosen) choosePerson(chosen);
    }
    state.updates += 1;
    refresh();
    scheduleAdvice();
  }

  // After a change the advice waits for a pause: several quick edits ask for it once,
  // and an edit's answer never queues behind the advice of the one before.
  var adviceTimer = null;
  function scheduleAdvice() {
    clearTimeout(adviceTimer);
    adviceTimer = setTimeout(loadAdvice, ADVICE_PAUSE_MS);
  }

  // The advice panels (forecast, next best contacts, warm paths) come right after the
  // state; an answer for an older revision is dropped.
  function loadAdvice() {
    var asked = state.revision;
    fetch(CONFIG.urls.advice, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        var box = document.getElementById("advice");
        if (!body || !box || asked !== state.revision) return;
        box.innerHTML = body.html; // rendered and escaped by the server's templates
        box.setAttribute("aria-busy", "false");
        state.advised = asked;
        document.documentElement.setAttribute("data-advice", asked);
      }).catch(function () { /* the next change or poll asks again */ });
  }

  function defaultDates() {
    var day = new Date().toISOString().slice(0, 10);
    var on = document.getElementById("ix-on");
    if (on && !on.value) on.value = day;
  }

  function prepareForms() {
    defaultDates();
    var person = document.getElementById("sm-person");
    if (person) person.addEventListener("change", function () { fillPerson(person.value); });
  }

  side.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-edit")) return;
    event.preventDefault();
    send(editFrom(form), form);
  });

  side.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.hasAttribute("data-undo")) {
      send({ action: "undo" });
    } else if (button.hasAttribute("data-remove")) {
      var id = document.getElementById("sm-person").value;
      if (id) send({ action: "remove_member", stakeholder_id: id });
      else say("Choose the person to remove first.", "error");
    } else if (button.hasAttribute("data-end-line")) {
      var kind = button.getAttribute("data-end-line");
      var edit = { action: kind };
      if (kind === "end_influence") {
        edit.source_id = button.getAttribute("data-source");
        edit.target_id = button.getAttribute("data-target");
      } else {
        edit.stakeholder_id = button.getAttribute("data-source");
        edit.manager_id = button.getAttribute("data-target");
      }
      send(edit);
    }
  });

  // "Someone already known": search the workspace's people by name.
  var known = {};
  var searchTimer = null;
  side.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.hasAttribute("data-people-search")) return;
    var hidden = document.getElementById("ap-known-id");
    hidden.value = known[input.value] || "";
    clearTimeout(searchTimer);
    if (input.value.trim().length < 2 || hidden.value) return;
    searchTimer = setTimeout(function () {
      fetch(CONFIG.urls.people + "&q=" + encodeURIComponent(input.value.trim()),
            { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) {
          var list = document.getElementById("known-people");
          while (list.firstChild) list.removeChild(list.firstChild);
          hits.forEach(function (h) {
            var label = h.name + (h.title ? " (" + h.title + ")" : "");
            known[label] = h.id;
            var option = document.createElement("option");
            option.value = label;
            list.appendChild(option);
          });
          hidden.value = known[input.value] || "";
        });
    }, 250);
  });

  // Drawing an influence line on the canvas fills the line form; saving stays explicit.
  function onEdgeDrawn(data, callback) {
    callback(null);
    if (!data.from || !data.to || data.from.indexOf("s:") !== 0 || data.to.indexOf("s:") !== 0) {
      say("Draw a line from one person to another.", "error");
      return;
    }
    document.getElementById("edit-lines").open = true;
    document.getElementById("inf-source").value = data.from.slice(2);
    document.getElementById("inf-target").value = data.to.slice(2);
    document.getElementById("inf-strength").focus();
    say("Set the strength and save the influence line.");
  }
  var drawButton = document.getElementById("draw-line");
  if (drawButton) {
    drawButton.addEventListener("click", function () {
      state.network.addEdgeMode();
      say("Drag from the person who sways to the person swayed.");
    });
  }

  // ------------------------------------------------------ changes by others

  function poll() {
    if (state.busy || document.hidden || !CONFIG.state.is_now) return;
    fetch(CONFIG.urls.revision, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body || body.revision === state.revision || state.busy) return null;
        return fetch(CONFIG.urls.state, { credentials: "same-origin",
                                          headers: { "Accept": "application/json",
                                                     "X-Forms-Key": state.formsKey || "",
                                                     "X-Lines-Key": state.linesKey || "" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (fresh) {
            if (fresh && !state.busy) {
              applyState(fresh);
              say("Updated with changes made elsewhere.");
            }
          });
      }).catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  prepareForms();
  draw();
  loadAdvice();
  if (CONFIG.state.is_now) setInterval(poll, CONFIG.poll_ms);
})();
