/* Evidence previews: a photo's thumbnail or a PDF's button opens the file in a dialog (the photo at full
   size, the PDF in the browser's viewer in an <iframe> of this origin). The dialog is made here, once;
   Escape or its close button closes it and focus goes back to what opened it. No framework. */
(function () {
  "use strict";
  var dialog = null, title = null, stage = null, opener = null;
  var body = document.body;

  function make() {
    dialog = document.createElement("dialog");
    dialog.className = "dialog evidence-viewer";
    dialog.setAttribute("data-testid", "evidence-viewer");
    var head = document.createElement("div");
    head.className = "evidence-viewer-head";
    title = document.createElement("h2");
    title.id = "evidence-viewer-title";
    dialog.setAttribute("aria-labelledby", title.id);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn-small";
    close.setAttribute("data-close", "");
    var words = document.getElementById("ui-words");
    close.textContent = words ? JSON.parse(words.textContent).close : "×";
    head.appendChild(title);
    head.appendChild(close);
    stage = document.createElement("div");
    stage.className = "evidence-stage";
    dialog.appendChild(head);
    dialog.appendChild(stage);
    dialog.addEventListener("close", function () {
      stage.textContent = "";  // stop a PDF or an image loading in the background
      if (opener) opener.focus();
    });
    body.appendChild(dialog);
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-preview]");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (!dialog) make();
    if (!dialog.showModal) return;  // an old browser: the link opens the file
    e.preventDefault();
    opener = link;
    title.textContent = link.getAttribute("data-name") || "";
    stage.textContent = "";
    var kind = link.getAttribute("data-preview");
    var el;
    if (kind === "pdf") {
      el = document.createElement("iframe");
      el.className = "evidence-pdf";
      el.title = link.getAttribute("data-name") || "PDF";
    } else {
      el = document.createElement("img");
      el.className = "evidence-full";
      el.alt = link.getAttribute("data-name") || "";
    }
    el.src = link.getAttribute("href");
    stage.appendChild(el);
    dialog.showModal();
    dialog.querySelector("[data-close]").focus();
  });
})();
