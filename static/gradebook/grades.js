// The grade chips of the compact grades table are <details>, usable without this
// script; it adds closing by Escape and by the close button, returning the focus
// to the chip so a keyboard user keeps their place.
(function () {
  "use strict";
  function close(chip) {
    chip.open = false;
    chip.querySelector("summary").focus();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-chip-close]");
    if (button) close(button.closest("details"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var chip = document.querySelector("details.chip[open]");
    if (chip) close(chip);
  });
})();
