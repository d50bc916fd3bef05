(function () {
  var card = document.getElementById('job');
  if (!card) return;
  var result = document.getElementById('job-result');
  if (card.dataset.finished === '1') {
    // A quick job may be done before this page is drawn: go on, as the polling would have.
    if (!result.hidden) window.location.replace(result.href);
    return;
  }
  var bar = document.getElementById('job-bar');
  function show(state) {
    document.getElementById('job-label').textContent = state.label;
    document.getElementById('job-seconds').textContent = state.seconds;
    document.getElementById('job-progress').textContent = state.progress ? '；' + state.progress : '';
    if (!state.finished && state.percent !== null && state.percent !== undefined) {
      bar.className = 'gk-bar gk-bar--known';
      bar.setAttribute('aria-valuenow', state.percent);
      bar.firstElementChild.style.width = state.percent + '%';
    }
    if (!state.finished) return false;
    bar.firstElementChild.style.width = '';
    var message = document.getElementById('job-message');
    message.textContent = state.message;
    message.className = state.ok ? 'gk-success' : 'gk-alert';
    message.hidden = false;
    document.getElementById('job-waiting').hidden = true;
    bar.className = 'gk-bar ' + (state.ok ? 'gk-bar--done' : 'gk-bar--failed');
    if (state.url) {
      result.href = state.url;
      result.hidden = false;
      // Replace: going back from the result leads to the page the job came from, not here.
      window.location.replace(state.url);
    }
    return true;
  }
  function poll() {
    fetch(card.dataset.statusUrl, {headers: {'Accept': 'application/json'}, credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (state) { if (!show(state)) setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
