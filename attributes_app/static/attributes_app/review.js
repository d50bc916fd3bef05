(function () {
  var all = document.getElementById('select-page');
  if (!all) return;
  all.addEventListener('change', function () {
    document.querySelectorAll('.item-box').forEach(function (b) { b.checked = all.checked; });
  });
})();
