/* The editor's properties panel: what this app reads from a diagram, written into the moddle.

   Plain DOM, no bundler. Every change goes through bpmn-js's modeling service (so undo works)
   and lands in the spiffworkflow extension elements the engine reads: formJsonSchemaFilename,
   formUiSchemaFilename, candidateGroupExpression, slaStep/slaKind properties, and
   instructionsForEndUser; plus a timer's expression, a flow's condition and a script's text. */
(function () {
  "use strict";

  var PROPS = "spiffworkflow:Properties";

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === "text") el.textContent = v;
      else if (k.indexOf("on") === 0) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) { if (c) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return el;
  }

  function fmt(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (_, k) { return values[k] !== undefined ? values[k] : ""; });
  }

  function is(bo, type) { return bo && typeof bo.$instanceOf === "function" && bo.$instanceOf(type); }

  function Panel(modeler, container, msgs, hooks) {
    this.modeler = modeler;
    this.container = container;
    this.msgs = msgs;
    this.hooks = hooks; // { state(), editForm(name, element), newForm(element) }
    this.element = null;
    var self = this;
    var eventBus = modeler.get("eventBus");
    eventBus.on("selection.changed", function (e) { self.show(e.newSelection.length === 1 ? e.newSelection[0] : null); });
    eventBus.on("elements.changed", function (e) {
      if (!self.element || self.editing) return;
      if (e.elements.some(function (el) { return el === self.element || el.id === self.element.id; })) self.show(self.element);
    });
  }

  Panel.prototype.svc = function (name) { return this.modeler.get(name); };

  /* -- reading and writing extension elements ------------------------------------------- */
  Panel.prototype.extensions = function (bo) {
    return (bo.extensionElements && bo.extensionElements.values) || [];
  };

  Panel.prototype.property = function (bo, name) {
    var props = this.extensions(bo).filter(function (v) { return v.$type === PROPS; })[0];
    var found = props && (props.properties || []).filter(function (p) { return p.name === name; })[0];
    return found ? found.value || "" : "";
  };

  Panel.prototype.extensionText = function (bo, type) {
    var found = this.extensions(bo).filter(function (v) { return v.$type === type; })[0];
    return found ? found.value || "" : "";
  };

  Panel.prototype.writeExtensions = function (element, change) {
    // a new ExtensionElements each time, so that undo restores the old one
    var moddle = this.svc("moddle");
    var values = this.extensions(element.businessObject).slice();
    values = change(values, moddle) || values;
    var ext = values.length ? moddle.create("bpmn:ExtensionElements", { values: values }) : undefined;
    this.svc("modeling").updateProperties(element, { extensionElements: ext });
  };

  Panel.prototype.setProperties = function (element, updates) {
    this.writeExtensions(element, function (values, moddle) {
      var old = values.filter(function (v) { return v.$type === PROPS; })[0];
      var list = old ? (old.properties || []).map(function (p) { return { name: p.name, value: p.value }; }) : [];
      Object.keys(updates).forEach(function (name) {
        var value = updates[name];
        list = list.filter(function (p) { return p.name !== name; });
        if (value !== "" && value !== null && value !== undefined) list.push({ name: name, value: value });
      });
      var rest = values.filter(function (v) { return v !== old; });
      if (!list.length) return rest;
      var props = moddle.create(PROPS, {
        properties: list.map(function (p) { return moddle.create("spiffworkflow:Property", p); })
      });
      return [props].concat(rest);
    });
  };

  Panel.prototype.setExtensionText = function (element, type, text) {
    this.writeExtensions(element, function (values, moddle) {
      var rest = values.filter(function (v) { return v.$type !== type; });
      if (text) rest.push(moddle.create(type, { value: text }));
      return rest;
    });
  };

  /* -- the form fields of the panel ------------------------------------------------------ */
  Panel.prototype.row = function (label, control, hint, testid) {
    return h("div", { class: "prop-row", "data-testid": testid }, [
      h("label", {}, [h("span", { class: "prop-label", text: label }), control]),
      hint ? h("div", { class: "help", text: hint }) : null
    ]);
  };

  Panel.prototype.text = function (value, onchange, attrs) {
    var self = this;
    var input = h("input", Object.assign({ type: "text", value: value }, attrs || {}));
    input.addEventListener("focus", function () { self.editing = true; });
    input.addEventListener("blur", function () { self.editing = false; });
    input.addEventListener("change", function () { onchange(input.value); });
    return input;
  };

  Panel.prototype.area = function (value, onchange, attrs) {
    var self = this;
    var ta = h("textarea", Object.assign({ rows: 4, spellcheck: "false" }, attrs || {}));
    ta.value = value;
    ta.addEventListener("focus", function () { self.editing = true; });
    ta.addEventListener("blur", function () { self.editing = false; });
    ta.addEventListener("change", function () { onchange(ta.value); });
    return ta;
  };

  Panel.prototype.select = function (options, value, onchange, attrs) {
    var sel = h("select", attrs || {});
    options.forEach(function (o) {
      var opt = h("option", { value: o.value, text: o.label });
      if (o.value === value) opt.selected = true;
      sel.appendChild(opt);
    });
    sel.addEventListener("change", function () { onchange(sel.value); });
    return sel;
  };

  /* -- what each kind of element shows ---------------------------------------------------- */
  Panel.prototype.show = function (element) {
    this.element = element;
    var body = this.container;
    body.innerHTML = "";
    if (!element || element.type === "label") {
      if (element && element.labelTarget) return this.show(element.labelTarget);
      body.appendChild(h("p", { class: "muted", text: this.msgs.select_hint }));
      return;
    }
    var bo = element.businessObject, self = this, m = this.msgs;
    body.setAttribute("data-element", element.id);
    body.appendChild(this.row(m.id, h("input", { type: "text", value: bo.id, readonly: true, "data-testid": "prop-id" })));
    body.appendChild(this.row(m.name, this.text(bo.name || "", function (v) {
      self.svc("modeling").updateLabel(element, v);
    }, { "data-testid": "prop-name" })));

    // a user task's time limits first: what an owner changes most
    if (is(bo, "bpmn:UserTask")) { this.taskLimits(element); this.userTask(element, bo); }
    if (is(bo, "bpmn:ServiceTask")) this.serviceTask(element, bo);
    if (is(bo, "bpmn:ScriptTask")) {
      body.appendChild(this.row(m.script, this.area(bo.script || "", function (v) {
        self.svc("modeling").updateProperties(element, { script: v, scriptFormat: bo.scriptFormat || "python" });
      }, { class: "mono", rows: 6, "data-testid": "prop-script" })));
    }
    var timer = (bo.eventDefinitions || []).filter(function (d) { return is(d, "bpmn:TimerEventDefinition"); })[0];
    if (timer) this.timer(element, bo, timer);
    if (is(bo, "bpmn:SequenceFlow")) this.flow(element, bo);
    if (is(bo, "bpmn:Lane")) this.lane(element, bo);
  };

  Panel.prototype.userTask = function (element, bo) {
    var self = this, m = this.msgs, state = this.hooks.state(), body = this.container;
    var forms = state.available_forms.filter(function (n) { return /-schema\.json$/.test(n) && !/-uischema\.json$/.test(n); });
    var uiForms = state.available_forms.filter(function (n) { return /-uischema\.json$/.test(n); });
    var form = this.property(bo, "formJsonSchemaFilename");
    if (form && forms.indexOf(form) < 0) forms.push(form);
    var formOptions = [{ value: "", label: m.form_none }].concat(forms.map(function (n) { return { value: n, label: n }; }));
    var sel = this.select(formOptions, form, function (v) {
      var ui = v.replace(/-schema\.json$/, "-uischema.json");
      self.setProperties(element, { formJsonSchemaFilename: v, formUiSchemaFilename: v && uiForms.indexOf(ui) >= 0 ? ui : "" });
    }, { "data-testid": "prop-form" });
    var buttons = h("div", { class: "prop-buttons" }, [
      h("button", { type: "button", class: "btn btn-small", "data-testid": "form-new", text: m.form_new,
                    onclick: function () { self.hooks.newForm(element); } }),
      form ? h("button", { type: "button", class: "btn btn-small", "data-testid": "form-edit", text: m.form_edit,
                           onclick: function () { self.hooks.editForm(form, element); } }) : null
    ]);
    var formBox = h("div", {}, [sel, buttons]);
    body.appendChild(this.row(m.form, formBox, null, "row-form"));

    var ui = this.property(bo, "formUiSchemaFilename");
    if (ui && uiForms.indexOf(ui) < 0) uiForms.push(ui);
    body.appendChild(this.row(m.ui_form, this.select([{ value: "", label: m.form_none }].concat(
      uiForms.map(function (n) { return { value: n, label: n }; })), ui, function (v) {
      self.setProperties(element, { formUiSchemaFilename: v });
    }, { "data-testid": "prop-ui-form" })));

    var lane = (bo.lanes || [])[0];
    var laneText = lane ? (lane.name || lane.id) : m.lane_none;
    var group = lane && state.groups.filter(function (g) { return g.code === lane.name || g.name === lane.name || g.name_en === lane.name; })[0];
    if (group) laneText += " → " + group.code;
    body.appendChild(this.row(m.lane, h("div", { class: "prop-static", "data-testid": "prop-lane", text: laneText })));
    body.appendChild(this.row(m.group_expr, this.text(this.property(bo, "candidateGroupExpression"), function (v) {
      self.setProperties(element, { candidateGroupExpression: v.trim() });
    }, { class: "mono", "data-testid": "prop-group-expr" }), m.group_expr_hint));
    body.appendChild(this.row(m.instructions, this.area(this.extensionText(bo, "spiffworkflow:InstructionsForEndUser"), function (v) {
      self.setExtensionText(element, "spiffworkflow:InstructionsForEndUser", v);
    }, { rows: 5, "data-testid": "prop-instructions" }), m.instructions_hint));
  };

  /* -- time limits: a step's limit in the SLA policy, or this version's own (slaLimit) -------- */
  Panel.prototype.stepName = function (step) {
    return (this.msgs.names.steps || {})[step] || step;
  };

  Panel.prototype.limitLabel = function (text) {
    var parts = String(text || "").split(/\s+/);
    return parts[0] + " " + ((this.msgs.names.units || {})[parts[1]] || parts[1] || "");
  };

  Panel.prototype.slaOf = function (element) {
    // the SLA step and kind a timer counts: its properties, else the sla_due("step") it calls
    var bo = element.businessObject;
    var timer = (bo.eventDefinitions || []).filter(function (d) { return is(d, "bpmn:TimerEventDefinition"); })[0];
    if (!timer) return null;
    var key = timer.timeDate ? "timeDate" : (timer.timeDuration ? "timeDuration" : (timer.timeCycle ? "timeCycle" : "timeDate"));
    var expr = timer[key] ? timer[key].body || "" : "";
    var step = this.property(bo, "slaStep"), kind = this.property(bo, "slaKind");
    var called = /^\s*sla_(due|warn)\(\s*["']([\w-]+)["']\s*(,[^)]*)?\)\s*$/.exec(expr);
    if (called) { step = step || called[2]; kind = kind || (called[1] === "due" ? "breach" : "warning"); }
    return { timer: timer, key: key, expr: expr, step: step, kind: kind };
  };

  Panel.prototype.timeLimit = function (step, timers) {
    // one row per step: the amount and unit (hours or working days), written on every timer of the step
    var self = this, m = this.msgs, state = this.hooks.state();
    var policy = (state.sla_policy || {})[step];
    if (!policy) return null;
    var own = timers.map(function (t) { return self.property(t.businessObject, "slaLimit"); }).filter(Boolean)[0] || "";
    var current = (own || policy.general).split(/\s+/);
    var units = ["hours", "working_days"];
    if (units.indexOf(current[1]) < 0) units.push(current[1]);
    function write(text) {
      timers.forEach(function (t) { self.setProperties(t, { slaLimit: text }); });
      // the timers changed, not the selected element: show the new state once the input has let go
      var shown = self.element;
      setTimeout(function () { if (self.element === shown) self.show(shown); }, 0);
    }
    var amount = this.text(current[0], function () { write(amount.value.trim() + " " + unit.value); },
                           { type: "number", min: "0", step: "any", class: "prop-limit-amount", "data-testid": "prop-limit-amount",
                             "aria-label": m.time_limit + " · " + this.stepName(step) });
    var unit = this.select(units.map(function (u) { return { value: u, label: (m.names.units || {})[u] || u }; }), current[1],
                           function () { write(amount.value.trim() + " " + unit.value); },
                           { "data-testid": "prop-limit-unit", "aria-label": m.time_limit });
    var notes = [h("span", { "data-testid": "prop-limit-policy", text: fmt(m.time_limit_policy, { limit: this.limitLabel(policy.general) }) })];
    if (policy.major !== policy.general) {
      notes.push(h("span", { text: " · " + fmt(m.time_limit_major, { limit: this.limitLabel(policy.major) }) }));
    }
    var reset = own ? h("button", { type: "button", class: "btn btn-small", "data-testid": "prop-limit-reset", text: m.time_limit_reset,
                                    onclick: function () { write(""); } }) : null;
    return h("div", { class: "prop-row prop-limit", "data-testid": "prop-limit", "data-step": step, "data-own": own ? "1" : "0" }, [
      h("div", { class: "prop-label", text: m.time_limit + " · " + this.stepName(step) }),
      h("div", { class: "prop-inline" }, [amount, unit, reset]),
      h("div", { class: "help" }, notes.concat([h("br"), m.time_limit_hint]))
    ]);
  };

  Panel.prototype.taskLimits = function (element) {
    // a user task's time limits are those of its boundary SLA timers, one row per step
    var self = this, byStep = {}, order = [];
    var plain = [];
    (element.attachers || []).forEach(function (t) {
      var sla = self.slaOf(t);
      if (!sla) return;
      if (!sla.step) { plain.push([t, sla]); return; }
      if (!byStep[sla.step]) { byStep[sla.step] = []; order.push(sla.step); }
      byStep[sla.step].push(t);
    });
    // a timer that is not an SLA timer: its limit is its own expression, edited here as on the timer
    plain.forEach(function (pair) {
      var t = pair[0], sla = pair[1];
      var input = self.text(sla.expr, function (v) {
        var update = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
        update[sla.key] = self.svc("moddle").create("bpmn:FormalExpression", { body: v });
        self.svc("modeling").updateModdleProperties(t, sla.timer, update);
      }, { class: "mono", "data-testid": "prop-limit-expr", "data-element": t.id });
      self.container.appendChild(self.row(self.msgs.time_limit + " · " + (t.businessObject.name || t.id) + " (" + sla.key + ")", input));
    });
    if (!order.length && !plain.length) {
      this.container.appendChild(h("p", { class: "muted", "data-testid": "prop-limit-none", text: this.msgs.time_limit_none }));
    }
    order.forEach(function (step) {
      var row = self.timeLimit(step, byStep[step]);
      if (row) self.container.appendChild(row);
    });
  };

  Panel.prototype.siblingTimers = function (element, step) {
    // the other SLA timers of the same step on the same task share its limit
    var self = this, host = element.host;
    var all = host ? host.attachers || [] : [element];
    return all.filter(function (t) { var s = self.slaOf(t); return s && s.step === step; });
  };

  Panel.prototype.timer = function (element, bo, timer) {
    var self = this, m = this.msgs, state = this.hooks.state(), body = this.container;
    var sla = this.slaOf(element);
    var kindKey = sla.key, expr = sla.expr, step = sla.step, kind = sla.kind;

    function writeSla(newStep, newKind) {
      self.setProperties(element, { slaStep: newStep, slaKind: newStep ? newKind : "" });
      if (newStep) {
        var fn = newKind === "warning" ? "sla_warn" : "sla_due";
        writeExpression("timeDate", fn + '("' + newStep + '")');
      }
    }
    function writeExpression(key, text) {
      var moddle = self.svc("moddle");
      var update = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      update[key] = moddle.create("bpmn:FormalExpression", { body: text });
      self.svc("modeling").updateModdleProperties(element, timer, update);
    }
    var steps = [{ value: "", label: m.sla_none }].concat(state.sla_steps.map(function (s) {
      return { value: s, label: self.stepName(s) };
    }));
    body.appendChild(this.row(m.sla_step, this.select(steps, step, function (v) { writeSla(v, kind || "breach"); },
                                                      { "data-testid": "prop-sla-step" })));
    body.appendChild(this.row(m.sla_kind, this.select([{ value: "breach", label: m.sla_breach }, { value: "warning", label: m.sla_warning }],
                                                      kind || "breach", function (v) { writeSla(step, v); },
                                                      { "data-testid": "prop-sla-kind", disabled: !step })));
    if (step) {
      var row = this.timeLimit(step, this.siblingTimers(element, step));
      if (row) body.appendChild(row);
    }
    var kindSel = this.select(["timeDate", "timeDuration", "timeCycle"].map(function (k) { return { value: k, label: k }; }),
                              kindKey, function (v) { writeExpression(v, exprInput.value); }, { "data-testid": "prop-timer-kind" });
    var exprInput = this.text(expr, function (v) { writeExpression(kindSel.value, v); }, { class: "mono", "data-testid": "prop-timer-expr" });
    body.appendChild(this.row(m.timer_expr, h("div", { class: "prop-inline" }, [kindSel, exprInput])));
  };

  /* -- service tasks: a registered connector and its parameters ---------------------------- */
  Panel.prototype.operator = function (bo) {
    return this.extensions(bo).filter(function (v) { return v.$type === "spiffworkflow:ServiceTaskOperator"; })[0];
  };

  Panel.prototype.serviceTask = function (element, bo) {
    var self = this, m = this.msgs, state = this.hooks.state(), body = this.container;
    var names = (m.names.connectors || {});
    var op = this.operator(bo);
    var name = op ? op.id || "" : "";
    var given = {};
    ((op && op.parameterList && op.parameterList.parameters) || []).forEach(function (p) { given[p.id] = p.value || ""; });
    var connectors = state.connectors || [];
    var chosen = connectors.filter(function (c) { return c.name === name; })[0];

    function write(newName, values, result) {
      self.writeExtensions(element, function (list, moddle) {
        var rest = list.filter(function (v) { return v.$type !== "spiffworkflow:ServiceTaskOperator"; });
        if (!newName) return rest;
        var spec = connectors.filter(function (c) { return c.name === newName; })[0];
        var params = (spec ? spec.parameters.map(function (p) { return p.name; }) : Object.keys(values))
          .filter(function (n) { return values[n] !== undefined && values[n] !== ""; })
          .map(function (n) { return moddle.create("spiffworkflow:Parameter", { id: n, type: "any", value: values[n] }); });
        var attrs = { id: newName, parameterList: moddle.create("spiffworkflow:Parameters", { parameters: params }) };
        if (result) attrs.resultVariable = result;
        return rest.concat([moddle.create("spiffworkflow:ServiceTaskOperator", attrs)]);
      });
    }

    var options = [{ value: "", label: m.connector_none }].concat(connectors.map(function (c) {
      return { value: c.name, label: c.name + " · " + ((names[c.name] || {}).doc || "") };
    }));
    if (name && !chosen) options.push({ value: name, label: name });
    var result = op ? op.resultVariable || "" : "";
    body.appendChild(this.row(m.connector_label, this.select(options, name, function (v) { write(v, given, result); },
                                                             { "data-testid": "prop-connector" })));
    if (!chosen) return;
    var docs = (names[chosen.name] || {}).parameters || {};
    body.appendChild(h("div", { class: "prop-label", text: m.connector_params }));
    chosen.parameters.forEach(function (p) {
      var input = self.text(given[p.name] || "", function (v) {
        given[p.name] = v.trim();  // kept here too: the panel is not drawn again while the owner types
        write(chosen.name, given, result);
      }, { class: "mono", "data-testid": "prop-param-" + p.name, "aria-label": p.name, required: p.required });
      body.appendChild(self.row(p.name + (p.required ? " *" : ""), input,
                                (docs[p.name] || "") + (p.required ? " (" + m.connector_required + ")" : "")));
    });
    body.appendChild(this.row(m.connector_result, this.text(result, function (v) { result = v.trim(); write(chosen.name, given, result); },
                                                            { class: "mono", "data-testid": "prop-connector-result" })));
  };

  Panel.prototype.flow = function (element, bo) {
    var self = this, m = this.msgs, body = this.container;
    var source = bo.sourceRef;
    if (!is(source, "bpmn:ExclusiveGateway") && !is(source, "bpmn:InclusiveGateway") && !bo.conditionExpression) return;
    var sourceShape = this.svc("elementRegistry").get(source.id);
    var isDefault = source.default === bo;
    body.appendChild(this.row(m.condition, this.area(bo.conditionExpression ? bo.conditionExpression.body || "" : "", function (v) {
      var expr = v.trim() ? self.svc("moddle").create("bpmn:FormalExpression", { body: v.trim() }) : undefined;
      self.svc("modeling").updateProperties(element, { conditionExpression: expr });
    }, { class: "mono", rows: 3, "data-testid": "prop-condition", disabled: isDefault }), m.condition_hint));
    var box = h("input", { type: "checkbox", "data-testid": "prop-default" });
    box.checked = isDefault;
    box.addEventListener("change", function () {
      if (box.checked) self.svc("modeling").updateProperties(element, { conditionExpression: undefined });
      self.svc("modeling").updateProperties(sourceShape, { "default": box.checked ? bo : undefined });
      self.show(element);
    });
    body.appendChild(h("div", { class: "prop-row" }, [h("label", { class: "choices" }, [box, " " + m.default_flow])]));
  };

  Panel.prototype.lane = function (element, bo) {
    var self = this, m = this.msgs, state = this.hooks.state(), body = this.container;
    var list = h("datalist", { id: "cf-groups" }, state.groups.map(function (g) {
      return h("option", { value: g.name, label: g.code });
    }).concat(state.groups.map(function (g) { return h("option", { value: g.code, label: g.name }); })));
    body.appendChild(list);
    body.appendChild(this.row(m.lane_name, this.text(bo.name || "", function (v) {
      self.svc("modeling").updateLabel(element, v);
    }, { list: "cf-groups", "data-testid": "prop-lane-name" })));
  };

  window.CfPanel = Panel;
})();
