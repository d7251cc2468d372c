/* Portal Oświatowy: the service worker (served from /sw.js, so its scope is the
   whole site). It shows push notifications, opens their link when clicked, and
   shows the stored offline page when a page cannot be loaded.
   Source: webpush/templates/webpush/sw.js, configuration from webpush/views.py. */
"use strict";

const CONFIG = {{ config|safe }};
const CACHE = "portal-" + CONFIG.version;

self.addEventListener("install", (event) => {
  // Stored as for a visitor (no cookies): the offline page holds nobody's data.
  // A file that cannot be fetched does not stop the worker (push still works).
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) =>
        Promise.all(
          CONFIG.precache.map((url) =>
            fetch(url, { credentials: "omit", cache: "reload" })
              .then((response) => (response.ok ? cache.put(url, response) : null))
              .catch(() => null)
          )
        )
      )
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("portal-") && key !== CACHE)
            .map((key) => caches.delete(key))
        )
      )
      .then(() => self.clients.claim())
  );
});

function fromCache(url) {
  return caches
    .match(url, { ignoreVary: true, ignoreSearch: true })
    .then((response) => response || Response.error());
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => fromCache(CONFIG.offline)));
    return;
  }
  const url = new URL(request.url);
  if (url.origin === self.location.origin && CONFIG.precache.includes(url.pathname)) {
    event.respondWith(fetch(request).catch(() => fromCache(url.pathname)));
  }
});

// Only the portal's own addresses are opened from a notification.
function targetUrl(url) {
  const fallback = new URL(CONFIG.startUrl, self.location.origin).href;
  try {
    const target = new URL(url || CONFIG.startUrl, self.location.origin);
    return target.origin === self.location.origin ? target.href : fallback;
  } catch (error) {
    return fallback;
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch (error) {
      data = { body: event.data.text() };
    }
  }
  const options = {
    body: data.body || "",
    icon: CONFIG.icon,
    lang: "pl",
    data: { url: targetUrl(data.url) },
  };
  if (data.tag) {
    options.tag = data.tag;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(data.title || CONFIG.name, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = targetUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === target && "focus" in client);
      if (open) return open.focus();
      return self.clients.openWindow(target);
    })
  );
});
