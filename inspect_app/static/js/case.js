/* The case page's maps: where the building is, and, for a case reported with its position
   unknown, the map on which the officer places it (pin by hand, or the phone's GPS). */
"use strict";
(function () {
  var text = function (id) { var t = document.getElementById(id); return t ? t.content.textContent.trim() : ""; };

  function baseMap(box, at, zoom) {
    var map = L.map(box, {zoomControl: false}).setView(at, zoom);
    L.control.zoom({zoomInTitle: text("msg-zoom-in"), zoomOutTitle: text("msg-zoom-out")}).addTo(map);
    if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution}).addTo(map);
    return map;
  }

  var box = document.getElementById("case-map");
  if (box && window.L) {
    var at = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
    L.marker(at).addTo(baseMap(box, at, 17));
  }

  var placeBox = document.getElementById("place-map");
  if (!placeBox || !window.L) return;
  var lonField = document.getElementById("place-lon"), latField = document.getElementById("place-lat");
  var status = document.getElementById("place-status");
  var centre = JSON.parse(placeBox.dataset.centre);
  var map = baseMap(placeBox, centre, 15);
  // Pale at the ward's centre until the officer puts it somewhere: the centre is not a position.
  var pin = L.marker(centre, {draggable: true, autoPan: true, opacity: 0.45}).addTo(map);

  function place(lat, lon, accuracy, moveMap) {
    latField.value = lat.toFixed(7);
    lonField.value = lon.toFixed(7);
    pin.setLatLng([lat, lon]);
    pin.setOpacity(1);
    if (moveMap) map.setView([lat, lon], 18);
    status.textContent = text("msg-place-chosen") + ": " + lat.toFixed(6) + ", " + lon.toFixed(6) +
      (accuracy ? " (GPS ± " + Math.round(accuracy) + " m)" : "");
    status.dataset.placed = "1";
  }

  // A form sent back with an error keeps the pin where it was.
  if (latField.value && lonField.value) place(parseFloat(latField.value), parseFloat(lonField.value), null, true);
  pin.on("dragend", function () { var p = pin.getLatLng(); place(p.lat, p.lng, null, false); });
  map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, null, false); });

  document.getElementById("place-gps").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = text("msg-place-gps-failed"); return; }
    status.textContent = text("msg-place-gps-wait");
    navigator.geolocation.getCurrentPosition(function (pos) {
      place(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy, true);
    }, function () { status.textContent = text("msg-place-gps-failed"); },
    {enableHighAccuracy: true, timeout: 20000, maximumAge: 0});
  });

  // The map sits in a folded section: Leaflet measures it again when the section opens.
  var section = placeBox.closest("details");
  if (section) section.addEventListener("toggle", function () { if (section.open) map.invalidateSize(); });
})();
