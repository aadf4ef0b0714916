// The readings grid: cells to type in, a period a row, that fill the form's box of
// tab-separated lines when it is sent; a paste of many cells (from a spreadsheet) spreads over
// the grid from the cell it lands in. Without this script the box itself is the grid.
(function () {
  for (const holder of document.querySelectorAll("[data-grid-for]")) {
    const box = document.getElementById(holder.dataset.gridFor);
    if (!box || !box.form) continue;
    const headings = holder.dataset.columns.split("|");
    const table = document.createElement("table");
    table.className = "table table-sm table-bordered align-middle";
    const caption = table.createCaption();
    caption.className = "visually-hidden";
    caption.textContent = "Readings, a period a row";
    const head = table.createTHead().insertRow();
    for (const heading of ["Row", ...headings]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = heading;
      head.appendChild(th);
    }
    const body = table.createTBody();

    const addRow = function (values) {
      const row = body.insertRow();
      const number = body.rows.length;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = number;
      row.appendChild(th);
      headings.forEach(function (heading, index) {
        const input = document.createElement("input");
        input.type = "text";
        input.className = "form-control form-control-sm";
        input.setAttribute("aria-label", heading + ", row " + number);
        input.value = (values && values[index]) || "";
        row.insertCell().appendChild(input);
      });
      return row;
    };
    const cell = function (row, column) {
      while (body.rows.length <= row) addRow();
      return body.rows[row].cells[column + 1].querySelector("input");
    };

    const lines = box.value.split(/\r?\n/).filter(function (line) {
      return line.trim();
    });
    for (const line of lines) addRow(line.split("\t"));
    while (body.rows.length < lines.length + 5) addRow();

    body.addEventListener("paste", function (event) {
      const text = (event.clipboardData || window.clipboardData).getData("text");
      if (!/[\t\n]/.test(text)) return; // one cell's worth: the browser pastes it
      const target = event.target.closest("td");
      if (!target) return;
      event.preventDefault();
      const top = target.parentElement.sectionRowIndex;
      const left = target.cellIndex - 1;
      text.replace(/\r?\n$/, "").split(/\r?\n/).forEach(function (line, down) {
        line.split("\t").forEach(function (value, across) {
          if (left + across < headings.length) cell(top + down, left + across).value = value.trim();
        });
      });
      addRow();
    });

    const more = document.createElement("button");
    more.type = "button";
    more.className = "btn btn-outline-secondary btn-sm mb-3";
    more.textContent = "Add five rows";
    more.addEventListener("click", function () {
      for (let n = 0; n < 5; n++) addRow();
    });

    box.form.addEventListener("submit", function () {
      box.value = Array.from(body.rows)
        .map(function (row) {
          return Array.from(row.querySelectorAll("input"), function (input) {
            return input.value.replace(/[\t\r\n]+/g, " ").trim();
          });
        })
        .filter(function (values) {
          return values.some(Boolean);
        })
        .map(function (values) {
          return values.join("\t");
        })
        .join("\n");
    });

    const wrapper = document.createElement("div");
    wrapper.className = "table-responsive";
    wrapper.appendChild(table);
    holder.appendChild(wrapper);
    holder.appendChild(more);
    holder.hidden = false;
    box.closest(".mb-3").hidden = true;
  }
})();
