/* Forms that never fail silently and never lose what was typed.
 *
 * - A form sent in place (htmx) that the server refuses (422: errors; 409: the action closed)
 *   is drawn again in place with its errors; any other failure, or an ended session (401),
 *   shows a message inside the form and leaves the form as it was.
 * - After errors, focus moves to the first field in error (WCAG 3.3.1).
 * - What is typed into a form marked data-keep-draft is kept in the browser's session storage
 *   until the form is saved, and put back when the page is opened again: after signing in
 *   again, after a failure, after going elsewhere by mistake.
 */
(function () {
  "use strict";

  var PREFIX = "improveplan-draft:";
  var SKIPPED = ["hidden", "file", "password", "submit", "button", "reset"];

  function draftKey(form) {
    // The address the form is sent to, without its query: the same update form on the
    // action's page and in My actions shares its draft.
    return PREFIX + new URL(form.action, location.href).pathname;
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && SKIPPED.indexOf(el.type) === -1;
    });
  }

  function read(key) {
    try {
      return JSON.parse(sessionStorage.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function write(key, draft) {
    try {
      sessionStorage.setItem(key, JSON.stringify(draft));
    } catch (e) {
      /* storage full or refused: nothing more we can do */
    }
  }

  function keep(form, sent) {
    var values = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        values[el.name + "=" + el.value] = el.checked;
      } else if (el.multiple) {
        values[el.name] = Array.prototype.map.call(el.selectedOptions, function (o) {
          return o.value;
        });
      } else {
        values[el.name] = el.value;
      }
    });
    write(draftKey(form), { values: values, sent: !!sent });
  }

  function forget(form) {
    sessionStorage.removeItem(draftKey(form));
  }

  function differs(form, values) {
    return fields(form).some(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var key = el.name + "=" + el.value;
        return key in values && values[key] !== el.checked;
      }
      if (!(el.name in values)) return false;
      if (el.multiple) return JSON.stringify(values[el.name]) !== JSON.stringify(
        Array.prototype.map.call(el.selectedOptions, function (o) { return o.value; }));
      return values[el.name] !== el.value;
    });
  }

  function restore(form) {
    if (form.dataset.draftRestored) return;
    form.dataset.draftRestored = "yes";
    var draft = read(draftKey(form));
    if (!draft || !differs(form, draft.values)) return;
    fields(form).forEach(function (el) {
      var values = draft.values;
      if (el.type === "checkbox" || el.type === "radio") {
        var key = el.name + "=" + el.value;
        if (key in values) el.checked = values[key];
      } else if (el.multiple && Array.isArray(values[el.name])) {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = values[el.name].indexOf(o.value) !== -1;
        });
      } else if (el.name in values) {
        el.value = values[el.name];
      }
    });
    var note = document.createElement("div");
    note.className = "alert alert-info draft-note";
    note.setAttribute("role", "status");
    note.innerHTML = "<p class=\"mb-2\">What you typed here before is back in the form. " +
      "It is not saved until you save it.</p>";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-outline-dark btn-sm";
    discard.textContent = "Clear what I typed";
    discard.addEventListener("click", function () {
      forget(form);
      form.reset();
      note.remove();
    });
    note.appendChild(discard);
    form.insertBefore(note, form.firstChild);
  }

  function problem(form, html) {
    var box = form.querySelector("[data-request-problem]");
    if (!box) {
      box = document.createElement("div");
      box.className = "alert alert-warning";
      box.setAttribute("role", "alert");
      box.setAttribute("data-request-problem", "");
      box.tabIndex = -1;
      form.insertBefore(box, form.firstChild);
    }
    box.innerHTML = html;
    box.focus();
  }

  function focusFirstError(root) {
    var summary = root.querySelector("[data-form-errors]");
    if (!summary) return;
    var form = summary.closest("form") || root;
    var field = form.querySelector(".is-invalid, [aria-invalid=true]");
    if (field) {
      field.focus();
    } else {
      summary.tabIndex = -1;
      summary.focus();
    }
  }

  function setUp(root) {
    root.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
      restore(form);
      if (form.dataset.draftWatched) return;
      form.dataset.draftWatched = "yes";
      form.addEventListener("input", function () { keep(form, false); });
      form.addEventListener("change", function () { keep(form, false); });
      form.addEventListener("submit", function () { keep(form, true); });
      // Cancel: the person chose to leave what they typed.
      form.querySelectorAll("a.btn-link").forEach(function (link) {
        link.addEventListener("click", function () { forget(form); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A page that says something was saved: the drafts sent just before are saved.
    if (document.querySelector("[data-saved]")) {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf(PREFIX) === 0 && (read(key) || {}).sent) sessionStorage.removeItem(key);
      });
    }
    setUp(document);
    // An update form of My actions with a draft waiting is opened, and the draft put back.
    document.querySelectorAll("[data-draft-opens]").forEach(function (link) {
      var key = PREFIX + link.getAttribute("data-draft-opens");
      if (read(key) && window.htmx) window.htmx.trigger(link, "click");
    });
    focusFirstError(document);
  });

  document.addEventListener("htmx:load", function (event) {
    setUp(event.detail.elt.parentElement || event.detail.elt);
  });

  // Where to say that a request failed: its form, or beside the link that made it.
  function where(elt) {
    return elt && elt.closest ? elt.closest("form") || elt.parentElement : null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    // The event fires on the target (e.g. the card); the message belongs in the form sent.
    var config = event.detail.requestConfig;
    var form = where((config && config.elt) || event.target);
    if (status === 422 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (status === 401 && form) {
      event.detail.shouldSwap = false;
      problem(form, event.detail.xhr.responseText);
    } else if (status >= 400 && form) {
      event.detail.shouldSwap = false;
      problem(form, "<p class=\"mb-0\"><strong>This is not saved yet:</strong> the server " +
        "could not save it just now. What you typed is still here; try again in a moment.</p>");
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var config = event.detail.requestConfig;
    var form = where((config && config.elt) || event.target);
    if (form) {
      problem(form, "<p class=\"mb-0\"><strong>This is not saved yet:</strong> the connection " +
        "to the server was lost. What you typed is still here; try again when you are back online.</p>");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig;
    var form = (config && config.elt) || event.target;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (form && form.tagName === "FORM" && form.hasAttribute("data-keep-draft") &&
        status >= 200 && status < 300) {
      forget(form);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    // Swapped outerHTML, the target is gone: its replacement has the same id.
    var target = event.detail.target;
    if (!target.isConnected) target = (target.id && document.getElementById(target.id)) || document;
    focusFirstError(target);
  });
})();
