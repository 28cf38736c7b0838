/* The installed app's badge (Badging API, where the phone supports it): the number of things to do
   that the home page and My day put in <meta name="app-badge">; cleared once nobody is logged in. */
"use strict";
(function () {
  if (!("setAppBadge" in navigator)) { return; }
  var loggedIn = document.documentElement.getAttribute("data-username");
  var meta = document.querySelector('meta[name="app-badge"]');
  var ignore = function () { /* not installed, or not allowed: the page itself shows the numbers */ };
  if (!loggedIn) {
    navigator.clearAppBadge().catch(ignore);
    return;
  }
  if (!meta) { return; }
  var count = parseInt(meta.getAttribute("content"), 10);
  if (isNaN(count) || count < 0) { return; }
  (count > 0 ? navigator.setAppBadge(count) : navigator.clearAppBadge()).catch(ignore);
}());
