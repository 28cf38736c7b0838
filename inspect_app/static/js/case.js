/* The case page's small map: where the building is. */
"use strict";
(function () {
  var box = document.getElementById("case-map");
  if (!box || !window.L) return;
  var at = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
  var map = L.map(box).setView(at, 17);
  if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution}).addTo(map);
  L.marker(at).addTo(map);
})();
