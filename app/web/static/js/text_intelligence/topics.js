/* The dashboard's topics panel: clusters of the period's complaints with their terms, sizes and trend. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-ti-topics]"), function (panel) {
    var labels = JSON.parse(panel.querySelector("[data-ti-topics-labels]").textContent);
    fetch(panel.dataset.tiUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var table = panel.querySelector("[data-ti-topics-table]");
        if (!data.topics.length) { panel.querySelector("[data-ti-topics-empty]").hidden = false; return; }
        var body = table.querySelector("tbody");
        data.topics.forEach(function (tp) {
          var tr = document.createElement("tr");
          var terms = document.createElement("td");
          tp.terms.forEach(function (term) {
            var b = document.createElement("span"); b.className = "badge badge-info"; b.textContent = term;
            terms.appendChild(b); terms.appendChild(document.createTextNode(" "));
          });
          var size = document.createElement("td"); size.className = "num"; size.textContent = tp.size;
          var trend = document.createElement("td"); trend.className = "num nowrap";
          trend.textContent = tp.trend === null ? labels["new"] : (tp.trend >= 0 ? "+" : "") + Math.round(tp.trend * 100) + "%";
          tr.appendChild(terms); tr.appendChild(size); tr.appendChild(trend);
          body.appendChild(tr);
        });
        table.hidden = false;
      }).catch(function () {});
  });
})();
