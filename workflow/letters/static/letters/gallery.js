(function () {
  // Choosing an outcome shows that outcome's sample letter at once.
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });
})();
