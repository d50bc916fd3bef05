// The public side's reading aids: large text and high contrast, remembered on this device.
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "gongkai-public-view";
  function stored() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(views) {
    try { window.localStorage.setItem(KEY, JSON.stringify(views)); } catch (e) { /* private mode */ }
  }
  function apply(views) {
    ["large", "contrast"].forEach(function (name) {
      root.classList.toggle("view-" + name, !!views[name]);
      document.querySelectorAll('.view-tool[data-view="' + name + '"]').forEach(function (button) {
        button.setAttribute("aria-pressed", views[name] ? "true" : "false");
      });
    });
  }
  var views = stored();
  apply(views);
  document.addEventListener("DOMContentLoaded", function () {
    apply(views);
    document.querySelectorAll(".view-tool").forEach(function (button) {
      button.addEventListener("click", function () {
        var name = button.getAttribute("data-view");
        views[name] = !views[name];
        save(views);
        apply(views);
      });
    });
  });
})();
