(function () {
  // Show only the applicant kind's own fields; without JavaScript both groups stay visible
  // and the server ignores the other kind's values.
  var form = document.getElementById("register-form");
  if (!form) return;
  function sync() {
    var checked = form.querySelector("input[name=applicant_kind]:checked");
    var kind = checked ? checked.value : "person";
    form.querySelectorAll("fieldset[data-kind]").forEach(function (set) {
      set.hidden = set.dataset.kind !== kind;
    });
  }
  form.querySelectorAll("input[name=applicant_kind]").forEach(function (input) {
    input.addEventListener("change", sync);
  });
  sync();
  form.addEventListener("submit", function () {
    var button = document.getElementById("register");
    setTimeout(function () { button.disabled = true; button.textContent = "正在登记…"; }, 0);
  });
})();
