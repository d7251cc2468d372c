// The grade sheet as a spreadsheet-like grid: one Tab stop for the whole table
// (a roving tabindex), the arrow keys move between cells, Tab leaves the grid for
// the save bar, Enter submits the form (the browser's own implicit submission).
// A count of changed, unsaved cells is shown next to the save button. The form
// works without this script (every field is then a Tab stop).
(function () {
  "use strict";
  var form = document.querySelector("[data-sheet-form]");
  var table = document.querySelector("[data-grade-sheet]");
  var FOCUSABLE = "input.grade-input, a[href]";

  if (table) {
    var rows = Array.prototype.slice.call(table.rows);
    var grid = rows.map(function (row) {
      return Array.prototype.map.call(row.cells, function (cell) {
        return cell.querySelector(FOCUSABLE);
      });
    });
    var active = null;
    var all = table.querySelectorAll(FOCUSABLE);
    Array.prototype.forEach.call(all, function (el) { el.tabIndex = -1; });
    function activate(el) {
      if (active && active !== el) active.tabIndex = -1;
      active = el;
      el.tabIndex = 0;
    }
    var start = table.querySelector(".cell-error .grade-input") ||
      table.querySelector("tbody .grade-input") || table.querySelector("tbody a[href]") || all[0];
    if (start) activate(start);

    function position(el) {
      var cell = el.closest("td, th");
      var r = rows.indexOf(cell.parentElement);
      return [r, Array.prototype.indexOf.call(cell.parentElement.cells, cell)];
    }
    function find(r, c, dr, dc) {
      for (;;) {
        r += dr; c += dc;
        if (r < 0 || r >= grid.length) return null;
        if (c < 0 || c >= grid[r].length) return null;
        if (grid[r][c]) return grid[r][c];
      }
    }
    table.addEventListener("focusin", function (event) {
      if (event.target.matches && event.target.matches(FOCUSABLE)) activate(event.target);
    });
    table.addEventListener("keydown", function (event) {
      var el = event.target;
      if (!el.matches || !el.matches(FOCUSABLE) || event.altKey || event.ctrlKey || event.metaKey) return;
      var isInput = el.tagName === "INPUT";
      var move = null;
      if (event.key === "ArrowDown") move = [1, 0];
      else if (event.key === "ArrowUp") move = [-1, 0];
      else if (event.key === "ArrowLeft" && (!isInput || el.selectionStart === 0 && el.selectionEnd === 0 || el.selectionEnd - el.selectionStart === el.value.length)) move = [0, -1];
      else if (event.key === "ArrowRight" && (!isInput || el.selectionStart === el.value.length || el.selectionEnd - el.selectionStart === el.value.length)) move = [0, 1];
      if (!move) return;
      var pos = position(el);
      var target = find(pos[0], pos[1], move[0], move[1]);
      event.preventDefault();
      if (target) {
        target.focus();
        if (target.tagName === "INPUT") target.select();
      }
    });
  }

  if (form) {
    var status = form.querySelector("[data-unsaved]");
    var submitting = false;
    var dirty = {}, shown = 0;
    // The hidden field after each grade field holds the value shown on loading.
    function originalOf(input) {
      var original = input.nextElementSibling;
      return original && original.type === "hidden" ? original : null;
    }
    function changed(input, original) {
      return input.value.trim() !== original.value.trim();
    }
    form.addEventListener("input", function (event) {
      var input = event.target, original = originalOf(input);
      if (!input.classList.contains("grade-input") || !original) return;
      if (changed(input, original)) dirty[input.name] = true;
      else delete dirty[input.name];
      var n = Object.keys(dirty).length;
      if (status && n !== shown) status.textContent = n ? status.getAttribute("data-unsaved-text") + " " + n : "";
      shown = n;
    });
    // Only the changed cells travel: each unchanged cell and its original lose their
    // names for the request, so saving one column of a 35 × 40 sheet posts 70 fields,
    // not 2,800 (parsing those cost the server more than saving the column). The
    // server saves only cells whose text differs from their original either way, so
    // without this script the whole sheet is posted and saved the same.
    form.addEventListener("submit", function () {
      submitting = true;
      var inputs = form.querySelectorAll("input.grade-input");
      for (var i = 0; i < inputs.length; i++) {
        var input = inputs[i], original = originalOf(input);
        if (!original || !input.name || changed(input, original)) continue;
        [input, original].forEach(function (field) {
          field.setAttribute("data-unsent", field.name);
          field.removeAttribute("name");
        });
      }
    });
    // Back to a page kept in the browser's cache: give the cells their names again.
    window.addEventListener("pageshow", function () {
      var unsent = form.querySelectorAll("[data-unsent]");
      for (var i = 0; i < unsent.length; i++) {
        unsent[i].name = unsent[i].getAttribute("data-unsent");
        unsent[i].removeAttribute("data-unsent");
      }
      submitting = false;
    });
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && shown > 0) event.preventDefault();
    });
    var errorCell = form.querySelector('.cell-error input.grade-input');
    if (errorCell) {
      errorCell.focus();
      errorCell.select();
    }
  }
})();
