/* The forms editor: a JSON Schema in a textarea, checked as one types (JSON, then the schema itself
   on the server) and previewed with the same field macros the task page uses. */
(function () {
  "use strict";

  var NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}-schema\.json$/;
  var TEMPLATE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "",
    "required": [],
    "properties": {}
  };

  function FormsEditor(dialog, options) {
    this.dialog = dialog;
    this.options = options; // { previewUrl, post(url, body), msgs, onApply(name, schema, uischema) }
    this.name = dialog.querySelector("#form-name");
    this.schema = dialog.querySelector("#form-schema");
    this.ui = dialog.querySelector("#form-uischema");
    this.problems = dialog.querySelector("#form-problems");
    this.preview = dialog.querySelector("#form-preview");
    this.timer = null;
    this.seq = 0;
    var self = this;
    [this.schema, this.ui, this.name].forEach(function (el) {
      el.addEventListener("input", function () { self.schedule(); });
    });
    dialog.querySelector('[data-action="form-cancel"]').addEventListener("click", function () { dialog.close(); });
    dialog.querySelector('[data-action="form-apply"]').addEventListener("click", function () { self.apply(); });
  }

  FormsEditor.prototype.open = function (name, schemaText, uiText, nameFixed) {
    this.name.value = name || "";
    this.name.readOnly = !!nameFixed;
    this.schema.value = schemaText || JSON.stringify(TEMPLATE, null, 2);
    this.ui.value = uiText || "";
    this.problems.innerHTML = "";
    this.preview.innerHTML = "";
    this.valid = false;
    if (typeof this.dialog.showModal === "function") this.dialog.showModal(); else this.dialog.setAttribute("open", "");
    this.check();
  };

  FormsEditor.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.check(); }, 250);
  };

  // problems: [{text, technical}], the text in the owner's language, a parser's own words folded apart
  FormsEditor.prototype.show = function (problems, ok) {
    var list = this.problems, msgs = this.options.msgs;
    list.innerHTML = "";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "problem problem-error";
      var text = document.createElement("span");
      text.textContent = p.text;
      li.appendChild(text);
      if (p.technical) li.appendChild(window.cfTechnicalDetail(p.technical, msgs.technical_detail));
      list.appendChild(li);
    });
    if (ok) {
      var li = document.createElement("li");
      li.className = "problem problem-ok";
      li.textContent = msgs.form_ok;
      list.appendChild(li);
    }
    this.dialog.setAttribute("data-valid", ok ? "1" : "0");
  };

  FormsEditor.prototype.check = function () {
    var self = this, local = [], unreadable = false, msgs = this.options.msgs;
    if (!NAME.test(this.name.value)) local.push({ text: msgs.form_name_invalid });
    // the browser's JSON parser speaks English: say what is wrong, keep its words folded
    try { JSON.parse(this.schema.value); } catch (err) { unreadable = true; local.push({ text: msgs.form_json_invalid, technical: err.message }); }
    if (this.ui.value.trim()) {
      try { JSON.parse(this.ui.value); } catch (err) { unreadable = true; local.push({ text: msgs.form_ui_json_invalid, technical: err.message }); }
    }
    var seq = ++this.seq;
    if (unreadable) {
      this.valid = false;
      this.show(local, false);
      return Promise.resolve();
    }
    return this.options.post(this.options.previewUrl, { schema: this.schema.value, uischema: this.ui.value })
      .then(function (res) {
        if (seq !== self.seq) return;
        var problems = local.concat(res.body.said || []);
        self.valid = !problems.length;
        self.show(problems, self.valid);
        self.preview.innerHTML = res.body.html || "";
      });
  };

  FormsEditor.prototype.apply = function () {
    var self = this;
    return this.check().then(function () {
      if (!self.valid) return;
      self.options.onApply(self.name.value, self.schema.value, self.ui.value.trim());
      self.dialog.close();
    });
  };

  window.CfFormsEditor = FormsEditor;
})();
