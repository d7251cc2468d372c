// The attendance screen. Without this script the form works as it is: radio
// buttons per pupil, the minutes box shown for pupils already saved as late.
// With it: the minutes box follows the late button, each change is announced
// in the polite live region, the counts in the save bar follow, and a letter
// key on a row sets its status and selects the next pupil. Arrow keys are left
// to the browser: they change the status within the row's radio group.
(function () {
  var form = document.getElementById("attendance-form");
  if (!form) return;
  var live = document.getElementById("attendance-live");
  var keys = { o: "p", p: "p", n: "n", u: "u", s: "s", z: "z", k: "sz" };
  var rows = Array.prototype.slice.call(form.querySelectorAll(".pupil-row"));

  function checked(row) {
    return row.querySelector("input.status:checked");
  }

  function labelOf(radio) {
    var label = form.querySelector('label[for="' + radio.id + '"]');
    return label ? label.textContent.trim() : radio.value;
  }

  function updateCounts() {
    var absent = 0;
    var late = 0;
    rows.forEach(function (row) {
      var status = row.dataset.status;
      if (status === "n" || status === "u") absent += 1;
      if (status === "s") late += 1;
    });
    var a = form.querySelector('[data-count="absent"]');
    var l = form.querySelector('[data-count="late"]');
    if (a) a.textContent = absent;
    if (l) l.textContent = late;
  }

  function mark(row, announce) {
    var radio = checked(row);
    var status = radio ? radio.value : "p";
    row.dataset.status = status;
    var minutes = row.querySelector(".minutes-field");
    if (minutes) minutes.hidden = status !== "s";
    var more = row.querySelector("details.more-statuses");
    if (more && radio && more.contains(radio)) more.open = true;
    if (announce && live && radio) {
      live.textContent = row.dataset.name + ": " + labelOf(radio);
    }
    updateCounts();
  }

  function focusRow(row) {
    var radio = checked(row) || row.querySelector("input.status");
    if (radio) radio.focus();
  }

  rows.forEach(function (row, index) {
    mark(row, false);
    row.addEventListener("change", function (event) {
      if (event.target.classList.contains("status")) mark(row, true);
    });
    row.addEventListener("keydown", function (event) {
      if (!event.target.classList.contains("status")) return;
      if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
      var code = keys[event.key.toLowerCase()];
      if (!code) return;
      var radio = row.querySelector('input.status[value="' + code + '"]');
      if (!radio || radio.disabled) return;
      event.preventDefault();
      radio.checked = true;
      mark(row, true);
      if (code === "s") {
        row.querySelector("input.minutes").focus();
      } else if (rows[index + 1]) {
        focusRow(rows[index + 1]);
      }
    });
  });
})();
