/* The ended patrol's small map: the route, the track's segments (gaps stay empty) and the stretches
   of the route the track did not cover. */
"use strict";
(function () {
  var box = document.getElementById("patrol-map");
  if (!box || !window.L) return;
  var text = function (id) { var t = document.getElementById(id); return t ? t.content.textContent.trim() : ""; };
  var map = L.map(box, {zoomControl: false});
  L.control.zoom({zoomInTitle: text("msg-zoom-in"), zoomOutTitle: text("msg-zoom-out")}).addTo(map);
  if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution}).addTo(map);
  var styles = {
    route: {color: "#555", weight: 4, opacity: 0.6, dashArray: "6 6"},
    track: {color: "#1d6b2f", weight: 4, opacity: 0.9},
    uncovered: {color: "#c0392b", weight: 6, opacity: 0.8},
  };
  fetch(box.dataset.geojson, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { return r.json(); })
    .then(function (collection) {
      var drawn = {};
      ["route", "uncovered", "track"].forEach(function (kind) {
        var features = collection.features.filter(function (f) { return f.properties.kind === kind && f.geometry; });
        drawn[kind] = features.length;
        if (features.length) L.geoJSON({type: "FeatureCollection", features: features}, {style: styles[kind]}).addTo(map);
      });
      var all = L.geoJSON(collection);
      map.fitBounds(all.getBounds(), {padding: [12, 12]});
      box.dataset.drawn = JSON.stringify(drawn);
    });
})();
