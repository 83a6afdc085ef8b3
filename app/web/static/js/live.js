/* Live work: the top bar's notice count (polled), a toast for each new notice, and an inbox that refreshes
   itself while nobody is working in it. Polling, not an event stream: see app/web/notices.py. */
(function () {
  "use strict";
  var POLL_MS = 30000;
  var link = document.querySelector("[data-notices]");
  if (!link) return;
  var badge = link.querySelector("[data-notice-count]");
  // On a phone the link folds away with the menu: the menu button carries the count in the top bar.
  var toggle = document.querySelector("[data-nav-toggle]");
  var menuBadge = toggle && toggle.querySelector("[data-menu-count]");
  var toasts = document.querySelector("[data-toasts]");
  var label = link.getAttribute("data-count-label");
  var shown = {};
  var first = true;

  function toast(item) {
    var box = document.createElement("div");
    box.className = "toast";
    box.setAttribute("data-toast", String(item.id));
    var title = document.createElement("strong"); title.textContent = item.title;
    box.appendChild(title);
    var what = document.createElement(item.url ? "a" : "div");
    if (item.url) what.href = item.url;
    what.textContent = " " + item.what + " · " + item.when;
    box.appendChild(what);
    var close = document.createElement("button");  // a toast goes by itself, or at once: this button or Esc
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", toasts.getAttribute("data-dismiss-label") || "×");
    close.textContent = "×";
    close.addEventListener("click", function () { dismiss(box); });
    box.appendChild(close);
    toasts.appendChild(box);
    setTimeout(function () { box.remove(); }, 12000);
  }

  function dismiss(box) {
    var focused = box.contains(document.activeElement);
    box.remove();
    // focus never falls back to the top of the page: the notices link, or the menu button that hides it
    if (focused) (link.offsetParent === null && toggle ? toggle : link).focus();
  }

  // Esc dismisses the newest toast, unless it is closing a dialog or leaving a field (app.js).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || e.defaultPrevented || !toasts || document.querySelector("dialog[open]")) return;
    var last = toasts.lastElementChild;
    if (last) { e.preventDefault(); dismiss(last); }
  });

  function show(data) {
    badge.hidden = !data.unread;
    badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
    link.setAttribute("aria-label", link.firstChild.textContent.trim() + (data.unread ? " · " + label.replace("{n}", data.unread) : ""));
    if (menuBadge) {
      menuBadge.hidden = badge.hidden;
      menuBadge.textContent = badge.textContent;
    }
    data.items.forEach(function (item) {
      if (shown[item.id]) return;
      shown[item.id] = true;
      if (!first && toasts) toast(item);  // what was already unread when the page opened is in the count
    });
    first = false;
  }

  function poll() {
    if (document.hidden) return;
    fetch(link.getAttribute("data-latest"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () {});
  }
  poll();
  setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  document.addEventListener("notices:poll-now", poll);  // after an action of one's own, and for tests

  /* The inbox refreshes its rows and counts unless the user is in the middle of something there:
     a row ticked for bulk work, focus in the table or the filters, or a search (each search is logged). */
  var inbox = document.querySelector("[data-inbox]");
  if (!inbox || new URLSearchParams(location.search).get("q")) return;
  function busy() {
    var active = document.activeElement;
    return inbox.querySelector("input[data-pick]:checked") ||
      (active && active !== document.body && inbox.contains(active) && active.matches("input, select, textarea"));
  }
  function refresh() {
    if (document.hidden || busy()) return;
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html || busy()) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-inbox]");
        if (!fresh) return;
        inbox.replaceWith(fresh);
        inbox = fresh;
        document.dispatchEvent(new CustomEvent("inbox:refreshed"));
      })
      .catch(function () {});
  }
  setInterval(refresh, POLL_MS);
  document.addEventListener("inbox:refresh-now", refresh);
})();
