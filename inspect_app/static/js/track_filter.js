/* The live track's rules on the phone, the same as the server's (domain/tracks.py) for the live distance:
   a fix too imprecise is poor, a fix that would mean moving faster than the top speed is a GPS jump,
   a long silence or a long leap starts a new segment (the gap is not walked). Pure functions, shared by
   tracker.js in the browser and Node's tests (tests/js/). */
"use strict";
(function (root, factory) {
  if (typeof module !== "undefined" && module.exports) module.exports = factory();
  else root.TrackFilter = factory();
}(typeof self !== "undefined" ? self : this, function () {
  var EARTH_RADIUS_M = 6371008.8;

  /* Great-circle distance in metres between two [lon, lat] points. */
  function metres(a, b) {
    var toRad = Math.PI / 180;
    var dLat = (b[1] - a[1]) * toRad, dLon = (b[0] - a[0]) * toRad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  /* How a fix {t (ms), lon, lat, acc} counts after the last good one (or null), by the rules
     {accuracy (m), speed (m/s), gapS (s), gapM (m)}: {kind, walked}, kind one of
       good       on the track; walked = metres from the last good fix
       poor       accuracy worse than the limit: kept for the server, not on the track
       jump       faster than the top speed within a short time: a GPS jump, left out
       after-gap  after a long silence or a long leap: starts a new segment; walked = 0 */
  function classify(last, fix, rules) {
    if (fix.acc > rules.accuracy) return {kind: "poor", walked: 0};
    if (!last) return {kind: "good", walked: 0};
    var d = metres([last.lon, last.lat], [fix.lon, fix.lat]), s = Math.max(0.001, (fix.t - last.t) / 1000);
    if (d / s > rules.speed && s <= rules.gapS) return {kind: "jump", walked: 0};
    if (s > rules.gapS || d > rules.gapM) return {kind: "after-gap", walked: 0};
    return {kind: "good", walked: d};
  }

  /* Whether the fix becomes the last good one (the point the next distance is measured from). */
  function keepsPlace(kind) { return kind === "good" || kind === "after-gap"; }

  return {metres: metres, classify: classify, keepsPlace: keepsPlace};
}));
