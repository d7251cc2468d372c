// Small progressive enhancements shared by every page.
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
})();

// After a failed submit the error summary at the top of <main> takes the focus
// (a screen reader reads it), and its links move the focus to their field.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView({ block: "center" });
  });
})();

// A table wider than the screen scrolls inside its .table-wrap; such a box must
// be reachable from the keyboard (WCAG 2.1.1) and named, so one with nothing
// focusable inside becomes a focusable region labelled by the table's caption
// (or the nearest heading before it). Boxes that do not scroll stay out of the
// tab order.
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".table-wrap");
  if (!boxes.length) return;
  var counter = 0;
  function labelFor(box) {
    var caption = box.querySelector("caption");
    var node = caption;
    if (!node) {
      var headings = document.querySelectorAll("main h1, main h2, main h3, main h4");
      for (var i = 0; i < headings.length; i++) {
        if (headings[i].compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) node = headings[i];
      }
    }
    if (!node) return;
    if (!node.id) node.id = "table-label-" + (++counter);
    box.setAttribute("aria-labelledby", node.id);
  }
  function update() {
    boxes.forEach(function (box) {
      // A box with links or fields inside is scrolled by tabbing to them.
      var scrolls = box.scrollWidth > box.clientWidth + 1 &&
        !box.querySelector("a[href], button, input, select, textarea, summary, [tabindex]");
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.dataset.madeRegion = "1";
        labelFor(box);
      } else if (!scrolls && box.dataset.madeRegion) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-labelledby");
        delete box.dataset.madeRegion;
      }
    });
  }
  update();
  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(update, 150);
  });
})();

// A page following a background job (data-follow="seconds" on a box with an id)
// fetches itself again and replaces that box, instead of a <meta refresh> that
// reloads the page, loses the reading position and cannot be stopped (WCAG
// 2.2.1, 2.2.2). The box's pause button stops and resumes it; the updates end
// when the fresh page no longer follows anything (the job has ended).
(function () {
  "use strict";
  var box = document.querySelector("[data-follow][id]");
  if (!box || !window.fetch || !window.DOMParser) return;
  var seconds = parseInt(box.dataset.follow, 10) || 3;
  var paused = false, timer;
  var button = box.querySelector("[data-follow-pause]");
  var pauseLabel = button ? button.textContent : "";
  function schedule() { timer = setTimeout(tick, seconds * 1000); }
  function tick() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html || paused) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(box.id);
        if (!fresh) return;
        var status = box.querySelector("[role=status]");
        var freshStatus = fresh.querySelector("[role=status]");
        // the live region stays the same node, so its new words are announced
        Array.prototype.slice.call(box.children).forEach(function (child) {
          if (child !== status && !child.contains(button)) box.removeChild(child);
        });
        Array.prototype.slice.call(fresh.children).forEach(function (child) {
          if (child.matches("[role=status]") || child.querySelector("[data-follow-pause]")) return;
          box.appendChild(document.importNode(child, true));
        });
        if (status && freshStatus) status.innerHTML = freshStatus.innerHTML;
        if (fresh.hasAttribute("data-follow")) schedule();
        else if (button) button.parentNode.removeChild(button);
      })
      .catch(schedule);
  }
  if (button) {
    button.addEventListener("click", function () {
      paused = !paused;
      button.textContent = paused ? button.dataset.resumeLabel : pauseLabel;
      clearTimeout(timer);
      if (!paused) tick();
    });
  }
  schedule();
})();

// Print buttons (no inline handlers: the Content-Security-Policy forbids them).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

// Idle sign-out (staff, and people at a public terminal: the library's kiosk or an
// infomat). The server signs the user out after data-idle-timeout seconds without
// a request; activity on the page (typing a whole grade sheet without saving, say)
// keeps the session alive with at most one request a minute, and
// data-idle-warning seconds before the end a notice offers to stay (its button
// or Escape). On an infomat the notice counts down and the end replaces the page
// with the terminal's reset, which clears everything (portal/terminal.py).
(function () {
  "use strict";
  var body = document.body;
  var timeout = parseInt(body.dataset.idleTimeout || "0", 10) * 1000;
  var box = document.getElementById("idle-warning");
  if (!timeout || !box || !window.fetch) return;
  var warnBefore = parseInt(body.dataset.idleWarning || "0", 10) * 1000;
  var stay = box.querySelector("[data-idle-stay]");
  var countdown = box.querySelector("[data-idle-countdown]");
  var infomat = body.hasAttribute("data-infomat");
  var lastPing = Date.now();
  var warnTimer, endTimer, tickTimer, endsAt;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function end() {
    var url = body.dataset.idleEndUrl || window.location.href;
    if (infomat) window.location.replace(url);
    else window.location.assign(url);
  }
  function ping() {
    lastPing = Date.now();
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.status !== 204) end();
    }).catch(function () {});
  }
  function tick() {
    if (countdown) countdown.textContent = String(Math.max(0, Math.ceil((endsAt - Date.now()) / 1000)));
  }
  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tickTimer);
    endsAt = Date.now() + timeout + 2000;
    warnTimer = setTimeout(function () {
      box.hidden = false;
      tick();
      tickTimer = setInterval(tick, 1000);
      stay.focus();
    }, Math.max(0, timeout - warnBefore));
    endTimer = setTimeout(end, timeout + 2000);
  }
  function activity() {
    if (!box.hidden) return; // once warned, only the button keeps the session
    if (Date.now() - lastPing > 60000) {
      ping();
      schedule();
    }
  }
  function keep() {
    box.hidden = true;
    ping();
    schedule();
  }
  stay.addEventListener("click", keep);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !box.hidden) keep();
  });
  ["keydown", "pointerdown", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true });
  });
  schedule();
})();

// Infomat: after the reset (data-infomat-cleared) the browser's own storage is
// emptied too; a page the Back button brings back comes with its forms emptied,
// and one kept in the back-forward cache from before the reset is replaced.
(function () {
  "use strict";
  var body = document.body;
  if (!body.hasAttribute("data-infomat")) return;
  var loadedAt = Date.now();
  var KEY = "infomat-cleared-at";
  if (body.hasAttribute("data-infomat-cleared")) {
    try {
      window.sessionStorage.clear();
      window.localStorage.clear();
      window.localStorage.setItem(KEY, String(loadedAt));
    } catch (e) { /* storage disabled: nothing to clear */ }
    window.history.replaceState(null, "", window.location.pathname);
  }
  window.addEventListener("pageshow", function (event) {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    var fromHistory = event.persisted || (entries[0] && entries[0].type === "back_forward");
    if (!fromHistory) return;
    var cleared = 0;
    try { cleared = parseInt(window.localStorage.getItem(KEY) || "0", 10); } catch (e) { cleared = 0; }
    if (event.persisted && cleared > loadedAt && body.dataset.idleEndUrl) {
      window.location.replace(body.dataset.idleEndUrl);
      return;
    }
    document.querySelectorAll("form").forEach(function (form) { form.reset(); });
  });
})();
