/* 大屏: draws the panels from #bigscreen-data, then fetches the JSON endpoint every 60 s and
   redraws. A failed fetch (network, expired session) keeps the last figures on screen and
   says so in the status line. Text goes in with textContent only, never as HTML. */
(function () {
  "use strict";
  var source = document.getElementById("bigscreen-data");
  var config = document.getElementById("bigscreen-config");
  if (!source || !config || typeof echarts === "undefined") { return; }
  var LEVEL_COLOURS = ["#3d8bfd", "#fd7e14", "#ff4d5e"]; // 提示 / 警告 / 严重
  var AXIS = {axisLabel: {color: "#c9d6ea", fontSize: 16}, axisLine: {lineStyle: {color: "#3a5f93"}}, splitLine: {lineStyle: {color: "rgba(143,179,227,.15)"}}};
  var TEXT = {color: "#e6edf7", fontSize: 16};
  var charts = {};

  function chart(id) {
    if (!charts[id]) {
      var el = document.getElementById(id);
      if (!el) { return null; }
      charts[id] = echarts.init(el, null, {renderer: "canvas"});
    }
    return charts[id];
  }

  function money(v) {
    return v == null ? "—" : Number(v).toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }
  function pct(v) { return v == null ? "—" : Number(v).toFixed(1) + "%"; }
  function points(v) { return v == null ? "—" : (v > 0 ? "+" : "") + Number(v).toFixed(1); }

  function setField(name, text) {
    document.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) { el.textContent = text; });
  }

  function fillList(id, items, empty, render) {
    var list = document.getElementById(id);
    if (!list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!items.length) {
      var li = document.createElement("li");
      li.textContent = empty;
      list.appendChild(li);
      return;
    }
    items.forEach(function (item) {
      var parts = render(item);
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.className = "bs-name";
      name.textContent = parts[0];
      var value = document.createElement("span");
      value.className = "bs-value";
      value.textContent = parts[1];
      li.appendChild(name);
      li.appendChild(value);
      list.appendChild(li);
    });
  }

  function progressMark(value, axis) {
    var point = {};
    point[axis] = value;
    return {silent: true, symbol: "none", lineStyle: {color: "#ffd166", type: "dashed", width: 2},
      label: {color: "#ffd166", fontSize: 16, position: "start", formatter: "时间进度 " + value + "%"}, data: [point]};
  }

  function render(d) {
    setField("asOf", d.asOf);
    setField("progress", pct(d.progress));
    setField("paid", money(d.totals.paid));
    setField("count", Number(d.totals.count).toLocaleString("zh-CN"));
    setField("rate", pct(d.totals.rate));
    setField("alertMonth", String(d.alerts.month));
    d.alerts.thisMonth.forEach(function (n, i) { setField("thisMonth" + i, String(n)); });
    setField("alertsAll", String(d.alerts.totals.all));
    setField("severeUnhandled", String(d.alerts.totals.severeUnhandled));
    setField("openAmount", money(d.alerts.totals.openAmount));
    setField("handledRate", pct(d.alerts.totals.handledRate));
    setField("debt", pct(d.debt.latest));
    setField("debtLevel", d.debt.latestLevel || "");
    setField("thrRate", pct(d.threePublic.total.rate));

    fillList("bs-slowest", d.slowest.slice(0, 6), "没有数据", function (u) {
      return [u.name, pct(u.rate) + "（" + points(u.gap) + "）"];
    });
    fillList("bs-severe", d.alerts.openSevere.slice(0, 6), "没有预警中的严重预警", function (a) {
      return [a.rule + " · " + a.subject, money(a.amount) + " 万元 · " + a.handling];
    });

    var funds = chart("bs-chart-funds");
    if (funds) {
      funds.setOption({
        textStyle: TEXT, tooltip: {trigger: "axis"},
        grid: {left: 150, right: 70, top: 30, bottom: 24},
        xAxis: Object.assign({type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); }}, AXIS),
        yAxis: Object.assign({type: "category", data: d.funds.names, inverse: true}, AXIS),
        series: [{name: "支出进度", type: "bar", data: d.funds.rate, barMaxWidth: 30,
          itemStyle: {color: "#2fb5ff"}, label: {show: true, position: "right", color: "#fff", fontSize: 18,
            formatter: function (p) { return p.value == null ? "—" : p.value + "%"; }},
          markLine: progressMark(d.progress, "xAxis")}]
      }, true);
    }

    var alerts = chart("bs-chart-alerts");
    if (alerts) {
      alerts.setOption({
        textStyle: TEXT, tooltip: {trigger: "axis"},
        legend: {top: 0, textStyle: TEXT},
        grid: {left: 40, right: 10, top: 36, bottom: 28},
        xAxis: Object.assign({type: "category", data: d.alerts.labels}, AXIS),
        yAxis: Object.assign({type: "value", minInterval: 1}, AXIS),
        series: d.alerts.levels.map(function (name, i) {
          return {name: name, type: "bar", stack: "a", data: d.alerts.byLevel[i], itemStyle: {color: LEVEL_COLOURS[i]}};
        })
      }, true);
    }

    var debt = chart("bs-chart-debt");
    if (debt) {
      debt.setOption({
        textStyle: TEXT, tooltip: {trigger: "axis"},
        grid: {left: 56, right: 60, top: 16, bottom: 28},
        xAxis: Object.assign({type: "category", data: d.debt.labels}, AXIS),
        yAxis: Object.assign({type: "value", max: function (v) { return Math.max(320, Math.ceil(v.max / 50) * 50); }}, AXIS),
        series: [{name: "债务率", type: "line", data: d.debt.ratio, symbolSize: 8, lineStyle: {width: 3, color: "#2fb5ff"}, itemStyle: {color: "#2fb5ff"},
          markLine: {silent: true, symbol: "none", data: d.debt.tiers.map(function (t, i) {
            return {yAxis: t, lineStyle: {color: LEVEL_COLOURS[2 - i], type: "dashed"}, label: {color: LEVEL_COLOURS[2 - i], formatter: t + "%"}};
          })}}]
      }, true);
    }

    var thr = chart("bs-chart-thr");
    if (thr) {
      thr.setOption({
        textStyle: TEXT, tooltip: {trigger: "axis"},
        legend: {top: 0, textStyle: TEXT},
        grid: {left: 150, right: 30, top: 36, bottom: 28},
        xAxis: Object.assign({type: "value", name: "万元"}, AXIS),
        yAxis: Object.assign({type: "category", data: d.threePublic.names, inverse: true}, AXIS),
        series: [
          {name: "预算", type: "bar", data: d.threePublic.available, itemStyle: {color: "#3a5f93"}},
          {name: "已支付", type: "bar", data: d.threePublic.paid, itemStyle: {color: "#ffd166"}}
        ]
      }, true);
    }

    var projects = chart("bs-chart-projects");
    if (projects) {
      var top = d.projects.slice(0, 8);
      projects.setOption({
        textStyle: TEXT, tooltip: {trigger: "axis"},
        grid: {left: 230, right: 40, top: 10, bottom: 28},
        xAxis: Object.assign({type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); }}, AXIS),
        yAxis: Object.assign({type: "category", inverse: true, data: top.map(function (p) { return p.name; }),
          axisLabel: {color: "#c9d6ea", fontSize: 16, width: 220, overflow: "truncate"}}, {axisLine: AXIS.axisLine}),
        series: [{name: "年度完成率", type: "bar", barMaxWidth: 18,
          data: top.map(function (p) { return {value: p.rate, itemStyle: {color: p.gap != null && p.gap <= -20 ? LEVEL_COLOURS[2] : (p.gap != null && p.gap <= -10 ? LEVEL_COLOURS[1] : "#2fb5ff")}}; }),
          label: {show: true, position: "right", color: "#fff", formatter: function (p) { return p.value == null ? "—" : p.value + "%"; }}}]
      }, true);
    }
  }

  var status = document.getElementById("bs-status");
  function stamp(ok) {
    var now = new Date();
    var hh = String(now.getHours()).padStart(2, "0"), mm = String(now.getMinutes()).padStart(2, "0");
    status.textContent = ok ? hh + ":" + mm + " 已更新 · 每 60 秒自动更新" : hh + ":" + mm + " 更新失败，显示的是上次的数据";
    status.classList.toggle("bs-stale", !ok);
  }

  function refresh() {
    fetch(config.dataset.url, {credentials: "same-origin", headers: {Accept: "application/json"}, cache: "no-store"})
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (!r.ok || type.indexOf("application/json") !== 0) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (d) { if (!d.empty) { render(d); } stamp(true); })
      .catch(function () { stamp(false); });
  }

  render(JSON.parse(source.textContent));
  var interval = parseInt(config.dataset.interval, 10) || 60000;
  if (config.dataset.url) { window.setInterval(refresh, interval); }
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();
