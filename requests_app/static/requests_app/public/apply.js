// The online application: a new CAPTCHA image on request, the organisation's fields only when
// applying as an organisation, and the print button of the submitted page. Without scripts the
// form still works (every field shown, no refresh button).
(function () {
  "use strict";
  function showKind(form) {
    var chosen = form.querySelector('input[name="applicant_kind"]:checked');
    var kind = chosen ? chosen.value : "";
    form.querySelectorAll("[data-kind]").forEach(function (part) {
      var hide = kind !== "" && part.getAttribute("data-kind") !== kind;
      var hasError = part.querySelector(".field-error") !== null;
      part.hidden = hide && !hasError;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("apply-form");
    if (form) {
      showKind(form);
      form.querySelectorAll('input[name="applicant_kind"]').forEach(function (radio) {
        radio.addEventListener("change", function () { showKind(form); });
      });
      var alert = document.getElementById("form-errors");
      if (alert) { alert.focus(); }
    }
    document.querySelectorAll(".captcha-refresh").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var request = new XMLHttpRequest();
        request.open("GET", button.getAttribute("data-refresh-url"));
        request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        request.onload = function () {
          if (request.status !== 200) { return; }
          var data = JSON.parse(request.responseText);
          var box = button.closest(".field");
          box.querySelector("img.captcha").src = data.image_url;
          box.querySelector('input[type="hidden"]').value = data.key;
          var answer = box.querySelector('input[type="text"]');
          answer.value = "";
          answer.focus();
        };
        request.send();
      });
    });
    document.querySelectorAll(".print-button").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
