/* Drill-down page: units of a functional class, execution rate against time progress. */
(function () {
  "use strict";
  var source = document.getElementById("drill-data");
  var el = document.getElementById("chart-units");
  if (!source || !el || typeof echarts === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  var c = echarts.init(el);
  c.setOption({
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; }},
    grid: {left: 180, right: 50, top: 10, bottom: 30},
    xAxis: {type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); }},
    yAxis: {type: "category", data: d.names, inverse: true, axisLabel: {width: 170, overflow: "truncate"}},
    series: [{
      name: "支出进度", type: "bar", data: d.rate, barMaxWidth: 16, itemStyle: {color: "#b3191f"},
      markLine: {silent: true, symbol: "none", lineStyle: {color: "#6c757d", type: "dashed"},
        label: {formatter: "时间进度 " + d.progress + "%"}, data: [{xAxis: d.progress}]}
    }]
  });
  window.addEventListener("resize", function () { c.resize(); });
})();
