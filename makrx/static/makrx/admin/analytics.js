// Draws the Analytics page's charts with the vendored Chart.js. The configurations are built on the server
// (makrx/admin/analytics_charts.py) and embedded as JSON (json_script), so no inline script is needed (CSP).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("analytics-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var payload = JSON.parse(source.textContent) || {};
  var styles = getComputedStyle(document.documentElement);
  var text = styles.getPropertyValue("--body-fg").trim();
  var grid = styles.getPropertyValue("--hairline-color").trim();
  if (text) {
    window.Chart.defaults.color = text;
  }
  if (grid) {
    window.Chart.defaults.borderColor = grid;
  }
  window.Chart.defaults.font.family = styles.getPropertyValue("--font-family-primary").trim() || undefined;
  (payload.charts || []).forEach(function (chart) {
    var canvas = document.getElementById(chart.id);
    if (canvas) {
      new window.Chart(canvas, chart.config);
    }
  });
  document.documentElement.dataset.chartsDrawn = String((payload.charts || []).length);
});
