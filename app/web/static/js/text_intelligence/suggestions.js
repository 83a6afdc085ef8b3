/* The intake panel (templates/text_intelligence/_suggestions.html): while the agent types the complaint,
   ask the server what the text suggests (category, special type, severity, department with confidences),
   which recent complaints are similar, and whether the customer is repeating an earlier complaint.
   Nothing is applied on its own: F8 (or the button) accepts every suggestion shown into the form's fields;
   the agent overrides any of them by choosing another value, which the server records at completion.
   Self-contained: no globals, finds its panel(s) by data attributes, works on any page with a form. */
(function () {
  "use strict";

  function csrf() {
    var el = document.querySelector("input[name=csrf_token]");
    return el ? el.value : "";
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function setup(panel) {
    var labels = JSON.parse(panel.querySelector("[data-ti-labels]").textContent);
    var names = {};
    Object.keys(labels.values).forEach(function (f) {
      names[f] = {};
      labels.values[f].forEach(function (o) { names[f][o.value] = o.label; });
    });
    var textField = panel.dataset.tiTextField ? document.getElementById(panel.dataset.tiTextField) : null;
    var phoneField = panel.dataset.tiPhoneField ? document.getElementById(panel.dataset.tiPhoneField) : null;
    var fields = (panel.dataset.tiFields || "").split(",").filter(Boolean);
    var form = (textField && textField.form) || document.querySelector("form[data-main-form]");
    var current = null, timer = null, lastKey = "", accepted = {};

    function text() { return textField ? textField.value : panel.dataset.tiText; }
    function phone() { return phoneField ? phoneField.value.trim() : panel.dataset.tiPhone; }
    function name(field, value) { return (names[field] && names[field][value]) || value; }

    /* The form's own control for a field (select, radios), or null. */
    function control(field) {
      if (!form) return null;
      var c = form.elements.namedItem(field);
      // a field the page switched off (the intake hides classification for unattended channels) is not there:
      // the accepted value travels in the hidden ti_ input to pre-fill the classify step instead
      var first = c && (c.length !== undefined && !c.options ? c[0] : c);
      if (first && first.disabled) return null;
      return c || null;
    }
    function valueOf(field) {
      var c = control(field);
      if (c) return c.value;
      var h = form && form.querySelector("input[type=hidden][name=ti_" + field + "]");
      return h ? h.value : "";
    }
    function setValue(field, value) {
      var c = control(field);
      if (c && c.length !== undefined && !c.options) {  // a radio group
        Array.prototype.forEach.call(c, function (r) { r.checked = r.value === value; });
        if (c[0]) c[0].dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
      if (c) { c.value = value; c.dispatchEvent(new Event("change", { bubbles: true })); return; }
      if (!form) return;
      var h = form.querySelector("input[type=hidden][name=ti_" + field + "]");
      if (!h) { h = el("input"); h.type = "hidden"; h.name = "ti_" + field; form.appendChild(h); }
      h.value = value;
    }

    function showState() {
      if (!current) return;
      fields.forEach(function (f) {
        var row = panel.querySelector("[data-ti-field=" + f + "]");
        var s = current.fields[f];
        if (!row) return;
        var state = row.querySelector("[data-ti-state]");
        var chosen = valueOf(f);
        state.textContent = "";
        row.classList.remove("ti-accepted", "ti-overridden");
        if (s && chosen && accepted[f] !== undefined) {
          if (chosen === s.value) { state.textContent = labels.accepted; row.classList.add("ti-accepted"); }
          else { state.textContent = labels.overridden + " " + name(f, chosen); row.classList.add("ti-overridden"); }
        }
      });
    }

    function showSuggestions(sug) {
      var table = panel.querySelector("[data-ti-table]");
      var actions = panel.querySelector("[data-ti-actions]");
      var model = panel.querySelector("[data-ti-model]");
      current = sug;
      if (!sug.model_version) {
        model.textContent = labels.no_model;
        if (table) table.hidden = true;
        if (actions) actions.hidden = true;
        return;
      }
      model.textContent = labels.model + " " + sug.model_version;
      var any = false;
      fields.forEach(function (f) {
        var row = panel.querySelector("[data-ti-field=" + f + "]");
        var s = sug.fields[f];
        if (!row) return;
        row.hidden = !s;
        if (!s) return;
        any = true;
        row.dataset.value = s.value;
        row.querySelector("[data-ti-value]").textContent = name(f, s.value);
        row.querySelector("[data-ti-alt]").textContent = (s.alternatives || []).map(function (a) {
          return name(f, a.value) + " " + Math.round(a.confidence * 100) + "%";
        }).join(" · ") + (s.by_rule ? " " + labels.by_rule : "");
        row.querySelector("[data-ti-bar]").style.width = Math.round(s.confidence * 100) + "%";
        row.querySelector("[data-ti-pct]").textContent = Math.round(s.confidence * 100) + "%";
      });
      if (table) table.hidden = !any;
      if (actions) actions.hidden = !any;
      showState();
    }

    function showRepeat(rep) {
      var box = panel.querySelector("[data-ti-repeat]");
      panel.querySelector("[data-ti-repeat-badge]").hidden = !rep;
      box.hidden = !rep;
      box.textContent = "";
      if (!rep) return;
      box.appendChild(el("strong", labels.repeat_of + " "));
      var a = el("a", rep.number, "mono"); a.href = "/complaints/" + rep.id; a.target = "_blank";
      box.appendChild(a);
      box.appendChild(el("small", " " + rep.created_on + " · " + (labels.reasons[rep.reason] || rep.reason), "muted"));
      box.appendChild(el("div", rep.matter, "muted"));
    }

    function showSimilar(items, pending) {
      var table = panel.querySelector("[data-ti-similar]");
      var title = panel.querySelector("[data-ti-similar-title]");
      var body = table.querySelector("tbody");
      body.textContent = "";
      table.hidden = !items.length;
      title.hidden = !items.length && !pending;
      // this server process is still indexing the recent complaints (a large centre, after a restart)
      panel.querySelector("[data-ti-similar-pending]").hidden = !pending;
      items.forEach(function (c) {
        var tr = el("tr"), td = el("td");
        var a = el("a", c.number, "mono"); a.href = "/complaints/" + c.id; a.target = "_blank";
        td.appendChild(a);
        td.appendChild(el("small", "  " + c.created_on + " · " + (c.customer_name || "") + " " +
                                   (c.customer_phone_masked || "") + (c.area ? " · " + c.area : ""), "muted"));
        td.appendChild(el("div", c.matter, "muted"));
        tr.appendChild(td);
        tr.appendChild(el("td", Math.round(c.score * 100) + "%", "num nowrap"));
        tr.appendChild(el("td", labels.statuses[c.status] || c.status, "nowrap"));
        body.appendChild(tr);
      });
    }

    function ask() {
      var body = { text: text() || "", phone: phone() || null, complaint_id: panel.dataset.tiComplaintId || null };
      var key = body.text + "|" + body.phone;
      if (body.text.trim().length < 4 || key === lastKey) return;
      lastKey = key;
      fetch(panel.dataset.tiUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(body)
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (!data || key !== lastKey) return;  // a newer text is on its way
        panel.querySelector("[data-ti-empty]").hidden = true;
        showSuggestions(data.suggestions);
        showSimilar(data.similar || [], !!data.similar_pending);
        showRepeat(data.repeat);
        panel.dataset.tiReady = "1";
      }).catch(function () {});
    }

    function acceptAll() {
      if (!current || !current.model_version) return false;
      fields.forEach(function (f) {
        var s = current.fields[f];
        if (s) { setValue(f, s.value); accepted[f] = s.value; }
      });
      showState();
      return true;
    }

    function schedule() { clearTimeout(timer); timer = setTimeout(ask, 250); }
    if (textField) textField.addEventListener("input", schedule);
    if (phoneField) phoneField.addEventListener("input", schedule);
    if (form) form.addEventListener("change", function (e) {
      if (e.target.name && fields.indexOf(e.target.name) >= 0 && accepted[e.target.name] === undefined) accepted[e.target.name] = null;
      showState();
    });
    var button = panel.querySelector("[data-ti-accept]");
    if (button) button.addEventListener("click", acceptAll);
    document.addEventListener("keydown", function (e) {
      // One key, even while typing in the text: F8 accepts every suggestion shown.
      if (e.key === "F8" && !e.ctrlKey && !e.altKey && !e.metaKey) {
        if (acceptAll()) e.preventDefault();
      }
    });
    ask();
  }

  function init() { Array.prototype.forEach.call(document.querySelectorAll("[data-ti-panel]"), setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
