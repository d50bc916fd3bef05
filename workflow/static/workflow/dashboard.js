// The dashboard's charts: each panel's ECharts option is in a JSON script element beside its
// chart (json_script; the Content Security Policy forbids inline scripts). Without this file, or
// without ECharts, the page still shows every number in the tables.
(function () {
  if (typeof window.echarts === 'undefined') return;
  var charts = [];
  document.querySelectorAll('.gk-chart[data-option]').forEach(function (element) {
    var source = document.getElementById(element.dataset.option);
    if (!source) return;
    var option;
    try {
      option = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    element.hidden = false;
    // SVG: sharp when printed, and its text can be read by assistive software and tests.
    var chart = window.echarts.init(element, null, {renderer: 'svg', locale: 'ZH'});
    option.aria = option.aria || {enabled: true};
    option.animation = false;
    chart.setOption(option);
    element.dataset.ready = '1';
    charts.push(chart);
  });
  // Follow the chart's box, not only the window: the page's layout settles after the charts are
  // drawn (the menu, a scroll bar), and a chart wider than its box would cover the table beside it.
  if (typeof window.ResizeObserver !== 'undefined') {
    var observer = new window.ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        var chart = window.echarts.getInstanceByDom(entry.target);
        if (chart) chart.resize();
      });
    });
    charts.forEach(function (chart) { observer.observe(chart.getDom()); });
  } else {
    window.addEventListener('resize', function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }
})();
