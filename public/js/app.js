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
})();
