/* Live where it helps: a part of the page that others may add to (the comments on an item,
 * an action's updates) is fetched again when the person next acts on the page, never on a
 * timer, so that a page left open costs the server nothing.
 *
 * Such a part carries data-live-url (where to fetch it) and data-live-stamp (what it showed).
 * Acting is coming back to the tab, or starting to type into a form on the page. At most one
 * request per part in LIVE_GAP; the server answers 204 (nothing to swap) while the stamp is
 * still current, or the part drawn afresh, which htmx swaps in place.
 */
(function () {
  "use strict";

  var LIVE_GAP = 15000; // milliseconds between two looks at the same part
  var checked = new WeakMap();

  function parts() {
    return document.querySelectorAll("[data-live-url]");
  }

  function look(part) {
    var now = Date.now();
    if (now - (checked.get(part) || 0) < LIVE_GAP || !window.htmx) return;
    checked.set(part, now);
    var url = new URL(part.getAttribute("data-live-url"), location.href);
    url.searchParams.set("since", part.getAttribute("data-live-stamp") || "");
    window.htmx.ajax("GET", url.pathname + url.search, {
      source: part,
      target: part,
      swap: "outerHTML",
    }).catch(function () { /* offline: the next act looks again */ });
  }

  function lookAtAll(except) {
    parts().forEach(function (part) {
      if (!except || !part.contains(except)) look(part);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var loaded = Date.now();
    parts().forEach(function (part) { checked.set(part, loaded); });
  });

  // A part swapped in has just been fetched.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.matches && elt.matches("[data-live-url]")) checked.set(elt, Date.now());
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") lookAtAll(null);
  });

  // Starting to type somewhere on the page (not inside a live part, which would be swapped
  // from under the person).
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field && field.matches && field.matches("input, textarea, select")) lookAtAll(field);
  });
})();
