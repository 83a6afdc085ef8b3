/* Registration: show the customer's recent complaints while the agent types the phone number. */
(function () {
  "use strict";
  var input = document.getElementById("f-customer_phone");
  var table = document.querySelector("[data-lookup-table]");
  var empty = document.querySelector("[data-lookup-empty]");
  var repeat = document.querySelector("[data-lookup-repeat]");
  var labels = JSON.parse(document.getElementById("lookup-labels").textContent);
  if (!input || !table) return;
  var timer = null, last = "";

  function cell(text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; }

  function show(data) {
    var body = table.querySelector("tbody");
    body.textContent = "";
    repeat.hidden = !data.repeat;
    if (!data.items.length) { table.hidden = true; empty.hidden = false; empty.textContent = labels.none; return; }
    data.items.forEach(function (c) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      var a = document.createElement("a"); a.href = c.url; a.textContent = c.number; a.target = "_blank"; a.className = "mono";
      td.appendChild(a);
      var meta = document.createElement("small"); meta.className = "muted";
      meta.textContent = "  " + c.created_on + " · " + (c.customer_name || "");
      td.appendChild(meta);
      var matter = document.createElement("div"); matter.className = "muted"; matter.textContent = c.matter || "";
      td.appendChild(matter);
      tr.appendChild(td);
      tr.appendChild(cell(labels[c.status] || c.status, "nowrap"));
      body.appendChild(tr);
    });
    table.hidden = false; empty.hidden = true;
  }

  // A repeat is of the same category: the lookup sends the one chosen on the form, and asks again when it changes.
  var category = input.form ? input.form.querySelector("[name=category]") : null;

  function lookup() {
    var phone = input.value.trim();
    var chosen = category ? category.value : "";
    // Only a complete number: a prefix would show other customers' complaints.
    if (!/^(?:(?:\+86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$/.test(phone) || phone + "|" + chosen === last) return;
    last = phone + "|" + chosen;
    fetch("/complaints/lookup?phone=" + encodeURIComponent(phone) + "&category=" + encodeURIComponent(chosen), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [], repeat: false }; })
      .then(show)
      .catch(function () {});
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 200); });
  if (category) category.addEventListener("change", lookup);
  if (input.value) lookup();
})();
