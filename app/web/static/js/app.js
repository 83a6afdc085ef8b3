/* complaintflow workspace: keyboard shortcuts, live SLA countdowns, action dialogs. No framework. */
(function () {
  "use strict";
  var body = document.body;
  // The server's clock may differ from the browser's (and tests fix it): count from the server's "now".
  var skew = Date.parse(body.getAttribute("data-now")) - Date.now();
  function serverNow() { return Date.now() + skew; }

  /* ---- the top bar's menu on a phone: one button opens and closes it ---- */
  var navToggle = document.querySelector("[data-nav-toggle]");
  if (navToggle) {
    var menu = document.getElementById(navToggle.getAttribute("aria-controls"));
    navToggle.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // A ticked checkbox or a focused button takes no letters: the list's shortcuts keep working there.
  var NOT_TYPED = { checkbox: 1, radio: 1, button: 1, submit: 1, reset: 1, file: 1 };
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "INPUT") return !NOT_TYPED[(el.type || "").toLowerCase()];
    return tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  /* ---- SLA countdowns: <span class="sla" data-due="ISO" data-warn="ISO"> ---- */
  // The words come from the catalogue (the base template's ui-words, as the server's duration filter says them).
  var wordsBlock = document.getElementById("ui-words");
  var words = wordsBlock ? JSON.parse(wordsBlock.textContent) : {};
  function fill(pattern, values) {
    return (pattern || "").replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function formatLeft(ms) {
    var over = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    var text;
    if (d > 0) text = fill(words.days_hours, { d: d, h: h });
    else if (h > 0) text = fill(words.hours_minutes, { h: h, m: two(m) });
    else text = fill(words.minutes_seconds, { m: m, s: two(sec) });
    return over ? fill(words.overdue, { time: text }) : text;
  }
  var clocks = Array.prototype.slice.call(document.querySelectorAll(".sla[data-due]"));
  function tick() {
    var now = serverNow();
    clocks.forEach(function (el) {
      if (el.getAttribute("data-paused") === "1") return;
      var due = Date.parse(el.getAttribute("data-due"));
      var warnAttr = el.getAttribute("data-warn");
      var warn = warnAttr ? Date.parse(warnAttr) : NaN;
      var state = now >= due ? "breached" : (!isNaN(warn) && now >= warn ? "warning" : "on_time");
      el.textContent = formatLeft(due - now);
      el.classList.remove("sla-on_time", "sla-warning", "sla-breached");
      el.classList.add("sla-" + state);
      el.setAttribute("data-state", state);
    });
  }
  if (clocks.length) { tick(); setInterval(tick, 1000); }
  else setInterval(function () { if (clocks.length) tick(); }, 1000);  // an inbox refreshed later may bring some

  /* ---- lists: j/k move, Enter opens, c claims ---- */
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-rows] [data-row]"));
  var current = -1;
  function select(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) { r.classList.toggle("selected", j === current); r.setAttribute("aria-selected", j === current ? "true" : "false"); });
    var link = rows[current].querySelector("a.rowlink");
    if (link) link.focus({ preventScroll: true });
    rows[current].scrollIntoView({ block: "nearest" });
  }
  function bindRows() {
    rows.forEach(function (r, j) {
      r.addEventListener("focusin", function () { if (current !== j) { current = j; rows.forEach(function (x, k) { x.classList.toggle("selected", k === j); }); } });
    });
  }
  bindRows();
  // live.js swaps the inbox's table for a fresh one: pick up its rows and countdowns.
  document.addEventListener("inbox:refreshed", function () {
    rows = Array.prototype.slice.call(document.querySelectorAll("[data-rows] [data-row]"));
    clocks = Array.prototype.slice.call(document.querySelectorAll(".sla[data-due]"));
    current = -1;
    bindRows();
    tick();
  });

  function click(selector, scope) {
    var el = (scope || document).querySelector(selector);
    if (el) { el.click(); return true; }
    return false;
  }

  /* ---- dialogs: <button data-dialog="id"> opens <dialog id="id"> ---- */
  document.addEventListener("click", function (e) {
    var opener = e.target.closest("[data-dialog]");
    if (!opener) return;
    var dlg = document.getElementById(opener.getAttribute("data-dialog"));
    if (dlg && dlg.showModal) {
      e.preventDefault();
      dlg.showModal();
      var first = dlg.querySelector("textarea, select, input:not([type=hidden])");
      if (first) first.focus();
    }
  });

  /* ---- submitting a form once: disable its buttons until the answer comes ---- */
  document.addEventListener("submit", function (e) {
    var form = e.target;
    // a page script that stopped the submit (a check before sending) leaves the buttons usable
    if (e.defaultPrevented) return;
    if (form.method && form.method.toLowerCase() === "post") {
      setTimeout(function () {
        Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) { b.disabled = true; });
      }, 0);
    }
  });

  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      var form = (document.activeElement && document.activeElement.form) || document.querySelector("form[data-main-form]");
      if (form) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
      return;
    }
    if (e.key === "Escape" && typing(document.activeElement)) { e.preventDefault(); document.activeElement.blur(); return; }
    if (typing(document.activeElement) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (document.querySelector("dialog[open]")) return;
    if (pendingG) {
      pendingG = false;
      if (e.key === "i") { e.preventDefault(); window.location.href = "/"; }
      if (e.key === "n") { var notices = document.querySelector("[data-notices]"); if (notices) { e.preventDefault(); window.location.href = notices.getAttribute("href"); } }
      return;
    }
    switch (e.key) {
      case "/": { var s = document.querySelector("[data-search]"); if (s) { e.preventDefault(); s.focus(); s.select(); } break; }
      case "j": e.preventDefault(); select(current + 1); break;
      case "k": e.preventDefault(); select(current - 1); break;
      case "Enter": {
        // Enter on a focused button or link is that element's own (the bulk bar's apply, a tab): the list's
        // current row opens only when nothing else, or a plain control in that row, has the focus.
        var act = document.activeElement;
        var own = act && act !== document.body && !(current >= 0 && rows[current] && rows[current].contains(act) && !act.matches("a, button"));
        if (!own && current >= 0 && rows[current]) { var a = rows[current].querySelector("a.rowlink"); if (a) { e.preventDefault(); a.click(); } }
        break;
      }
      case "x": {  // tick the current row for bulk work (claim, release, transfer)
        var pick = current >= 0 && rows[current] ? rows[current].querySelector("input[data-pick]") : null;
        if (pick) { e.preventDefault(); pick.click(); }
        break;
      }
      case "c":
        if (current >= 0 && rows[current]) { if (click("[data-claim]", rows[current])) e.preventDefault(); }
        else if (click("[data-claim]")) e.preventDefault();
        break;
      case "g": pendingG = true; setTimeout(function () { pendingG = false; }, 1200); break;
      case "?": { var help = document.getElementById("shortcut-help"); if (help && help.showModal) { e.preventDefault(); help.showModal(); } break; }
    }
  });

  /* ---- reply templates (话术): <select data-template-for="field"> inserts into that textarea ---- */
  document.addEventListener("change", function (e) {
    var sel = e.target.closest("select[data-template-for]");
    if (!sel || !sel.value) return;
    var target = document.getElementById(sel.getAttribute("data-template-for"));
    var option = sel.options[sel.selectedIndex];
    if (target) {
      var text = option.getAttribute("data-text") || "";
      target.value = target.value ? target.value + "\n" + text : text;
      target.focus();
    }
    sel.value = "";
  });

  /* ---- a region that scrolls (a wide table on a phone, a long timeline) takes the focus, so the arrow keys
     scroll it; one with links or fields inside is reached through them already ---- */
  var SCROLLERS = "main table, main .table-scroll, main .timeline, main pre";
  function scrolls(el) {
    var s = getComputedStyle(el);
    var x = (s.overflowX === "auto" || s.overflowX === "scroll") && el.scrollWidth > el.clientWidth + 1;
    var y = (s.overflowY === "auto" || s.overflowY === "scroll") && el.scrollHeight > el.clientHeight + 1;
    return x || y;
  }
  function focusableScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (el) {
      var own = el.hasAttribute("data-scroll-focus");
      if (own || !el.hasAttribute("tabindex")) {
        var needed = scrolls(el) && !el.querySelector("a[href], button, input, select, textarea, [tabindex]");
        if (needed && !own) { el.setAttribute("tabindex", "0"); el.setAttribute("data-scroll-focus", ""); }
        if (!needed && own) { el.removeAttribute("tabindex"); el.removeAttribute("data-scroll-focus"); }
      }
    });
  }
  focusableScrollers();
  window.addEventListener("load", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);

  window.complaintflow = { serverNow: serverNow, formatLeft: formatLeft, focusableScrollers: focusableScrollers };
  body.setAttribute("data-js", "ready");  // shortcuts are live (browser tests wait for this)
})();
document.addEventListener("click", function (e) {
  var closer = e.target.closest("[data-close]");
  if (closer) { var d = closer.closest("dialog"); if (d) d.close(); }
});
