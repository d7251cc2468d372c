// Kiosk: sign the reader out after the idle time (the server enforces it too).
(function () {
  var box = document.querySelector(".kiosk");
  var form = document.getElementById("kiosk-end");
  if (!box || !form) return;
  var idle = parseInt(box.dataset.idle, 10) * 1000;
  var timer;
  function reset() {
    clearTimeout(timer);
    timer = setTimeout(function () { form.submit(); }, idle);
  }
  ["click", "keydown", "touchstart", "mousemove"].forEach(function (e) {
    document.addEventListener(e, reset, { passive: true });
  });
  reset();
})();
