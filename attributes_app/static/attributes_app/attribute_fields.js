(function () {
  var scope = document.getElementById(document.currentScript.dataset.scope);
  if (!scope) return;
  var radios = scope.querySelectorAll('input[type=radio][name$="attribute"]');
  var fieldset = scope.querySelector('#non-proactive');
  function sync() {
    var chosen = scope.querySelector('input[type=radio][name$="attribute"]:checked');
    if (fieldset && fieldset.dataset.hasErrors !== '1') fieldset.hidden = chosen && chosen.value === 'proactive';
  }
  radios.forEach(function (r) { r.addEventListener('change', function () { scope.dataset.userChose = '1'; sync(); }); });
  var catalogue = scope.querySelector('select[name$="catalogue_item"]');
  var hint = scope.querySelector('#catalogue-hint');
  if (catalogue && hint) {
    var defaults = JSON.parse(document.getElementById('catalogue-defaults').textContent);
    catalogue.addEventListener('change', function () {
      var d = defaults[catalogue.value];
      hint.hidden = !d;
      if (!d) return;
      hint.textContent = '公开事项目录中该事项的默认公开属性：' + d.text + '。' + (scope.dataset.userChose === '1' ? '' : '已按默认选中，可以修改。');
      if (scope.dataset.userChose !== '1') {
        var radio = scope.querySelector('input[type=radio][name$="attribute"][value="' + d.attribute + '"]');
        if (radio) { radio.checked = true; sync(); }
      }
    });
  }
  sync();
})();
