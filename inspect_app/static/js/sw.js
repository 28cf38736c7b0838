/* Service worker (served at /sw.js, scope /): keeps the inspector's pages, their scripts and styles,
   the routes and the open cases' positions, so that after one visit online the field pages open
   with no network. Writes (POST) are never cached or replayed here: they go through the page. */
"use strict";
var VERSION = "v8";  // raise with every change to a kept file, so phones take the new one
var SHELL = "shell-" + VERSION, PAGES = "pages-" + VERSION, DATA = "data-" + VERSION;
var SHELL_FILES = [
  "/static/css/app.css", "/static/js/field.js", "/static/js/patrol.js", "/static/js/report.js",
  "/static/js/offline.js", "/static/js/outbox.js", "/static/js/tracker.js", "/static/icons/icon.svg", "/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css",
  "/vendor/npm/exifr/mini.umd.js", "/static/js/patrol_summary.js",
  "/manifest.webmanifest",
];
var PAGE_PATHS = [/^\/$/, /^\/field\//];
// Every page a day in the field needs, kept as soon as an inspector has opened any page online,
// so that the first tap with no network (start a patrol, report, visit) already works.
var FIELD_PAGES = ["/", "/field/live", "/field/report", "/field/visit", "/field/today"];
// The open cases with their positions are kept (not the last nearby answer, which was about another
// place): with no network the phone computes the nearby cases itself from this list (report.js).
var DATA_PATHS = [/^\/api\/routes\.geojson$/, /^\/api\/violations\/open\.json$/];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(SHELL_FILES.map(function (url) { return new Request(url, {cache: "reload"}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  var keep = [SHELL, PAGES, DATA];
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return keep.indexOf(n) < 0; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function onlyPatrolParameters(url) {
  var ok = true;
  url.searchParams.forEach(function (_, key) { if (key !== "patrol" && key !== "patrol_uuid") ok = false; });
  return ok;
}

function matches(patterns, path) {
  return patterns.some(function (p) { return p.test(path); });
}

/* The network first; what it answered is kept; with no network, the kept answer. */
function networkFirst(request, cacheName) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(cacheName).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    return caches.open(cacheName).then(function (cache) {
      return cache.match(request).then(function (hit) {
        if (hit) return hit;
        // A page opened before with other patrol parameters is the same page (its script reads them);
        // a page for one case (?case=…) is not the page for another.
        if (request.mode === "navigate" && onlyPatrolParameters(new URL(request.url))) {
          return cache.match(request, {ignoreSearch: true});
        }
        return undefined;
      });
    }).then(function (hit) { return hit || offlineAnswer(request); });
  });
}

/* Files: the kept copy at once, refreshed in the background when the network is there. */
function cacheFirst(request) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var refresh = fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
      return hit || refresh;
    });
  });
}

function offlineAnswer(request) {
  if (request.mode === "navigate") {
    return new Response(
      '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
      '<title>Không có mạng</title><link rel="stylesheet" href="/static/css/app.css"><main class="page" id="offline-page">' +
      "<h1>Không có mạng</h1><p>Trang này chưa được mở khi có mạng nên chưa có trên điện thoại. " +
      'Các trang đã mở trước đó vẫn dùng được. <a href="/field/today">Hôm nay của tôi</a></p></main>',
      {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
  }
  return new Response(JSON.stringify({error: "Không có mạng."}),
                      {status: 503, headers: {"Content-Type": "application/json"}});
}

/* Fetch the field pages (with the inspector's cookie) into the page store; resolves with how many. */
var FIELD_DATA = ["/api/routes.geojson", "/api/violations/open.json"];

function keepFieldData() {
  return caches.open(DATA).then(function (cache) {
    return Promise.all(FIELD_DATA.map(function (path) {
      return fetch(path, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(path, response);
      }, function () { /* kept at the next chance */ });
    }));
  });
}

function keepFieldPages() {
  keepFieldData();
  return caches.open(PAGES).then(function (cache) {
    return Promise.all(FIELD_PAGES.map(function (path) {
      return fetch(path, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
        // A redirect is the login page (session over): never keep it in place of a field page.
        if (!response.ok || response.redirected) return 0;
        return cache.put(path, response).then(function () { return 1; });
      }, function () { return 0; });
    }));
  }).then(function (kept) { return kept.reduce(function (a, b) { return a + b; }, 0); });
}

self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "keep-field-pages") return;
  event.waitUntil(keepFieldPages().then(function (count) {
    if (event.source) event.source.postMessage({type: "field-pages-kept", count: count, of: FIELD_PAGES.length});
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && matches(PAGE_PATHS, url.pathname)) {
    event.respondWith(networkFirst(request, PAGES));
  } else if (/^\/(static|vendor)\//.test(url.pathname) || url.pathname === "/manifest.webmanifest") {
    event.respondWith(cacheFirst(request));
  } else if (matches(DATA_PATHS, url.pathname)) {
    event.respondWith(networkFirst(request, DATA));
  }
});
