// A live count for text fields with a limit (data-limit): "12 of 200 characters", or how far
// over the limit the text is. The count is announced politely, a moment after typing stops.
(function () {
  for (const input of document.querySelectorAll("[data-limit]")) {
    const limit = Number(input.dataset.limit);
    const counter = document.createElement("p");
    counter.id = input.id + "_counter";
    counter.className = "form-text char-counter mb-0";
    const show = function () {
      const length = input.value.length;
      counter.textContent = length <= limit
        ? length + " of " + limit + " characters"
        : length + " characters: " + (length - limit) + " over the limit of " + limit;
      counter.classList.toggle("char-counter-over", length > limit);
    };
    show();
    counter.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", counter);
    const described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    let timer;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(show, 300);
    });
  }
})();
