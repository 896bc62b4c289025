// A rating decision's issuer must have existed on the decision date: every issuer autocomplete
// request carries the date typed so far (?valid_on=), so only the units of that day are offered.
"use strict";
(function ($) {
  function isoDate(text) {
    var value = (text || "").trim();
    var dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
    if (dmy) {
      return dmy[3] + "-" + dmy[2].padStart(2, "0") + "-" + dmy[1].padStart(2, "0");
    }
    return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : "";
  }
  $.ajaxPrefilter(function (options) {
    var data = typeof options.data === "string" ? options.data : "";
    if (data.indexOf("model_name=ratingdecision") === -1 || data.indexOf("field_name=issuer") === -1) {
      return;
    }
    var day = isoDate($("#id_date").val());
    if (day) {
      options.data = data + "&valid_on=" + day;
    }
  });
})(django.jQuery);
