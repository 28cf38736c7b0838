/* The import preview's map: the file's lines (and boundary) over the ward's current ones. */
"use strict";
(function () {
  var box = document.getElementById("import-map");
  if (!box || !window.L) return;
  var map = L.map(box);
  if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution}).addTo(map);
  var imported = JSON.parse(box.dataset.geojson);
  fetch(PageUrls.get("routes"), {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (current) {
    L.geoJSON(current, {style: {color: "#888", weight: 2, dashArray: "4 4"}}).addTo(map);
  }).catch(function () { /* the file alone is still shown */ });
  var layer = L.geoJSON(imported, {style: {color: "#c0392b", weight: 5}}).addTo(map);
  map.fitBounds(layer.getBounds(), {padding: [16, 16]});
  box.dataset.drawn = String(imported.features.length);
})();
