/* Loaded for inspectors and once logged out (base.html). For an inspector: installs the service worker (the field pages then open
   with no network) and gives start-patrol forms a fresh identifier, since a page may come from the
   phone's copy. Logged out: removes the kept pages, which hold the last user's work. */
"use strict";
(function () {
  var who = document.documentElement.dataset.fieldUser;
  if (!("serviceWorker" in navigator) || !window.caches) return;
  if (who === "1") {
    navigator.serviceWorker.register(PageUrls.get("worker"), {scope: PageUrls.get("scope")}).then(function () {
      // The routes are kept with the pages (through the worker), for the field pages with no network.
      // So are the open cases' positions, for the nearby check with no network (refreshed by each report page).
      if (navigator.serviceWorker.controller && navigator.onLine && !sessionStorage.getItem("inspect.routes")) {
        Promise.all([PageUrls.get("routes"), PageUrls.get("openCases")].map(function (url) {
          return fetch(url, {credentials: "same-origin"});
        })).then(function () { sessionStorage.setItem("inspect.routes", "1"); });
      }
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // Every field page is kept from the first page opened online (refreshed at most every 10 minutes),
      // so the first tap with no network works, not only the pages opened before.
      var last = parseInt(sessionStorage.getItem("inspect.pagesKept") || "0", 10);
      if (!registration || !registration.active || !navigator.onLine || Date.now() - last < 600000) return;
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (!event.data || event.data.type !== "field-pages-kept") return;
        document.documentElement.dataset.pagesKept = String(event.data.count);
        if (event.data.count === event.data.of) sessionStorage.setItem("inspect.pagesKept", String(Date.now()));
      });
      registration.active.postMessage({type: "keep-field-pages"});
    }).catch(function () { /* the app works without it */ });
    document.querySelectorAll("form[data-fresh-uuid] input[name=client_uuid]").forEach(function (input) {
      if (window.Field) input.value = Field.uuid();
      else if (window.crypto && crypto.randomUUID) input.value = crypto.randomUUID();
    });
  } else if (who === "0") {
    sessionStorage.removeItem("inspect.pagesKept");  // the next person's pages are kept afresh
    caches.keys().then(function (names) {
      names.filter(function (n) { return /^(pages|data)-/.test(n); }).forEach(function (n) { caches.delete(n); });
    });
  }
})();
