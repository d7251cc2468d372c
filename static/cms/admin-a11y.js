// Wagtail admin, small accessibility repairs for the portal's editors (WCAG 4.1.2,
// 2.1.1): Draftail's editable area and the tag field's autocomplete input get the
// name of their field, and the editable area says it is focusable, so a scrolling
// editor on a phone is reachable from the keyboard. Draftail renders after load,
// so new fields are repaired as they appear.
(function () {
  "use strict";
  function fieldLabel(element) {
    // the nearest field label above the element, or the label of the panel
    // (a StreamField block) that holds it
    for (var node = element.parentElement, depth = 0; node && depth < 12; node = node.parentElement, depth++) {
      var label = node.querySelector(":scope > label, :scope > .w-field__label, :scope > legend, :scope > * > label.w-field__label");
      if (!label && node.getAttribute("aria-labelledby")) label = document.getElementById(node.getAttribute("aria-labelledby").split(" ")[0]);
      if (label) label = label.querySelector(".c-sf-block__type") || label;
      if (label && label.textContent.trim()) return label.textContent.replace(/\*/g, " ").replace(/\s+/g, " ").trim();
    }
    return "";
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
