// Draws every chart on the page: each <div data-chart="ID"> takes its figure from the
// <script type="application/json" id="ID"> written by Django's json_script. No inline script.
(function () {
  "use strict";
  var config = {responsive: true, displaylogo: false, showSendToCloud: false, showLink: false,
                modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"]};
  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, config);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  // On paper every chart shows its numbers, and charts fit the A4 width.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.numbers").forEach(function (el) { el.open = true; });
    document.querySelectorAll("[data-chart]").forEach(function (el) { window.Plotly.Plots.resize(el); });
  });
})();
