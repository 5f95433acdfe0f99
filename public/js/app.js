// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // After htmx swaps in content that asks for focus (dialogs, error messages), move keyboard focus there.
  document.addEventListener('htmx:after:swap', function () {
    var target = document.querySelector('[data-autofocus]');
    if (target) {
      target.removeAttribute('data-autofocus');
      target.focus();
    }
  });

  // Long checkbox lists (group members): a filter box, hidden in the markup, that narrows the list as
  // the operator types. Hidden items keep their state, so ticked boxes are still submitted.
  var fold = function (text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  };
  function enableListFilters(root) {
    root.querySelectorAll('[data-list-filter]:not([data-list-filter-ready])').forEach(function (box) {
      var listId = box.getAttribute('data-list-filter');
      var list = document.getElementById(listId);
      var input = box.querySelector('input');
      var empty = document.querySelector('[data-list-filter-empty="' + listId + '"]');
      if (!list || !input) return;
      box.setAttribute('data-list-filter-ready', '');
      box.hidden = false;
      input.addEventListener('input', function () {
        var query = fold(input.value.trim());
        var shown = 0;
        list.querySelectorAll('[data-filter-text]').forEach(function (item) {
          var match = !query || fold(item.getAttribute('data-filter-text')).indexOf(query) !== -1;
          item.hidden = !match;
          if (match) shown++;
        });
        if (empty) empty.hidden = shown > 0;
      });
      // Enter in the filter would submit the whole form; here it only means "done typing".
      input.addEventListener('keydown', function (event) {
        if (event.key === 'Enter') event.preventDefault();
      });
    });
  }
  enableListFilters(document);
  document.addEventListener('htmx:after:swap', function () {
    enableListFilters(document);
  });
})();
