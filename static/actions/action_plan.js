// The filters of the action plan stay open on screens wide enough to show them beside the
// list; on a phone they stay closed until opened, even once applied, so that the actions
// they chose come first (the summary says how many filters are applied).
(function () {
  const filters = document.querySelector("details.action-filters");
  if (filters) filters.open = window.matchMedia("(min-width: 768px)").matches;
})();
