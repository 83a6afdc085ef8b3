/* Managers' pages: the instance diagram with its marks and durations (bpmn-js viewer), the
   dashboard's charts (ECharts) and the duration heat map on the diagram. Both libraries come
   from /vendor; bpmn.io's watermark stays visible as its licence asks. */
(function () {
  "use strict";

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // a duration in the catalogue's words (the base template's ui-words): 2天3时, 1时5分, 5分, <1分
  var words = json("ui-words") || {};
  function fill(pattern, values) {
    return (pattern || "").replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  function span(seconds) {
    if (seconds === null || seconds === undefined) return "";
    var s = Math.round(seconds), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    if (d) return fill(words.days_hours, { d: d, h: h });
    if (h) return fill(words.hours_minutes, { h: h, m: m });
    return m ? fill(words.minutes, { m: m }) : words.under_a_minute;
  }

  function viewer(container, xml) {
    var v = new BpmnJS({ container: container });
    return v.importXML(xml).then(function () {
      v.get("canvas").zoom("fit-viewport");
      return v;
    });
  }

  function instanceDiagram() {
    var box = document.getElementById("diagram"), d = json("diagram-data");
    if (!box || !d || !d.xml || typeof BpmnJS === "undefined") return;
    viewer(box, d.xml).then(function (v) {
      var canvas = v.get("canvas"), overlays = v.get("overlays"), registry = v.get("elementRegistry");
      d.elements.forEach(function (e) {
        if (!registry.get(e.element_id)) return;
        e.marks.forEach(function (m) { canvas.addMarker(e.element_id, "cf-" + m); });
        var text = e.running_seconds !== null ? "⏱ " + span(e.running_seconds) : e.runs ? span(e.seconds) : "";
        if (e.runs > 1) text += " ×" + e.runs;
        if (text) overlays.add(e.element_id, { position: { bottom: 2, right: 2 }, html: '<span class="cf-duration">' + text + "</span>" });
      });
      box.dataset.ready = "1";
    }).catch(function (err) { box.textContent = String(err); });
  }

  // Tooltips drawn on the canvas: ECharts' HTML tooltips write inline style attributes, which the
  // pages' Content-Security-Policy (style-src 'self') refuses.
  var TIP_AXIS = { trigger: "axis", renderMode: "richText" };
  var TIP_ITEM = { trigger: "item", renderMode: "richText" };

  var palette = ["#2f6fb2", "#e08a2c", "#3a9a5b", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c"];

  function labelOf(list, value, none) {
    if (value === null || value === undefined) return none;
    for (var i = 0; i < (list || []).length; i++) if (list[i].value === value) return list[i].label;
    return value;
  }

  // A chart with nothing to show says so instead of drawing empty axes or an empty ring. Counts of zero
  // are nothing; a rate or a duration of zero is a figure (0 % on time, done at once) when zeroIsData.
  function hasData(series, zeroIsData) {
    return series.some(function (s) { return (s.data || []).some(function (v) {
      var n = v !== null && typeof v === "object" ? v.value : v;
      return typeof n === "number" && (n > 0 || (zeroIsData && n === 0));
    }); });
  }
  var empties = 0;
  function noData(el) {
    var p = document.createElement("p");
    p.className = "chart-empty-text";
    p.textContent = (json("report-data") || { labels: {} }).labels.no_data || "—";
    el.textContent = "";
    el.appendChild(p);
    el.classList.add("chart-empty");
    el.setAttribute("data-empty", "1");
    empties += 1;
    return null;
  }

  // Names (steps, departments, categories) are wrapped within their slot, never cut to "…"; the tooltip
  // and the table beside a chart give them whole. Dates keep the compact axis (rotated, thinned out).
  function wrappedAxis(el, names) {
    var slot = Math.max(36, Math.floor((el.clientWidth - 60) / Math.max(names.length, 1)) - 6);
    return { type: "category", data: names, axisLabel: { interval: 0, width: slot, overflow: "break", lineHeight: 13 } };
  }

  function bar(el, names, series, opts, zeroIsData) {
    if (!hasData(series, zeroIsData)) return noData(el);
    var chart = echarts.init(el);
    chart.setOption(Object.assign({
      color: palette, tooltip: TIP_AXIS, grid: { left: 44, right: 12, top: 24, bottom: 40 },
      legend: series.length > 1 ? { top: 0 } : undefined,
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" }, series: series
    }, opts || {}));
    return chart;
  }

  // A bar chart over names: the labels wrap, and the grid leaves them room for three lines.
  function namedBar(el, names, series, opts, zeroIsData) {
    return bar(el, names, series, Object.assign({ xAxis: wrappedAxis(el, names), grid: { left: 44, right: 12, top: 24, bottom: 52 } }, opts || {}), zeroIsData);
  }

  function pie(el, data, colors) {
    var series = [{ type: "pie", radius: ["35%", "62%"], avoidLabelOverlap: true,
      // labels sit at the chart's edges and wrap within the room left between the ring and the edge
      label: { alignTo: "edge", edgeDistance: 6, overflow: "break", lineHeight: 13 }, labelLine: { length: 8, length2: 6 },
      data: data }];
    if (!hasData(series)) return noData(el);
    var c = echarts.init(el);
    c.setOption({ color: colors || palette, tooltip: TIP_ITEM, series: series });
    return c;
  }

  function dashboard() {
    var r = json("report-data");
    if (!r || typeof echarts === "undefined") return;
    var d = r.data, L = r.labels, charts = [];
    function chart(name, fn) {
      var el = document.querySelector('[data-chart="' + name + '"]');
      if (!el) return;
      var drawn = fn(el);
      if (drawn) charts.push(drawn);
    }
    chart("volume", function (el) {
      return bar(el, d.volume.by_day.map(function (x) { return x.day.slice(5); }), [
        { name: L.count, type: "bar", data: d.volume.by_day.map(function (x) { return x.count; }) },
        { name: L.trend, type: "line", smooth: true, symbol: "none", data: d.volume.by_day.map(function (x) { return x.trend; }) }
      ], { xAxis: { type: "category", data: d.volume.by_day.map(function (x) { return x.day.slice(5); }) } });
    });
    chart("weekly", function (el) {
      return bar(el, d.volume.by_week.map(function (x) { return x.week_start.slice(5); }),
                 [{ name: L.count, type: "bar", data: d.volume.by_week.map(function (x) { return x.count; }) }]);
    });
    ["category", "channel", "severity", "department"].forEach(function (field) {
      chart(field, function (el) {
        return pie(el, d["by_" + field].map(function (x) { return { name: labelOf(L[field], x.value, L.none), value: x.count }; }));
      });
    });
    chart("ontime", function (el) {
      return namedBar(el, d.steps.map(function (s) { return s.name; }), [{ name: L.rate, type: "bar",
        data: d.steps.map(function (s) { return s.on_time_rate === null ? null : Math.round(s.on_time_rate * 1000) / 10; }) }],
        { yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } } }, true);
    });
    chart("durations", function (el) {
      return namedBar(el, d.steps.map(function (s) { return s.name; }), [
        { name: L.avg, type: "bar", data: d.steps.map(function (s) { return s.avg_seconds === null ? null : Math.round(s.avg_seconds / 36) / 100; }) },
        { name: L.p90, type: "bar", data: d.steps.map(function (s) { return s.p90_seconds === null ? null : Math.round(s.p90_seconds / 36) / 100; }) }
      ], { yAxis: { type: "value", name: L.hours } }, true);
    });
    chart("satisfaction", function (el) {
      var s = d.satisfaction;
      return pie(el, ["satisfied", "basically_satisfied", "unsatisfied"].map(function (k) { return { name: labelOf(L.satisfaction, k, k), value: s[k] }; }),
                 ["#3a9a5b", "#e0b32c", "#c44e52"]);
    });
    chart("backlog", function (el) {
      return namedBar(el, d.backlog_by_age.map(function (b) { return L.buckets[b.bucket]; }),
                 [{ name: L.count, type: "bar", data: d.backlog_by_age.map(function (b) { return b.count; }) }]);
    });
    chart("breached", function (el) {
      return namedBar(el, d.now.breached_by_step.map(function (b) { return b.name; }),
                 [{ name: L.count, type: "bar", itemStyle: { color: "#c44e52" }, data: d.now.breached_by_step.map(function (b) { return b.count; }) }]);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    document.body.dataset.chartsEmpty = String(empties);
    document.body.dataset.chartsDrawn = String(charts.length + empties);  // every chart handled, drawn or "no data"
    heatmap(r);
  }

  function heatmap(r) {
    var box = document.getElementById("heatmap");
    if (!box || !r.diagram || typeof BpmnJS === "undefined") return;
    viewer(box, r.diagram).then(function (v) {
      var canvas = v.get("canvas"), overlays = v.get("overlays"), registry = v.get("elementRegistry");
      var steps = r.data.steps.filter(function (s) { return s.p90_seconds !== null && registry.get(s.element_id); });
      var ranked = steps.map(function (s) { return s.p90_seconds; }).sort(function (a, b) { return a - b; });
      steps.forEach(function (s) {
        var rank = ranked.indexOf(s.p90_seconds), level = ranked.length > 1 ? 1 + Math.round(4 * rank / (ranked.length - 1)) : 3;
        canvas.addMarker(s.element_id, "heat-" + level);
        overlays.add(s.element_id, { position: { bottom: 2, left: 0 }, html: '<span class="cf-duration">' + r.labels.avg + " " +
          span(s.avg_seconds) + " · P90 " + span(s.p90_seconds) + "</span>" });
      });
      box.dataset.ready = "1";
    });
  }

  // for other report pages: the same bars, pies and "no data" message
  window.complaintflowCharts = { bar: bar, namedBar: namedBar, pie: pie };
  document.addEventListener("DOMContentLoaded", function () { instanceDiagram(); dashboard(); });
})();
