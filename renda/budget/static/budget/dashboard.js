/* 预算监督看板: draws the overview's charts from the JSON in #dashboard-data.
   A static file (not an inline script) so that the page keeps a strict CSP; the tables
   beside each chart carry the same figures for screen readers and for printing. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  var LEVEL_COLOURS = ["#0d6efd", "#fd7e14", "#dc3545"]; // 提示 / 警告 / 严重
  var charts = [];

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = echarts.init(el);
    c.setOption(option);
    charts.push(c);
    return c;
  }

  function progressLine(value) {
    return {
      silent: true, symbol: "none",
      lineStyle: {color: "#6c757d", type: "dashed"},
      label: {position: "start", formatter: "时间进度 " + value + "%"},
      data: [{xAxis: value}]
    };
  }

  // Four budgets: execution rate against time progress.
  chart("chart-funds", {
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; }},
    grid: {left: 110, right: 40, top: 28, bottom: 24},
    xAxis: {type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); }},
    yAxis: {type: "category", data: d.funds.names, inverse: true},
    series: [{
      name: "支出进度", type: "bar", data: d.funds.rate, barMaxWidth: 28,
      itemStyle: {color: "#b3191f"}, label: {show: true, position: "right", formatter: "{c}%"},
      markLine: progressLine(d.progress)
    }]
  });

  // Cumulative spending by month against time progress.
  chart("chart-months", {
    tooltip: {trigger: "axis"},
    legend: {top: 0},
    grid: {left: 50, right: 50, top: 40, bottom: 30},
    xAxis: {type: "category", data: d.months.labels},
    yAxis: [{type: "value", name: "%", max: 100}, {type: "value", name: "万元"}],
    series: [
      {name: "累计支出进度", type: "line", data: d.months.rate, itemStyle: {color: "#b3191f"}},
      {name: "时间进度", type: "line", data: d.months.progress, lineStyle: {type: "dashed"}, itemStyle: {color: "#6c757d"}},
      {name: "当月支付", type: "bar", yAxisIndex: 1, data: d.months.paid, itemStyle: {color: "#adb5bd"}}
    ]
  });

  // Functional classes: click a bar to drill down to the class's units.
  var classes = chart("chart-classes", {
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; }},
    grid: {left: 150, right: 50, top: 28, bottom: 24},
    xAxis: {type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); }},
    yAxis: {type: "category", data: d.classes.names, inverse: true, axisLabel: {width: 140, overflow: "truncate"}},
    series: [{
      name: "支出进度", type: "bar", data: d.classes.rate, barMaxWidth: 18,
      itemStyle: {color: "#b3191f"}, markLine: progressLine(d.progress)
    }]
  });
  var links = document.getElementById("dashboard-links");
  if (classes && links) {
    classes.on("click", function (params) {
      var code = d.classes.codes[params.dataIndex];
      if (code) { window.location.href = links.dataset.functionUrl.replace("/000/", "/" + code + "/"); }
    });
  }

  // Alerts by period month, stacked by level.
  chart("chart-alerts", {
    tooltip: {trigger: "axis"},
    legend: {top: 0},
    grid: {left: 40, right: 10, top: 40, bottom: 30},
    xAxis: {type: "category", data: d.alerts.labels},
    yAxis: {type: "value", minInterval: 1},
    series: d.alerts.levels.map(function (name, i) {
      return {name: name, type: "bar", stack: "alerts", data: d.alerts.byLevel[i], itemStyle: {color: LEVEL_COLOURS[i]}};
    })
  });

  // Debt ratio by month with the 120 / 200 / 300 % lines.
  chart("chart-debt", {
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; }},
    grid: {left: 50, right: 60, top: 20, bottom: 30},
    xAxis: {type: "category", data: d.debt.labels},
    yAxis: {type: "value", max: function (v) { return Math.max(320, Math.ceil(v.max / 50) * 50); }},
    series: [{
      name: "债务率", type: "line", data: d.debt.ratio, itemStyle: {color: "#b3191f"},
      markLine: {
        silent: true, symbol: "none",
        data: d.debt.tiers.map(function (t, i) {
          return {yAxis: t, lineStyle: {color: LEVEL_COLOURS[2 - i], type: "dashed"}, label: {formatter: t + "%"}};
        })
      }
    }]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
