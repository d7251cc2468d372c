// Attendance grid: one keystroke per change. On a status select, a letter sets
// the code and moves to the next pupil; arrows move between rows.
(function () {
  var form = document.getElementById("attendance-form");
  if (!form) return;
  var keys = { o: "p", p: "p", n: "n", u: "u", s: "s", z: "z", k: "sz" };
  var selects = Array.prototype.slice.call(form.querySelectorAll("select.status"));
  function mark(select) {
    var row = select.closest("tr");
    row.dataset.status = select.value;
    if (select.toggleButton) {
      select.toggleButton.setAttribute("aria-pressed", select.value === "n" ? "true" : "false");
    }
    var minutes = row.querySelector("input.minutes");
    if (minutes) minutes.hidden = select.value !== "s";
  }
  var absentLabel = form.dataset.absentLabel || "absent";
  selects.forEach(function (select, index) {
    // One tap on a phone: a button beside the list toggles present / unexcused.
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button-secondary absent-toggle";
    toggle.textContent = absentLabel;
    toggle.setAttribute("aria-pressed", select.value === "n" ? "true" : "false");
    toggle.setAttribute("aria-label", absentLabel + ": " + select.closest("tr").querySelector("th").textContent.trim());
    toggle.addEventListener("click", function () {
      select.value = select.value === "n" ? "p" : "n";
      mark(select);
    });
    select.parentNode.appendChild(toggle);
    select.toggleButton = toggle;
    mark(select);
    select.addEventListener("change", function () { mark(select); });
    select.addEventListener("keydown", function (event) {
      var code = keys[event.key.toLowerCase()];
      if (code && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        select.value = code;
        mark(select);
        if (code === "s") {
          select.closest("tr").querySelector("input.minutes").focus();
        } else if (selects[index + 1]) {
          selects[index + 1].focus();
        }
      } else if (event.key === "ArrowDown" && selects[index + 1]) {
        event.preventDefault();
        selects[index + 1].focus();
      } else if (event.key === "ArrowUp" && selects[index - 1]) {
        event.preventDefault();
        selects[index - 1].focus();
      }
    });
  });
})();
