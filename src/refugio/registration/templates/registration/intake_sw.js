{% load static %}// Keeps the intake page available without a connection. Submissions are not handled here:
// the page queues them in IndexedDB and sends them itself (intake.js).
const SHELL = ["/intake/", "{% static 'refugio/refugio.css' %}", "{% static 'refugio/intake.js' %}", "{% static 'refugio/htmx.min.js' %}", "{% static 'refugio/staff.js' %}"];
const CACHE = "refugio-intake-" + SHELL.join("|").length + "-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("refugio-intake-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/intake/") {
    // Network first, so a signed-out or changed page is never served stale while online.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put("/intake/", copy));
          }
          return response;
        })
        .catch(() => caches.match("/intake/"))
    );
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});
