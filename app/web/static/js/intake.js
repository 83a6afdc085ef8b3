/* The one intake screen: fields follow the channel and the special type, and the read-back shows what will be
   registered. The same rules are the form's JSON Schema on the server; this only spares the agent a round trip. */
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=register-form]");
  if (!form) return;
  var LIVE = ["phone", "hall"];  // the customer is on the line: record and classification are done here, once
  // asked only with the customer on the line; an unattended complaint gets them at receive, classify and register
  var LIVE_ONLY = ["account", "occurred_at", "place", "demand", "amount", "tried_self", "tried_self_detail",
                   "category", "severity", "special_type", "classify_note", "read_back_confirmed"];
  var LIVE_REQUIRED = ["demand", "tried_self", "category", "severity", "special_type", "read_back_confirmed"];
  var SPECIAL = { outage: "incident_id", privacy: "suspected_leak", fraud: "suspect_number", special_needs: "need_type" };
  var labels = JSON.parse(document.getElementById("intake-labels").textContent);
  var readback = form.querySelector("[data-readback]");
  var list = form.querySelector("[data-readback-list]");
  var missingBox = form.querySelector("[data-intake-missing]");

  function row(name) { return form.querySelector('.row[data-field="' + name + '"]'); }

  function value(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (checked) return checked.value;
    var el = form.elements.namedItem(name);
    if (!el || el.disabled) return "";
    if (el.type === "checkbox") return el.checked ? el.value : "";
    return (el.value || "").trim();
  }

  function shown(name, on) {
    var r = row(name);
    if (!r) return;
    r.hidden = !on;
    // a hidden field is disabled so it is not sent: the server never sees a field its type does not have
    r.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type !== "hidden" || el.name.slice(-9) === "__present") el.disabled = !on;
    });
  }

  function text(name) {
    var r = row(name);
    var v = value(name);
    if (!r || !v) return "";
    var sel = r.querySelector("select");
    if (sel && sel.selectedIndex > 0) return sel.options[sel.selectedIndex].text;
    var radio = r.querySelector('input[type=radio]:checked');
    if (radio) return radio.parentNode.textContent.trim();
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return v.replace("T", " ");  // datetime-local, as said aloud
    return v;
  }

  function label(name) { var l = row(name) && row(name).querySelector(".label"); return l ? l.firstChild.textContent.trim() : name; }

  function refresh() {
    var live = LIVE.indexOf(value("channel")) >= 0;
    LIVE_ONLY.forEach(function (n) { shown(n, live); });
    var type = live ? value("special_type") : "";
    Object.keys(SPECIAL).forEach(function (t) { shown(SPECIAL[t], type === t); });
    shown("tried_self_detail", live && value("tried_self") === "true");
    LIVE_REQUIRED.forEach(function (n) {
      var r = row(n); if (r) r.classList.toggle("live-required", live);
    });
    readback.hidden = !live;
    if (!live) return;
    list.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll(".row[data-field]"), function (r) {
      var n = r.getAttribute("data-field");
      if (r.hidden || n === "read_back_confirmed") return;
      var t = text(n);
      if (!t) return;
      var dt = document.createElement("dt"); dt.textContent = label(n);
      var dd = document.createElement("dd"); dd.textContent = t;
      list.appendChild(dt); list.appendChild(dd);
    });
  }

  function missing() {
    if (LIVE.indexOf(value("channel")) < 0) return [];
    var names = LIVE_REQUIRED.slice();
    var type = value("special_type");
    if (SPECIAL[type]) names.push(SPECIAL[type]);
    if (value("tried_self") === "true") names.push("tried_self_detail");
    return names.filter(function (n) { return row(n) && !value(n); });
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  form.addEventListener("submit", function (e) {
    var gaps = missing();
    form.querySelectorAll(".row.intake-missing").forEach(function (r) { r.classList.remove("intake-missing", "has-error"); });
    missingBox.hidden = !gaps.length;
    if (!gaps.length) return;
    e.preventDefault();  // one submit: a live complaint is not sent half done to be asked again later
    gaps.forEach(function (n) { row(n).classList.add("intake-missing", "has-error"); });
    missingBox.textContent = labels.missing.replace("{fields}", gaps.map(label).join("、"));
    var first = row(gaps[0]).querySelector("input, select, textarea");
    if (first) first.focus();
  });
  refresh();
})();
