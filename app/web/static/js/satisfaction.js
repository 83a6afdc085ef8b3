/* 满意度分析: per factor, the satisfaction rate in each band of the factor (ECharts, like the dashboard).
   The data comes from the page's JSON block; tooltips are drawn on the canvas (richText), because ECharts'
   HTML tooltips write inline style attributes that the Content-Security-Policy refuses. */
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("satisfaction-data");
    if (!el || typeof echarts === "undefined") return;
    var d = JSON.parse(el.textContent), charts = [];
    d.factors.forEach(function (fa) {
      var box = document.querySelector('[data-chart="' + fa.factor + '"]');
      if (!box) return;
      var chart = echarts.init(box);
      chart.setOption({
        color: ["#3a9a5b"],
        tooltip: { trigger: "axis", renderMode: "richText" },
        grid: { left: 44, right: 12, top: 24, bottom: 40 },
        xAxis: { type: "category", data: d.labels.bands[fa.factor], axisLabel: { interval: 0 } },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: [{
          name: d.labels.rate, type: "bar",
          label: { show: true, position: "top", formatter: function (p) { return "n=" + fa.bands[p.dataIndex].answered; } },
          data: fa.bands.map(function (b) { return b.rate === null ? null : Math.round(b.rate * 1000) / 10; })
        }]
      });
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    document.body.dataset.chartsDrawn = String(charts.length);
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
