// Charts of the first dashboard. Data comes from json_script blocks (escaped by Django).
(function () {
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var statusData = data("data-status");
  var valueData = data("data-value");
  if (statusData && document.getElementById("chart-status")) {
    var c1 = echarts.init(document.getElementById("chart-status"));
    c1.setOption({
      tooltip: { trigger: "item", formatter: function (p) { return echarts.format.encodeHTML(p.name) + "：" + p.value; } },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["40%", "70%"], data: statusData, label: { formatter: "{b}\n{c}" } }],
      color: ["#6c8ebf", "#2e9d6a", "#d6a23a", "#8c8c8c"],
    });
    window.addEventListener("resize", function () { c1.resize(); });
  }
  if (valueData && document.getElementById("chart-value")) {
    var lang = document.documentElement.lang || "zh-Hans";
    var zh = lang.toLowerCase().indexOf("zh") === 0;
    var compact = new Intl.NumberFormat(zh ? "zh-CN" : lang, { notation: "compact", maximumFractionDigits: 1 });
    var c2 = echarts.init(document.getElementById("chart-value"));
    c2.setOption({
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", formatter: function (ps) { var p = ps[0]; return echarts.format.encodeHTML(p.name) + (zh ? "：" : ": ") + "¥" + p.value.toLocaleString(lang); } },
      // Axis in the page's language: 50万 in Chinese, 500K in English.
      xAxis: { type: "value", axisLabel: { formatter: function (v) { return compact.format(v); } } },
      yAxis: { type: "category", inverse: true, data: valueData.map(function (d) { return d.name; }) },
      series: [{ type: "bar", data: valueData.map(function (d) { return d.value; }), itemStyle: { color: "#3b6fb6" } }],
    });
    window.addEventListener("resize", function () { c2.resize(); });
  }
})();
