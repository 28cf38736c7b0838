/* Service worker (served at <app>/sw.js, scope <app>/): keeps the inspector's pages, their scripts and
   styles, the routes and the open cases' positions, so that after one visit online the field pages open
   with no network. Writes (POST) are never cached or replayed here: they go through the page.
   What it keeps and where comes first in the file as served, as data: self.KEPT (main/service_worker.py),
   URLs from url_for (the app may be mounted under a prefix) and the cache version, a digest of the kept
   files' bytes: a changed file gives a new version, so phones take the new copies. */
"use strict";
var KEPT = self.KEPT;
var VERSION = KEPT.version;
var SHELL = "shell-" + VERSION, PAGES = "pages-" + VERSION, DATA = "data-" + VERSION;

/* A field page: the home page, or one under the field pages' folder. */
function isFieldPage(path) { return path === KEPT.home || path.indexOf(KEPT.fieldRoot) === 0; }

/* A file the worker keeps a copy of: the app's static files, the vendored libraries, the manifest. */
function isFile(path) {
  return path === KEPT.manifest || KEPT.fileRoots.some(function (root) { return path.indexOf(root) === 0; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(KEPT.files.map(function (url) { return new Request(url, {cache: "reload"}); }));
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
      '<title>Không có mạng</title><link rel="stylesheet" href="' + KEPT.stylesheet + '"><main class="page" id="offline-page">' +
      "<h1>Không có mạng</h1><p>Trang này chưa được mở khi có mạng nên chưa có trên điện thoại. " +
      'Các trang đã mở trước đó vẫn dùng được. <a href="' + KEPT.today + '">Hôm nay của tôi</a></p></main>',
      {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
  }
  return new Response(JSON.stringify({error: "Không có mạng."}),
                      {status: 503, headers: {"Content-Type": "application/json"}});
}

function keepFieldData() {
  return caches.open(DATA).then(function (cache) {
    return Promise.all(KEPT.data.map(function (path) {
      return fetch(path, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(path, response);
      }, function () { /* kept at the next chance */ });
    }));
  });
}

/* Fetch the field pages (with the inspector's cookie) into the page store; resolves with how many. */
function keepFieldPages() {
  keepFieldData();
  return caches.open(PAGES).then(function (cache) {
    return Promise.all(KEPT.pages.map(function (path) {
      return fetch(path, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
        // A redirect is the login page (session over): never keep it in place of a field page.
        if (!response.ok || response.redirected) return 0;
        return cache.put(path, response).then(function () { return 1; });
      }, function () { return 0; });
    }));
  }).then(function (kept) { return kept.reduce(function (a, b) { return a + b; }, 0); });
}

self.addEventListener("message", function (event) {
  if (!event.data) return;
  if (event.data.type === "version" && event.source) {
    event.source.postMessage({type: "version", version: VERSION});
  } else if (event.data.type === "keep-field-pages") {
    event.waitUntil(keepFieldPages().then(function (count) {
      if (event.source) event.source.postMessage({type: "field-pages-kept", count: count, of: KEPT.pages.length});
    }));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isFieldPage(url.pathname)) {
    event.respondWith(networkFirst(request, PAGES));
  } else if (isFile(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (KEPT.data.indexOf(url.pathname) >= 0) {
    event.respondWith(networkFirst(request, DATA));
  }
});
