/* The classifier page: follow a running history import's progress until it is imported or refused. */
(function () {
  "use strict";
  var labels = JSON.parse((document.getElementById("ti-import-labels") || { textContent: "{}" }).textContent);
  Array.prototype.forEach.call(document.querySelectorAll("[data-ti-import][data-ti-watch='1']"), function (box) {
    function poll() {
      fetch(box.dataset.tiStatusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return;
          var bar = box.querySelector("[data-ti-import-bar]");
          bar.max = s.rows_total || 1; bar.value = s.rows_done;
          box.querySelector("[data-ti-import-count]").textContent = s.rows_done + "/" + s.rows_total;
          box.querySelector("[data-ti-import-status]").textContent = labels[s.status] || s.status;
          if (s.status === "running") setTimeout(poll, 700);
          else if (s.errors && s.errors.length) window.location.reload();  // the report is drawn by the server
        }).catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  });
})();
