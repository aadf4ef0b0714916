// The owner list follows the lead organisation: only its members are offered. Without this
// script the server offers the members of the lead organisation as last saved or posted.
(function () {
  const lead = document.getElementById("id_lead_organisation");
  const owner = document.getElementById("id_owner");
  if (!lead || !owner) return;
  const follow = function () {
    for (const option of owner.options) {
      if (!option.dataset.organisation) continue;
      const outside = lead.value !== "" && option.dataset.organisation !== lead.value;
      option.hidden = outside;
      option.disabled = outside;
      if (outside && option.selected) owner.value = "";
    }
  };
  lead.addEventListener("change", follow);
  follow();
})();
