// The filters of the action plan stay open on screens wide enough to show them beside the
// list; on a phone they stay closed until opened (or until a filter is applied).
(function () {
  const filters = document.querySelector("details.action-filters");
  if (filters && window.matchMedia("(min-width: 768px)").matches) filters.open = true;
})();
