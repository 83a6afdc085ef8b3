/* A library's words that the server could not say in the user's language (lxml, jsonschema, the BPMN
   parser): shown apart, folded under a labelled summary, never inside a sentence of the page's language.
   The pages' own version is the macro in templates/macros/technical.html; this one is for problem lists
   that scripts draw (the editor's checks, the forms dialog). */
(function () {
  "use strict";
  window.cfTechnicalDetail = function (text, label) {
    var more = document.createElement("details");
    more.className = "technical-detail";
    var summary = document.createElement("summary");
    summary.textContent = label;
    var samp = document.createElement("samp");
    samp.lang = "en";
    samp.textContent = text;
    more.appendChild(summary);
    more.appendChild(samp);
    return more;
  };
})();
