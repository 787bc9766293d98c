// Cockpit charts and bars. Data comes from json_script blocks (escaped by Django); no inline script.
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  document.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
    bar.style.width = (parseInt(bar.dataset.width, 10) || 0) + "%";
  });
  var trend = data("data-kpi-trend");
  var box = document.getElementById("chart-kpi-trend");
  if (trend && box && typeof echarts !== "undefined") {
    var chart = echarts.init(box);
    chart.setOption({
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      title: { text: "各季度有未达标指标的项目数", textStyle: { fontSize: 12, fontWeight: "normal", color: "#6b7685" } },
      tooltip: { trigger: "axis", formatter: function (ps) { return echarts.format.encodeHTML(ps[0].name) + "：" + ps[0].value + " 个项目"; } },
      xAxis: { type: "category", data: trend.map(function (d) { return d.period; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: trend.map(function (d) { return d.missing; }), itemStyle: { color: "#d9534f" }, barMaxWidth: 36 }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function chartIn(id) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") { return null; }
    var chart = echarts.init(el);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  function esc(text) { return echarts.format.encodeHTML(String(text)); }
  function axisTip(unit) {
    return function (ps) {
      var lines = [esc(ps[0].name)];
      ps.forEach(function (p) {
        lines.push(p.marker + esc(p.seriesName) + "：" + (p.value === null || p.value === undefined || p.value === "-" ? "—" : esc(p.value) + unit));
      });
      return lines.join("<br>");
    };
  }
  var plan = data("data-plan");
  var planChart = plan && chartIn("chart-plan");
  if (planChart) {
    planChart.setOption({
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis", formatter: axisTip(" 项") },
      xAxis: { type: "category", data: plan.labels, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "截至今日应完成", type: "bar", data: plan.due, itemStyle: { color: "#9fb3c8" }, barMaxWidth: 18 },
        { name: "已完成", type: "bar", data: plan.done, itemStyle: { color: "#2f7d4f" }, barMaxWidth: 18 },
      ],
    });
  }
  var sat = data("data-satisfaction");
  var satChart = sat && sat.series.length && chartIn("chart-satisfaction");
  if (satChart) {
    satChart.setOption({
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, type: "scroll", textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis", formatter: axisTip(" 分") },
      xAxis: { type: "category", data: sat.labels },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor((Math.min(v.min, sat.threshold) - 5) / 10) * 10); }, max: 100 },
      series: sat.series.map(function (s, i) {
        var line = { name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 6 };
        if (i === 0) { line.markLine = { silent: true, symbol: "none", lineStyle: { color: "#d9534f", type: "dashed" }, label: { position: "insideEndTop", formatter: "预警线 " + sat.threshold }, data: [{ yAxis: sat.threshold }] }; }
        return line;
      }),
    });
  } else if (sat) {
    var box2 = document.getElementById("chart-satisfaction");
    if (box2) { box2.remove(); }
  }
})();
