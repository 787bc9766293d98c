// KPI trend charts: one per KPI, a line per scope and the target as a markLine.
// Data comes from a json_script block (escaped by Django); tooltips escape names again.
(function () {
  var el = document.getElementById("kpi-charts");
  if (!el || typeof echarts === "undefined") return;
  var charts = JSON.parse(el.textContent);
  var palette = ["#3b6fb6", "#2e9d6a", "#d6a23a", "#8e5ea2", "#c0504d", "#4bacc6", "#7f7f7f", "#9bbb59"];
  charts.forEach(function (c) {
    var box = document.getElementById("chart-" + c.code);
    if (!box) return;
    var chart = echarts.init(box);
    var suffix = c.unit === "%" ? "%" : " " + c.unit;
    var series = c.series.map(function (s, i) {
      var item = {
        name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 7,
        itemStyle: { color: palette[i % palette.length] }
      };
      if (i === 0 && c.target !== null) {
        item.markLine = {
          symbol: "none", silent: true, lineStyle: { type: "dashed", color: "#c0504d" },
          label: { formatter: c.target_label + " " + c.target + suffix },
          data: [{ yAxis: c.target }]
        };
      }
      return item;
    });
    // Keep the target line in view: the axis spans the data and the target.
    var values = [];
    c.series.forEach(function (s) { s.data.forEach(function (v) { if (v !== null && v !== undefined) values.push(v); }); });
    if (c.target !== null) values.push(c.target);
    var lo = values.length ? Math.min.apply(null, values) : 0;
    var hi = values.length ? Math.max.apply(null, values) : 1;
    var pad = Math.max((hi - lo) * 0.15, c.unit === "%" ? 0.5 : 0.1);
    var yMin = Math.max(0, Math.floor((lo - pad) * 10) / 10);
    var yMax = Math.ceil((hi + pad) * 10) / 10;
    if (c.unit === "%") yMax = Math.min(100, yMax);
    chart.setOption({
      grid: { left: 8, right: 60, top: 30, bottom: 8, containLabel: true },
      legend: { top: 0, type: "scroll" },
      tooltip: {
        trigger: "axis",
        formatter: function (ps) {
          var lines = [echarts.format.encodeHTML(ps.length ? ps[0].name : "")];
          ps.forEach(function (p) {
            var v = p.value === null || p.value === undefined ? "—" : p.value + suffix;
            lines.push(echarts.format.encodeHTML(p.seriesName) + "：" + v);
          });
          return lines.join("<br>");
        }
      },
      xAxis: { type: "category", data: c.periods },
      yAxis: { type: "value", min: yMin, max: yMax, axisLabel: { formatter: function (v) { return (+v.toFixed(1)) + (c.unit === "%" ? "%" : ""); } } },
      series: series
    });
    chart.on("click", function (p) {
      var s = c.series[p.seriesIndex];
      if (s && s.links && s.links[p.dataIndex]) window.location.href = s.links[p.dataIndex];
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
