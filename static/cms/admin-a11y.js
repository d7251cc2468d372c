// Wagtail admin, small accessibility repairs for the portal's editors (WCAG 4.1.2,
// 2.1.1): Draftail's editable area and the tag field's autocomplete input get the
// name of their field, and the editable area says it is focusable, so a scrolling
// editor on a phone is reachable from the keyboard. Draftail renders after load,
// so new fields are repaired as they appear.
(function () {
  "use strict";
  function fieldLabel(element) {
    var wrapper = element.closest("[data-field-wrapper], .w-field__wrapper, .w-field, [data-contentpath]");
    var label = wrapper && wrapper.querySelector("label, .w-field__label, legend");
    return label ? label.textContent.replace(/\s+/g, " ").replace(/\*\s*$/, "").trim() : "";
  }
  function repair(root) {
    root.querySelectorAll(".public-DraftEditor-content, .ui-autocomplete-input").forEach(function (element) {
      if (!element.hasAttribute("aria-label") && !element.hasAttribute("aria-labelledby")) {
        var name = fieldLabel(element);
        if (name) element.setAttribute("aria-label", name);
      }
      if (element.isContentEditable && !element.hasAttribute("tabindex")) element.setAttribute("tabindex", "0");
    });
  }
  function start() {
    repair(document);
    new MutationObserver(function () { repair(document); })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
