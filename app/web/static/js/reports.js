/* Managers' pages: the instance diagram with its marks and durations (bpmn-js viewer), the
   dashboard's charts (ECharts) and the duration heat map on the diagram. Both libraries come
   from /vendor; bpmn.io's watermark stays visible as its licence asks. */
(function () {
  "use strict";

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function span(seconds) {
    if (seconds === null || seconds === undefined) return "";
    var s = Math.round(seconds), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    var en = document.body.dataset.locale === "en";
    if (d) return d + (en ? "d " : "天") + h + (en ? "h" : "时");
    if (h) return h + (en ? "h " : "时") + m + (en ? "m" : "分");
    return m ? m + (en ? "m" : "分") : (en ? "<1m" : "<1分");
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

  function bar(el, names, series, opts) {
    var chart = echarts.init(el);
    chart.setOption(Object.assign({
      color: palette, tooltip: TIP_AXIS, grid: { left: 44, right: 12, top: 24, bottom: 40 },
      legend: series.length > 1 ? { top: 0 } : undefined,
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" }, series: series
    }, opts || {}));
    return chart;
  }

  function dashboard() {
    var r = json("report-data");
    if (!r || typeof echarts === "undefined") return;
    var d = r.data, L = r.labels, charts = [];
    function chart(name, fn) {
      var el = document.querySelector('[data-chart="' + name + '"]');
      if (el) charts.push(fn(el));
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
        var c = echarts.init(el);
        c.setOption({ color: palette, tooltip: TIP_ITEM, series: [{ type: "pie", radius: ["35%", "68%"],
          data: d["by_" + field].map(function (x) { return { name: labelOf(L[field], x.value, L.none), value: x.count }; }) }] });
        return c;
      });
    });
    chart("ontime", function (el) {
      return bar(el, d.steps.map(function (s) { return s.name; }), [{ name: L.rate, type: "bar",
        data: d.steps.map(function (s) { return s.on_time_rate === null ? null : Math.round(s.on_time_rate * 1000) / 10; }) }],
        { yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } } });
    });
    chart("durations", function (el) {
      return bar(el, d.steps.map(function (s) { return s.name; }), [
        { name: L.avg, type: "bar", data: d.steps.map(function (s) { return s.avg_seconds && Math.round(s.avg_seconds / 36) / 100; }) },
        { name: L.p90, type: "bar", data: d.steps.map(function (s) { return s.p90_seconds && Math.round(s.p90_seconds / 36) / 100; }) }
      ], { yAxis: { type: "value", name: L.hours } });
    });
    chart("satisfaction", function (el) {
      var c = echarts.init(el), s = d.satisfaction;
      c.setOption({ color: ["#3a9a5b", "#e0b32c", "#c44e52"], tooltip: TIP_ITEM, series: [{ type: "pie", radius: ["35%", "68%"],
        data: ["satisfied", "basically_satisfied", "unsatisfied"].map(function (k) { return { name: labelOf(L.satisfaction, k, k), value: s[k] }; }) }] });
      return c;
    });
    chart("backlog", function (el) {
      return bar(el, d.backlog_by_age.map(function (b) { return L.buckets[b.bucket]; }),
                 [{ name: L.count, type: "bar", data: d.backlog_by_age.map(function (b) { return b.count; }) }]);
    });
    chart("breached", function (el) {
      return bar(el, d.now.breached_by_step.map(function (b) { return b.name; }),
                 [{ name: L.count, type: "bar", itemStyle: { color: "#c44e52" }, data: d.now.breached_by_step.map(function (b) { return b.count; }) }]);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    document.body.dataset.chartsDrawn = String(charts.length);
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

  document.addEventListener("DOMContentLoaded", function () { instanceDiagram(); dashboard(); });
})();
