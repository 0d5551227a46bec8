"use strict";
// Filters the flagged table: rows are hidden or shown, never rewritten (no HTML from data).
(function () {
  const text = document.getElementById("filter-text");
  const status = document.getElementById("filter-status");
  const group = document.getElementById("filter-group");
  const shown = document.getElementById("shown-count");
  const rows = Array.from(document.querySelectorAll("#flagged-table > tbody > tr"));
  const haystacks = rows.map((row) => row.textContent.toLowerCase());

  function apply() {
    const needle = text.value.trim().toLowerCase();
    let count = 0;
    rows.forEach((row, i) => {
      const visible =
        (!status.value || row.dataset.status === status.value) &&
        (!group.value || row.dataset.group === group.value) &&
        (!needle || haystacks[i].includes(needle));
      row.hidden = !visible;
      if (visible) {
        count += 1;
      }
    });
    shown.textContent = String(count);
  }

  text.addEventListener("input", apply);
  status.addEventListener("change", apply);
  group.addEventListener("change", apply);
  document.querySelector("form.filters").addEventListener("submit", (event) => {
    event.preventDefault();
  });
  apply();
})();
