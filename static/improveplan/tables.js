// A table wider than the screen (most of them, on a phone) scrolls sideways inside its
// .table-responsive box. Such a box takes the keyboard's focus, so the arrow keys scroll it,
// and is a region named after its table, so a screen reader says what it is. A box that fits
// gets neither and adds no stop to the Tab order. Checked again when the window changes size
// and when htmx brings new content into the page.
(function () {
  function nameOf(box) {
    const caption = box.querySelector("caption");
    let text = caption ? caption.textContent : "";
    if (!text) {
      const table = box.querySelector("table");
      const label = table && table.getAttribute("aria-label");
      text = label || "Table";
    }
    return text.replace(/\s+/g, " ").trim() + " (scrolls sideways)";
  }

  function mark() {
    for (const box of document.querySelectorAll(".table-responsive")) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box));
      } else if (box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  mark();
  window.addEventListener("resize", mark);
  document.body.addEventListener("htmx:afterSettle", mark);
})();
