{% autoescape off %}/* 智慧人大 service worker (renda/core/views/pwa.py).

   Rules, checked by renda/core/tests/test_pwa.py:
   1. Only GET requests of this site under the static prefix are cached (stale while
      revalidate), and only answers that are ok, of this origin and not marked no-store.
   2. The offline page is cached once, fetched without cookies, so it holds nobody's data.
   3. Every other request, every page a user is logged in to above all, goes to the network
      and is never stored; a page that cannot be fetched shows the offline page instead. */
"use strict";

const CONFIG = {{ config }};
const CACHE = "renda-static-" + CONFIG.version;

function isStatic(request) {
  const url = new URL(request.url);
  return (
    request.method === "GET" &&
    url.origin === self.location.origin &&
    url.pathname.startsWith(CONFIG.staticPrefix)
  );
}

function storable(response) {
  const control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return response.ok && response.type === "basic" && !control.includes("no-store");
}

async function fetchAndKeep(request) {
  const response = await fetch(request);
  if (storable(response)) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    CONFIG.precache.map((url) => fetchAndKeep(new Request(url)).catch(() => null))
  );
  const offline = await fetch(CONFIG.offlineUrl, { credentials: "omit" });
  if (offline.ok) {
    await cache.put(CONFIG.offlineUrl, offline);
  }
}

async function staticFirst(event) {
  const cached = await caches.match(event.request);
  const fresh = fetchAndKeep(event.request);
  if (cached) {
    event.waitUntil(fresh.catch(() => null));
    return cached;
  }
  return fresh;
}

async function networkOrOffline(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const offline = await caches.match(CONFIG.offlineUrl);
    return offline || Response.error();
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("renda-") && name !== CACHE)
            .map((name) => caches.delete(name))
        )
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (isStatic(request)) {
    event.respondWith(staticFirst(event));
  } else if (request.mode === "navigate" && request.method === "GET") {
    event.respondWith(networkOrOffline(request));
  }
  // Anything else is left to the browser: fetched from the network, never stored here.
});
{% endautoescape %}
