/* The model library's read-only diagram: bpmn-js's navigated viewer on a deployed version's file. */
(function () {
  "use strict";
  var el = document.getElementById("viewer");
  if (el && window.BpmnJS) {
    var viewer = new window.BpmnJS({ container: el });
    fetch(el.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status + " " + r.statusText); return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () { viewer.get("canvas").zoom("fit-viewport"); el.setAttribute("data-loaded", "1"); })
      .catch(function (err) { el.textContent = String(err); el.setAttribute("data-loaded", "error"); });
    window.complaintflowViewer = viewer;
  }
  var all = document.querySelector("[data-check-all]");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll('input[name="instance_id"]').forEach(function (box) { box.checked = all.checked; });
    });
  }
})();
