// A running import's page follows it: every second it asks status.json where the import is and
// moves the bar; when the import has ended, the page is loaded again to show the summary.
"use strict";
(function () {
  var box = document.getElementById("import-progress");
  if (!box) {
    return;
  }
  var bar = box.querySelector("progress");
  var words = box.querySelector("[data-words]");
  var heading = box.querySelector("[data-status]");
  function show(state) {
    if (state.ended) {
      window.location.reload();
      return;
    }
    heading.textContent = state.status_label;
    if (state.no_worker && !document.getElementById("no-worker")) {
      var hint = document.createElement("p");
      hint.id = "no-worker";
      hint.className = "errornote";
      hint.textContent = box.dataset.noWorker;
      box.appendChild(hint);
    }
    var phase = state.phase_label || state.status_label;
    if (state.total > 0) {
      bar.max = state.total;
      bar.value = Math.min(state.done, state.total);
      words.textContent = phase + ": " + state.done.toLocaleString("vi-VN") + " / " + state.total.toLocaleString("vi-VN");
    } else {
      bar.removeAttribute("value");
      words.textContent = phase;
    }
    window.setTimeout(poll, 1000);
  }
  function poll() {
    fetch(box.dataset.status, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(show)
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
