// Arrow keys and Enter move between cells of the grade sheet; the form works without it.
(function () {
  var table = document.querySelector("[data-grade-sheet]");
  if (!table) return;
  table.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("grade-input")) return;
    var cell = input.closest("td"), row = cell.parentElement;
    var col = Array.prototype.indexOf.call(row.children, cell);
    var target = null;
    function at(r, c) {
      var td = r && r.children[c];
      return td && td.querySelector(".grade-input");
    }
    if (event.key === "ArrowDown" || event.key === "Enter") target = at(row.nextElementSibling, col);
    else if (event.key === "ArrowUp") target = at(row.previousElementSibling, col);
    else if (event.key === "ArrowLeft" && input.selectionStart === 0) target = at(row, col - 1);
    else if (event.key === "ArrowRight" && input.selectionEnd === input.value.length) target = at(row, col + 1);
    else return;
    event.preventDefault();
    if (target) { target.focus(); target.select(); }
  });
  var errorCell = table.querySelector(".cell-error .grade-input");
  if (errorCell) errorCell.focus();
})();
