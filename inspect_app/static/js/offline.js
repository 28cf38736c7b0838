/* Loaded on every page. For an inspector: installs the service worker (the field pages then open
   with no network) and gives start-patrol forms a fresh identifier, since a page may come from the
   phone's copy. Logged out: removes the kept pages, which hold the last user's work. */
"use strict";
(function () {
  var who = document.documentElement.dataset.fieldUser;
  if (!("serviceWorker" in navigator) || !window.caches) return;
  if (who === "1") {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).then(function () {
      // The routes are kept with the pages (through the worker), for the field pages with no network.
      if (navigator.serviceWorker.controller && navigator.onLine && !sessionStorage.getItem("inspect.routes")) {
        fetch("/api/routes.geojson", {credentials: "same-origin"}).then(function () { sessionStorage.setItem("inspect.routes", "1"); });
      }
    }).catch(function () { /* the app works without it */ });
    document.querySelectorAll("form[data-fresh-uuid] input[name=client_uuid]").forEach(function (input) {
      if (window.Field) input.value = Field.uuid();
      else if (window.crypto && crypto.randomUUID) input.value = crypto.randomUUID();
    });
  } else if (who === "0") {
    caches.keys().then(function (names) {
      names.filter(function (n) { return /^(pages|data)-/.test(n); }).forEach(function (n) { caches.delete(n); });
    });
  }
})();
