/* The diagram editor: bpmn-js's modeler, the properties panel, drafts, checks shown as a list and as
   markers on the elements, the diff against the current version, and deploy. No bundler. */
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root || !window.BpmnJS) return;
  var msgs = JSON.parse(document.getElementById("editor-messages").textContent);
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var status = document.getElementById("draft-status");
  var message = document.getElementById("editor-message");
  var state = null;      // what editor.json returned, plus the forms created here
  var dirty = false;
  var marked = [];       // element ids carrying a problem marker

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k] !== undefined ? values[k] : ""; });
  }

  function request(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: { "X-CSRFToken": csrf, "Accept": "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      var parse = type.indexOf("json") >= 0 ? r.json() : r.text();
      return parse.then(function (data) { return { status: r.status, ok: r.ok, body: data }; });
    });
  }
  function post(url, body) { return request("POST", url, body); }

  function say(text, kind) {
    message.textContent = text || "";
    message.className = "editor-message" + (kind ? " editor-message-" + kind : "");
  }

  // a message with `backticked` names (slaStep, bpmn:process): those set as code, the rest as text
  function coded(el, message) {
    String(message).split("`").forEach(function (part, i) {
      if (!part) return;
      if (i % 2) { var code = document.createElement("code"); code.textContent = part; el.appendChild(code); }
      else el.appendChild(document.createTextNode(part));
    });
  }

  function fail(res) {
    var b = res.body || {};
    // the server's words in the user's language (text); an older answer's English detail otherwise
    var detail = typeof b === "string" ? b.slice(0, 300) : (b.text || b.detail || b.title || res.status);
    say(detail + (b.errors ? ": " + b.errors.map(function (e) { return e.text || e.message; }).join("; ") : ""), "bad");
  }

  var moddleUrl = root.getAttribute("data-moddle-url");
  fetch(moddleUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (descriptor) {
    // bpmn-js asks for its labels in English: the page's language answers (app/web/bpmn_labels.py)
    var labels = (msgs.names && msgs.names.bpmn) || {};
    var translate = ["value", function (template, replacements) {
      var text = labels[template] || template;
      return text.replace(/{([^}]+)}/g, function (_, key) { return (replacements || {})[key] || "{" + key + "}"; });
    }];
    var modeler = new window.BpmnJS({ container: "#canvas", moddleExtensions: { spiffworkflow: descriptor },
                                      additionalModules: [{ translate: translate }] });
    window.complaintflowEditor = { modeler: modeler, state: function () { return state; } };
    var panel = new window.CfPanel(modeler, document.getElementById("props-body"), msgs, {
      state: function () { return state; },
      newForm: function (element) { openForm(element, null); },
      editForm: function (name, element) { openForm(element, name); }
    });
    var formsEditor = new window.CfFormsEditor(document.getElementById("form-dialog"), {
      previewUrl: root.getAttribute("data-preview-url"), post: post, msgs: msgs,
      onApply: function (name, schema, ui) {
        state.forms[name] = schema;
        var uiName = name.replace(/-schema\.json$/, "-uischema.json");
        if (ui) state.forms[uiName] = ui;
        [name].concat(ui ? [uiName] : []).forEach(function (n) {
          if (state.available_forms.indexOf(n) < 0) state.available_forms.push(n);
        });
        if (formsEditor.element) {
          panel.setProperties(formsEditor.element, { formJsonSchemaFilename: name, formUiSchemaFilename: ui ? uiName : "" });
          panel.show(formsEditor.element);
        }
        dirty = true;
        save();
      }
    });
    window.complaintflowEditor.panel = panel;
    window.complaintflowEditor.formsEditor = formsEditor;

    function openForm(element, name) {
      formsEditor.element = element;
      if (!name) {
        formsEditor.open((element.businessObject.id || "form").replace(/[^A-Za-z0-9_.-]/g, "-") + "-schema.json", null, null, false);
        return;
      }
      var uiName = name.replace(/-schema\.json$/, "-uischema.json");
      var load = function (n) {
        if (state.forms[n] !== undefined) return Promise.resolve(state.forms[n]);
        return request("GET", root.getAttribute("data-form-url").replace("__NAME__", encodeURIComponent(n)))
          .then(function (res) { return res.ok ? (typeof res.body === "string" ? res.body : JSON.stringify(res.body, null, 2)) : ""; });
      };
      Promise.all([load(name), load(uiName)]).then(function (texts) { formsEditor.open(name, texts[0], texts[1], true); });
    }

    modeler.get("eventBus").on("commandStack.changed", function () { dirty = true; showStatus(); });

    function fit() {
      // the whole diagram in view, then moved right by the palette's width so that the palette
      // (over the canvas's left edge) does not cover the first lane's header
      var canvas = modeler.get("canvas");
      canvas.zoom("fit-viewport", "auto");
      var palette = root.querySelector(".djs-palette");
      var box = canvas._container.getBoundingClientRect();
      var clear = palette ? palette.getBoundingClientRect().right - box.left + 12 : 0;
      if (clear <= 0 || box.width <= clear) return;
      var vb = canvas.viewbox(), inner = vb.inner;
      // fit again into the width right of the palette
      var scale = Math.min((box.width - clear - 12) / inner.width, (box.height - 24) / inner.height, 1);
      canvas.viewbox({
        x: inner.x - clear / scale, y: inner.y - (box.height / scale - inner.height) / 2,
        width: box.width / scale, height: box.height / scale
      });
    }

    function showStatus() {
      var base = state && state.base_version;
      var text = state && (state.draft || dirty) ? fmt(msgs.draft_from, { n: base || "-" }) : msgs.no_draft;
      if (state && state.draft_saved_at) text += " · " + fmt(msgs.saved, { at: new Date(state.draft_saved_at).toLocaleTimeString(document.body.getAttribute("data-locale") || "zh-CN", { timeZone: document.body.getAttribute("data-time-zone") || "Asia/Shanghai", hour12: false }) });
      if (dirty) text += " *";
      status.textContent = text;
      root.setAttribute("data-dirty", dirty ? "1" : "0");
    }

    function load() {
      return request("GET", root.getAttribute("data-state-url")).then(function (res) {
        if (!res.ok) { fail(res); return; }
        state = res.body;
        return modeler.importXML(state.bpmn).then(function () {
          fit();
          dirty = false;
          showStatus();
          clearMarkers();
          root.setAttribute("data-loaded", "1");
        });
      }).catch(function (err) { say(String(err), "bad"); root.setAttribute("data-loaded", "error"); });
    }

    function current() {
      return modeler.saveXML({ format: true }).then(function (out) { return { bpmn: out.xml, forms: state.forms }; });
    }

    function save() {
      return current().then(function (body) {
        body.base_version = state.base_version;
        return post(root.getAttribute("data-draft-url"), body);
      }).then(function (res) {
        if (!res.ok) { fail(res); return res; }
        state.draft = true;
        state.draft_saved_at = res.body.saved_at;
        dirty = false;
        showStatus();
        return res;
      });
    }

    /* -- problems: the list and the markers ------------------------------------------------ */
    function clearMarkers() {
      var canvas = modeler.get("canvas");
      marked.forEach(function (id) {
        ["cf-error", "cf-warning", "cf-added", "cf-changed"].forEach(function (m) { canvas.removeMarker(id, m); });
      });
      marked = [];
      modeler.get("overlays").remove({ type: "cf-problem" });
    }

    function showProblems(problems) {
      clearMarkers();
      var registry = modeler.get("elementRegistry"), canvas = modeler.get("canvas"), overlays = modeler.get("overlays");
      var list = document.getElementById("problem-list");
      list.innerHTML = "";
      var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
      document.getElementById("problems").hidden = false;
      document.getElementById("problems-summary").textContent = problems.length
        ? fmt(msgs.n_problems, { errors: errors, warnings: problems.length - errors }) : msgs.no_problems;
      var counts = {};
      problems.forEach(function (p) {
        var li = document.createElement("li");
        li.className = "problem problem-" + (p.severity === "error" ? "error" : "warning");
        li.setAttribute("data-element", p.element_id || "");
        li.setAttribute("data-rule", p.rule || "");
        // the owner reads the element's name; its id is for the tooltip
        var where = [p.element_name || p.element_id, p.line && "L" + p.line].filter(Boolean).join(" ");
        li.innerHTML = "";
        var tag = document.createElement("span");
        tag.className = "badge " + (p.severity === "error" ? "badge-major" : "badge-repeat");
        // the severity in words; the rule's id (label-required, parser) is for the tooltip, not to be read
        tag.textContent = p.severity === "error" ? msgs.severity_error : msgs.severity_warning;
        if (p.rule) tag.title = p.rule;
        var loc = document.createElement("span");
        loc.className = "mono problem-where";
        loc.textContent = where;
        if (p.element_id) loc.title = p.element_id;
        var text = document.createElement("span");
        // the server's words in the session's language; an older server's English otherwise
        coded(text, p.text || (p.message || "").replace(/ \[element '.*$/, ""));
        li.appendChild(tag); li.appendChild(loc); li.appendChild(text);
        if (p.technical) li.appendChild(window.cfTechnicalDetail(p.technical, msgs.technical_detail));
        if (p.fix && p.fix.kind === "quote") li.appendChild(fixButton(p));
        var shape = p.element_id && registry.get(p.element_id);
        if (shape) {
          li.classList.add("clickable");
          li.addEventListener("click", function () {
            modeler.get("selection").select(shape);
            if (canvas.scrollToElement) canvas.scrollToElement(shape);
          });
          var marker = p.severity === "error" ? "cf-error" : "cf-warning";
          if (!canvas.hasMarker(p.element_id, "cf-error")) canvas.addMarker(p.element_id, marker);
          marked.push(p.element_id);
          counts[p.element_id] = (counts[p.element_id] || 0) + (p.severity === "error" ? 1 : 0);
        }
        list.appendChild(li);
      });
      Object.keys(counts).forEach(function (id) {
        if (!counts[id]) return;
        var badge = document.createElement("div");
        badge.className = "cf-problem-badge";
        badge.setAttribute("data-element", id);
        badge.textContent = "!" + (counts[id] > 1 ? counts[id] : "");
        overlays.add(id, "cf-problem", { position: { top: -10, right: 10 }, html: badge });
      });
      root.setAttribute("data-checked", errors ? "errors" : "ok");
      var deployButton = root.querySelector('[data-action="deploy"]');
      deployButton.setAttribute("aria-disabled", errors ? "true" : "false");
      deployButton.title = errors ? fmt(msgs.deploy_blocked, { n: errors }) : "";
    }

    /* -- the one-click fix: an ISO 8601 time written bare (PT2H) becomes the text "PT2H" ---------- */
    function fixButton(p) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-small";
      b.setAttribute("data-testid", "fix-quote");
      b.textContent = msgs.fix_quote;
      b.addEventListener("click", function (e) {
        e.stopPropagation();
        if (applyQuote(p)) {
          say(fmt(msgs.fix_applied, { text: p.fix.replace }), "ok");
          check();
        }
      });
      return b;
    }

    function quoteIn(text, bare, quoted) {
      // replace the bare token only where it stands alone and outside a string literal
      var out = "", i = 0, quote = null;
      while (i < text.length) {
        var c = text[i];
        if (quote) { out += c; if (c === "\\") { out += text[i + 1] || ""; i += 2; continue; } if (c === quote) quote = null; i++; continue; }
        if (c === '"' || c === "'") { quote = c; out += c; i++; continue; }
        var before = i ? text[i - 1] : "";
        if (text.substr(i, bare.length) === bare && !/[\w."']/.test(before) && !/[\w."']/.test(text[i + bare.length] || "")) {
          out += quoted; i += bare.length; continue;
        }
        out += c; i++;
      }
      return out;
    }

    function applyQuote(p) {
      var shape = modeler.get("elementRegistry").get(p.element_id);
      if (!shape) return false;
      var bo = shape.businessObject, modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
      var timer = (bo.eventDefinitions || []).filter(function (d) { return d.$type === "bpmn:TimerEventDefinition"; })[0];
      if (timer) {
        var key = ["timeDate", "timeDuration", "timeCycle"].filter(function (k) { return timer[k]; })[0];
        if (!key) return false;
        var update = {};
        update[key] = moddle.create("bpmn:FormalExpression", { body: quoteIn(timer[key].body || "", p.fix.find, p.fix.replace) });
        modeling.updateModdleProperties(shape, timer, update);
        return true;
      }
      if (bo.conditionExpression) {
        modeling.updateProperties(shape, { conditionExpression: moddle.create("bpmn:FormalExpression", {
          body: quoteIn(bo.conditionExpression.body || "", p.fix.find, p.fix.replace) }) });
        return true;
      }
      if (bo.script !== undefined && bo.script !== null) {
        modeling.updateProperties(shape, { script: quoteIn(bo.script, p.fix.find, p.fix.replace) });
        return true;
      }
      return false;
    }

    var checks = 0;  // only the latest check's answer is shown: an older one may arrive after it
    function check() {
      var mine = ++checks;
      root.setAttribute("data-checking", "1");
      return current().then(function (body) { return post(root.getAttribute("data-check-url"), body); }).then(function (res) {
        if (mine !== checks) return;
        root.setAttribute("data-checking", "0");
        if (!res.ok) { fail(res); return; }
        showProblems(res.body.problems);
        root.setAttribute("data-checks", String(mine));
        return res.body;
      });
    }

    // the same checks as the deploy, run as the owner edits: a pause of 800 ms after the last change
    // One check at a time: a change made while one runs asks for one more when it is done.
    var liveTimer = null, live = document.getElementById("live-check"), running = null, again = false;
    function runLive() {
      if (running) { again = true; return; }
      running = check().catch(function (err) { say(String(err), "bad"); }).then(function () {
        running = null;
        if (again) { again = false; runLive(); }
      });
    }
    function liveCheck() {
      if (!live.checked || !state) return;
      clearTimeout(liveTimer);
      liveTimer = setTimeout(runLive, 800);
    }
    modeler.get("eventBus").on("commandStack.changed", liveCheck);
    live.addEventListener("change", function () { if (live.checked) liveCheck(); });

    function showChanges(diff) {
      var box = document.getElementById("changes-body");
      document.getElementById("changes").hidden = false;
      box.innerHTML = "";
      var canvas = modeler.get("canvas"), registry = modeler.get("elementRegistry");
      if (!diff.added.length && !diff.removed.length && !diff.changed.length) {
        box.textContent = msgs.no_changes;
      }
      [["added", diff.added], ["removed", diff.removed], ["changed", diff.changed]].forEach(function (pair) {
        if (!pair[1].length) return;
        var h = document.createElement("h3");
        h.textContent = msgs[pair[0]] + " (" + pair[1].length + ")";
        box.appendChild(h);
        var ul = document.createElement("ul");
        ul.className = "diff-" + pair[0];
        pair[1].forEach(function (e) {
          var li = document.createElement("li");
          li.setAttribute("data-element", e.id);
          var fields = e.fields ? ": " + e.fields.map(function (f) { return f.field; }).join(", ") : "";
          li.textContent = (e.name || e.id) + " · " + e.tag + fields;
          li.title = e.id;
          ul.appendChild(li);
          if (pair[0] !== "removed" && registry.get(e.id)) {
            canvas.addMarker(e.id, pair[0] === "added" ? "cf-added" : "cf-changed");
            marked.push(e.id);
          }
        });
        box.appendChild(ul);
      });
      var f = diff.forms || {};
      if ((f.added || []).length || (f.changed || []).length || (f.removed || []).length) {
        var p = document.createElement("p");
        p.textContent = msgs.forms_changed + ": " + [].concat(
          (f.added || []).map(function (n) { return "+" + n; }), (f.changed || []).map(function (n) { return "~" + n; }),
          (f.removed || []).map(function (n) { return "-" + n; })).join(", ");
        box.appendChild(p);
      }
    }

    function diff() {
      return current().then(function (body) { return post(root.getAttribute("data-diff-url"), body); }).then(function (res) {
        if (!res.ok) { fail(res); return; }
        showChanges(res.body);
      });
    }

    function deploy() {
      say("");
      return current().then(function (body) {
        body.note = document.getElementById("deploy-note").value;
        return post(root.getAttribute("data-deploy-url"), body);
      }).then(function (res) {
        if (res.status === 422 && res.body.errors) {
          showProblems(res.body.errors);
          say(msgs.deploy_failed, "bad");
          return;
        }
        if (!res.ok) { fail(res); return; }
        var done = res.body;
        say(done.created ? fmt(msgs.deployed, { n: done.version }) : msgs.unchanged, "ok");
        root.setAttribute("data-deployed-version", done.version);
        if (root.getAttribute("data-process") !== done.process_id) {
          window.location.href = done.url;
          return;
        }
        return load().then(function () { say(done.created ? fmt(msgs.deployed, { n: done.version }) : msgs.unchanged, "ok"); });
      });
    }

    function discard() {
      if (!window.confirm(msgs.discard_confirm)) return;
      request("DELETE", root.getAttribute("data-draft-url")).then(function (res) {
        if (!res.ok) { fail(res); return; }
        say("");
        load();
      });
    }

    var actions = { save: save, check: check, diff: diff, deploy: deploy, discard: discard };
    root.querySelectorAll("[data-action]").forEach(function (button) {
      var action = actions[button.getAttribute("data-action")];
      if (!action) return;
      button.addEventListener("click", function () {
        button.disabled = true;
        Promise.resolve(action()).catch(function (err) { say(String(err), "bad"); })
          .then(function () { button.disabled = false; });
      });
    });
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
    window.complaintflowEditor.actions = actions;
    // an imported file opens with its problems already marked: the owner sees what to fix first
    // and every diagram is checked on open when checking as one edits
    load().then(function () { if ((root.getAttribute("data-imported") || live.checked) && state) return check(); });
  });
})();
