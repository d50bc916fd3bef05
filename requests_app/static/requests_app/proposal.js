(function () {
  // The proposal form (Art. 36–37): show only the fields the chosen outcome needs, and add rows
  // of withheld parts. Without JavaScript the whole form shows, with one spare row, and the
  // server validates it just the same.
  var data = document.getElementById("gk-outcome-fields");
  if (!data) return;
  var form = data.closest("form");
  var map = JSON.parse(data.textContent);
  var outcome = form.querySelector("select[name$='-outcome']");
  function toggle() {
    Object.keys(map).forEach(function (name) {
      var box = form.querySelector("#field-" + name);
      if (box) box.hidden = outcome.value !== "" && map[name].indexOf(outcome.value) < 0;
    });
  }
  if (outcome) { outcome.addEventListener("change", toggle); toggle(); }
  var add = form.querySelector(".gk-add-row");
  var body = form.querySelector(".gk-withheld tbody");
  if (!add || !body) return;
  add.hidden = false;
  add.addEventListener("click", function () {
    var rows = body.querySelectorAll("tr");
    var copy = rows[rows.length - 1].cloneNode(true);
    var index = rows.length;
    copy.querySelectorAll(".gk-error").forEach(function (e) { e.remove(); });
    copy.querySelectorAll("input").forEach(function (input) {
      input.name = input.name.replace(/withheld_\d+_/, "withheld_" + index + "_");
      input.id = input.id.replace(/withheld_\d+_/, "withheld_" + index + "_");
      input.value = "";
    });
    body.appendChild(copy);
  });
})();
