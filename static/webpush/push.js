// Web Push and the installable portal (webpush/): registers the service worker
// (/sw.js: offline page, notifications) on every page and, on the page
// "Urządzenia z powiadomieniami push", turns push on or off for this browser.
// Without JavaScript or support the page explains why nothing can be done.
(function () {
  "use strict";
  var script = document.currentScript;
  var workerUrl = script && script.getAttribute("data-service-worker");
  var registration = null;
  if (workerUrl && "serviceWorker" in navigator) {
    registration = navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(function () {
      return null; // e.g. a staff member still setting up 2FA: pages work without it
    });
  }

  var box = document.querySelector("[data-push-device]");
  if (!box) return;
  var enable = box.querySelector("[data-push-enable]");
  var disable = box.querySelector("[data-push-disable]");

  function say(name) {
    box.querySelectorAll("[data-push-message]").forEach(function (p) {
      p.hidden = p.getAttribute("data-push-message") !== name;
    });
  }

  function isApple() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function installed() {
    return window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  }

  function keyBytes(base64url) {
    var base64 = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function post(url, body) {
    var token = box.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response;
    });
  }

  function markThisDevice(subscription) {
    if (!subscription || !window.crypto || !window.crypto.subtle) return Promise.resolve(false);
    var data = new TextEncoder().encode(subscription.endpoint);
    return window.crypto.subtle.digest("SHA-256", data).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      var row = document.querySelector("[data-endpoint-hash='" + hex + "']");
      if (row) row.querySelector("[data-this-device]").hidden = false;
      return Boolean(row);
    });
  }

  var supported = registration && "PushManager" in window && "Notification" in window;
  if (!supported) {
    say(isApple() && !installed() ? "apple" : "unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    say("denied");
    return;
  }

  var ready = registration.then(function (registered) {
    if (!registered) throw new Error("no worker");
    return navigator.serviceWorker.ready;
  });
  ready.then(function (worker) {
    return worker.pushManager.getSubscription();
  }).then(function (subscription) {
    return markThisDevice(subscription).then(function (known) {
      if (subscription && known) {
        say("on");
        disable.hidden = false;
      } else {
        say("ready");
        enable.hidden = false;
      }
    });
  }).catch(function () {
    say("error");
  });

  enable.addEventListener("click", function () {
    enable.disabled = true;
    say("working");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        throw new Error(permission === "denied" ? "denied" : "dismissed");
      }
      return ready;
    }).then(function (worker) {
      return worker.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.getAttribute("data-public-key"))
      });
    }).then(function (subscription) {
      return post(box.getAttribute("data-subscribe-url"), subscription.toJSON());
    }).then(function () {
      window.location.reload();
    }).catch(function (error) {
      enable.disabled = false;
      say(error && error.message === "denied" ? "denied" :
        error && error.message === "dismissed" ? "ready" : "error");
    });
  });

  disable.addEventListener("click", function () {
    disable.disabled = true;
    ready.then(function (worker) {
      return worker.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return null;
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(box.getAttribute("data-unsubscribe-url"), { endpoint: endpoint });
      });
    }).then(function () {
      window.location.reload();
    }).catch(function () {
      disable.disabled = false;
      say("error");
    });
  });
})();
