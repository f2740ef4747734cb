/** The page's stylesheet: plain, readable on a laptop, printable. */
export const INVENTORY_CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .6rem 1.2rem; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
.brand { font-weight: 700; margin: 0; }
nav ul { display: flex; gap: .9rem; list-style: none; margin: 0; padding: 0; }
nav a { color: #0550ae; text-decoration: none; padding: .2rem .1rem; }
nav a[aria-current="page"] { font-weight: 700; border-bottom: 2px solid #0550ae; }
.signout { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
main { padding: .5rem 1.2rem 2rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: .875rem; margin: .5rem 0 1rem; }
caption { text-align: left; color: #59636e; padding: .25rem 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; position: sticky; top: 0; }
thead th button { all: unset; cursor: pointer; font-weight: 700; }
thead th button:focus-visible, a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid #0969da; outline-offset: 2px; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
a { color: #0550ae; }
.flag { color: #a40e26; }
.unregistered th { color: #a40e26; }
.expiry-past { color: #fff; background: #a40e26; padding: 0 .25rem; border-radius: 3px; }
.expiry-past, .expiry-soon { display: inline-block; }
.expiry-soon { color: #3b2300; background: #ffd8a8; padding: 0 .25rem; border-radius: 3px; }
.verdict { padding: 0 .3rem; border-radius: 3px; }
.verdict-allow { background: #dafbe1; color: #0a3d1c; } .verdict-step_up { background: #fff1c2; color: #3b2300; }
.verdict-deny, .verdict-error { background: #ffebe9; color: #82071e; }
.unknown { color: #59636e; font-style: italic; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; }
.filter input { min-width: 16rem; }
button, input, select { font: inherit; }
@media print {
  header nav, .signout, .filter, .filters, .actions { display: none; }
  thead th { position: static; }
  a { color: inherit; text-decoration: none; }
  table { font-size: 9pt; }
}
`;

/** Sorting by column (a button in each header cell) and filtering rows as one types; the page works without it. */
export const INVENTORY_JS = `
"use strict";
(function () {
  function cellValue(row, index) {
    var cell = row.children[index];
    if (!cell) return "";
    return cell.getAttribute("data-sort") || cell.textContent.trim();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var nx = Number(x), ny = Number(y);
          var order = x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.querySelectorAll("input[data-filter-table]").forEach(function (input) {
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      document.querySelectorAll('table[data-filter="' + input.getAttribute("data-filter-table") + '"] tbody tr').forEach(function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
  });
})();
`;
