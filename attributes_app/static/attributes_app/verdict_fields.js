(function () {
  var scope = document.getElementById(document.currentScript.dataset.scope);
  if (!scope) return;
  function sync() {
    var chosen = scope.querySelector('input[type=radio][name$="verdict"]:checked');
    var keep = chosen && chosen.value === 'keep';
    var target = scope.querySelector('input[type=radio][name$="attribute"]:checked');
    var proactive = target && target.value === 'proactive';
    scope.querySelectorAll('.change-only').forEach(function (el) {
      var hide = keep || (proactive && el.classList.contains('non-proactive-only'));
      el.hidden = hide && !el.querySelector('.gk-error');
    });
  }
  scope.querySelectorAll('input[type=radio][name$="verdict"], input[type=radio][name$="attribute"]').forEach(function (r) { r.addEventListener('change', sync); });
  sync();
})();
