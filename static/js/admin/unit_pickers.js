// A place's pickers narrow each other: once a province is chosen, the district and commune
// pickers offer only the units inside it; once a district is chosen, the commune picker only its
// communes. Every such autocomplete request carries the chosen unit (?within=).
"use strict";
(function ($) {
  var ABOVE = {district: ["province"], commune: ["district", "province"]};
  function param(data, name) {
    var match = new RegExp("(?:^|&)" + name + "=([^&]*)").exec(data);
    return match ? decodeURIComponent(match[1]) : "";
  }
  $.ajaxPrefilter(function (options) {
    var data = typeof options.data === "string" ? options.data : "";
    var model = param(data, "model_name");
    var above = ABOVE[param(data, "field_name")];
    if (param(data, "app_label") !== "products" || (model !== "product" && model !== "producer") || !above) {
      return;
    }
    for (var i = 0; i < above.length; i++) {
      var chosen = $("#id_" + above[i]).val();
      if (chosen) {
        options.data = data + "&within=" + encodeURIComponent(chosen);
        return;
      }
    }
  });
})(django.jQuery);
