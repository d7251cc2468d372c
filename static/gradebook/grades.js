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
  // A notification links to one grade (#ocena-<id>): open its details there.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id.indexOf("ocena-") !== 0) return;
    var chip = document.getElementById(id);
    if (chip && chip.tagName === "DETAILS") {
      chip.open = true;
      chip.scrollIntoView({ block: "center" });
      chip.querySelector("summary").focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openTarget);
  } else {
    openTarget();
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var chip = document.querySelector("details.chip[open]");
    if (chip) close(chip);
  });
})();
