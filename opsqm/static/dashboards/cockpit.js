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
})();
