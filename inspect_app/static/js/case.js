/* The case page's small map: where the building is. */
"use strict";
(function () {
  var box = document.getElementById("case-map");
  if (!box || !window.L) return;
  var at = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
  var text = function (id) { var t = document.getElementById(id); return t ? t.content.textContent.trim() : ""; };
  var map = L.map(box, {zoomControl: false}).setView(at, 17);
  L.control.zoom({zoomInTitle: text("msg-zoom-in"), zoomOutTitle: text("msg-zoom-out")}).addTo(map);
  if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution}).addTo(map);
  L.marker(at).addTo(map);
})();
