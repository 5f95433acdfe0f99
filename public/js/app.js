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
  // Confirmation dialogs swapped in by htmx (the deletion of a client): shown modal, so the page behind is
  // inert and focus stays inside; focus moves to the element marked autofocus; Escape or "Cancelar" close
  // the dialog and give focus back to the control that opened it. Without JavaScript the same markup is a
  // page of its own and "Cancelar" is a plain link.
  var dialogOpener = null;
  document.addEventListener('htmx:before:request', function (event) {
    var source = event.detail && event.detail.ctx && event.detail.ctx.sourceElement;
    if (source && source.closest && !source.closest('dialog')) dialogOpener = source;
  });
  // Removal and the return of focus happen here, synchronously, rather than in the asynchronous `close`
  // event (which also fires for a dialog htmx replaced with its next step).
  function closeDialog(dialog) {
    if (!dialog.isConnected) return;
    if (dialog.open) dialog.close();
    dialog.remove();
    if (dialogOpener && dialogOpener.isConnected) dialogOpener.focus();
  }
  function showDialogs() {
    var dialogs = document.querySelectorAll('dialog[data-dialog]:not(.in-page)');
    // One at a time: a second click on a trash icon replaces the first dialog.
    for (var i = 0; i < dialogs.length - 1; i++) dialogs[i].remove();
    var dialog = dialogs[dialogs.length - 1];
    if (!dialog || dialog.hasAttribute('data-modal')) return;
    dialog.setAttribute('data-modal', '');
    if (typeof dialog.showModal === 'function') {
      dialog.removeAttribute('open');
      dialog.showModal();
    }
    var first = dialog.querySelector('[autofocus]') || dialog.querySelector('a[href], button, input, [tabindex]');
    if (first) first.focus();
    dialog.addEventListener('cancel', function (event) {
      event.preventDefault();
      closeDialog(dialog);
    });
    dialog.addEventListener('close', function () {
      closeDialog(dialog);
    });
  }
  document.addEventListener('htmx:after:swap', showDialogs);
  document.addEventListener('click', function (event) {
    var close = event.target.closest && event.target.closest('[data-dialog-close]');
    var dialog = close && close.closest('dialog[data-modal]');
    if (!dialog) return;
    event.preventDefault();
    closeDialog(dialog);
  });
})();
