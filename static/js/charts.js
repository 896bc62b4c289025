// Draws every chart on the page: each <div data-chart="ID"> takes its figure from the
// <script type="application/json" id="ID"> written by Django's json_script. No inline script.
(function () {
  "use strict";
  // A phone's screen: no toolbar (it covered the legend; zoom is of little use there, the tables
  // download), the legend above the plot, and dates on the time axis upright, so none runs into the next.
  var narrow = window.matchMedia("(max-width: 40rem)").matches;
  var config = {responsive: true, displaylogo: false, showSendToCloud: false, showLink: false,
                displayModeBar: narrow ? false : "hover",
                modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"]};
  function forPhone(layout) {
    layout.legend = Object.assign({}, layout.legend, {orientation: "h", x: 0, y: 1.02, yanchor: "bottom"});
    if (layout.xaxis && layout.xaxis.type === "date") {
      layout.xaxis = Object.assign({}, layout.xaxis, {tickangle: -90, automargin: true, tickfont: {size: 11}});
    }
  }
  // Two dates close together on the time axis (a year end and an early as-of day, on any screen):
  // the earlier label gives way to the later one.
  function declutter(el) {
    var kept = null;
    Array.prototype.slice.call(el.querySelectorAll(".xtick text")).reverse().forEach(function (text) {
      text.style.visibility = "";
      var box = text.getBoundingClientRect();
      if (kept && box.right > kept.left && box.left < kept.right && box.bottom > kept.top && box.top < kept.bottom) {
        text.style.visibility = "hidden";
      } else {
        kept = box;
      }
    });
  }
  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      if (narrow) { forPhone(figure.layout); }
      window.Plotly.newPlot(el, figure.data, figure.layout, config).then(function (chart) {
        declutter(chart);
        chart.on("plotly_afterplot", function () { declutter(chart); });
        chart.on("plotly_click", follow);
      });
    });
  }
  // A bar whose count has a list carries its address in customdata (the address alone, or last
  // of [label, address]); a click on it opens that list.
  function follow(event) {
    var point = event && event.points && event.points[0];
    var data = point ? point.customdata : null;
    var address = Array.isArray(data) ? data[data.length - 1] : data;
    if (typeof address === "string" && address.charAt(0) === "/" && address.charAt(1) !== "/") {
      window.location.assign(address);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  // On paper every chart shows its numbers, and charts fit the A4 width. Chrome prints without
  // waiting for Plotly's resize (it runs on a timer), so each chart is redrawn now at its width on
  // A4 (relayout draws at once), and its SVGs get a viewBox: on other paper, or other margins, the
  // drawing then scales to its box (site.css) instead of being cut at the edge.
  var PAPER_WIDTH = 186 * 96 / 25.4;  // A4 less the 12 mm margins of site.css's @page, in CSS px
  var GAP = 24;  // .grid's column gap; on paper the grid has two columns
  function charts() { return document.querySelectorAll(".js-plotly-plot[data-chart]"); }  // those drawn
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.numbers").forEach(function (el) { el.open = true; });
    charts().forEach(function (el) {
      window.Plotly.relayout(el, {width: el.closest(".grid") ? (PAPER_WIDTH - GAP) / 2 : PAPER_WIDTH});
      el.querySelectorAll("svg.main-svg").forEach(function (svg) {
        svg.setAttribute("viewBox", "0 0 " + svg.getAttribute("width") + " " + svg.getAttribute("height"));
      });
    });
  });
  window.addEventListener("afterprint", function () {
    charts().forEach(function (el) {
      el.querySelectorAll("svg.main-svg").forEach(function (svg) { svg.removeAttribute("viewBox"); });
      window.Plotly.relayout(el, {width: null});  // back to the width of the screen
    });
  });
})();
