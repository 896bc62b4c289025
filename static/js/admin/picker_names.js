// The admin's autocomplete pickers (select2) take their accessible name from the chosen value
// alone: an empty picker has no name, a filled one does not say what it is. Each is named after its
// field's label (in an inline table, its column's heading), followed by the value chosen. Pickers
// appear when select2 starts and when an inline row is added, so new ones are watched for.
"use strict";
(function () {
  function nameOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      label.id = label.id || select.id + "-label";
      return label;
    }
    var cell = select.closest("td[class*='field-']");
    var field = cell && /(?:^|\s)field-(\S+)/.exec(cell.className);
    var heading = field && cell.closest("table").querySelector("thead th.column-" + field[1]);
    if (heading) {
      heading.id = heading.id || cell.closest(".inline-group").id + "-" + field[1] + "-heading";
      return heading;
    }
    return null;
  }

  function nameNewPickers() {
    document.querySelectorAll(".select2-selection[role=combobox]:not([data-named])").forEach(function (picker) {
      var container = picker.closest(".select2");
      var select = container && container.previousElementSibling;
      var name = select && select.tagName === "SELECT" && nameOf(select);
      if (!name) {
        return;
      }
      picker.setAttribute("data-named", "");
      var value = picker.querySelector(".select2-selection__rendered[id]");
      if (value) {
        // Read from the picker, the value's own aria-labelledby is not followed: the picker says
        // "label, value", the value alone says "label".
        value.setAttribute("aria-labelledby", name.id);
        picker.setAttribute("aria-labelledby", name.id + " " + value.id);
      } else {
        picker.setAttribute("aria-labelledby", name.id);
      }
    });
  }

  nameNewPickers();
  new MutationObserver(nameNewPickers).observe(document.documentElement, {childList: true, subtree: true});
})();
