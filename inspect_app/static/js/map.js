/* The chairman's map: cases for the visible area from /api/violations.geojson, one clustered
   layer per stage, a heatmap, overdue cases ringed in red, a legend, "locate me" and full screen.
   Every text a user typed is put on the page with textContent, never as HTML. */
"use strict";
var InspectMap = (function () {
  var state = {groups: {}, heat: null, loaded: 0, requests: 0};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function popup(p, labels) {
    var box = el("div", "case-popup");
    box.appendChild(el("strong", "", p.code));
    box.appendChild(el("div", "", [p.address, p.khu_vuc].filter(Boolean).join(", ")));
    box.appendChild(el("div", "", p.category_label));
    box.appendChild(el("div", "", p.stage_label));
    if (p.due_date) {
      var due = el("div", p.overdue ? "overdue-text" : "", labels.due + ": " + p.due_date.split("-").reverse().join("/") +
        (p.due_forecast ? " (" + labels.forecast + ")" : "") + (p.overdue ? " · " + labels.overdue : ""));
      box.appendChild(due);
    }
    if (p.thumb_url) {
      var img = el("img", "thumb");
      img.src = p.thumb_url; img.alt = "";
      box.appendChild(img);
    }
    var link = el("a", "", labels.open);
    link.href = p.url;
    box.appendChild(link);
    return box;
  }

  function control(position, build) {
    var Ctl = L.Control.extend({options: {position: position}, onAdd: build});
    return new Ctl();
  }

  function button(label, symbol, onClick) {
    var b = el("button", "map-button", symbol);
    b.type = "button"; b.title = label; b.setAttribute("aria-label", label);
    L.DomEvent.disableClickPropagation(b);
    b.addEventListener("click", onClick);
    return b;
  }

  // Folium only knows neutral keys for the layers made on the server (its output is compiled as
  // a template): the names, which come from the database, are put in here as text.
  function nameLayers(layerControl, names) {
    layerControl._layers.forEach(function (entry) {
      if (Object.prototype.hasOwnProperty.call(names, entry.name)) {
        entry.name = el("span", "", names[entry.name]).outerHTML;
      }
    });
    layerControl._update();
  }

  function init(map, layerControl, cfg) {
    var colours = {};
    nameLayers(layerControl, cfg.layerNames || {});
    cfg.stages.forEach(function (s) {
      colours[s.key] = s.colour;
      var group = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45});
      state.groups[s.key] = group;
      group.addTo(map);
      layerControl.addOverlay(group, el("span", "", s.label).outerHTML);
    });
    state.heat = L.heatLayer([], {radius: 22, blur: 18});
    layerControl.addOverlay(state.heat, el("span", "", cfg.labels.heat).outerHTML);

    control("bottomright", function () {
      var box = el("div", "map-legend");
      cfg.stages.forEach(function (s) {
        var row = el("div"); var dot = el("span", "dot"); dot.style.background = s.colour;
        row.appendChild(dot); row.appendChild(el("span", "", s.label)); box.appendChild(row);
      });
      var late = el("div"); var ring = el("span", "dot overdue-dot"); late.appendChild(ring);
      late.appendChild(el("span", "", cfg.labels.overdue)); box.appendChild(late);
      return box;
    }).addTo(map);

    control("topleft", function () {
      var box = el("div", "leaflet-bar map-tools");
      box.appendChild(button(cfg.labels.locate, "◎", function () {
        if (!navigator.geolocation) return;
        navigator.geolocation.getCurrentPosition(function (pos) {
          var at = [pos.coords.latitude, pos.coords.longitude];
          if (state.me) map.removeLayer(state.me);
          state.me = L.circle(at, {radius: Math.max(pos.coords.accuracy, 10), color: "#0b5394"}).addTo(map);
          map.setView(at, 17);
        });
      }));
      box.appendChild(button(cfg.labels.fullscreen, "⤢", function () {
        var target = map.getContainer();
        if (document.fullscreenElement) document.exitFullscreen();
        else if (target.requestFullscreen) target.requestFullscreen();
      }));
      return box;
    }).addTo(map);
    document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });

    var timer = null;
    function load() {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
      var url = cfg.dataUrl + "?bbox=" + bbox + (cfg.filterQuery ? "&" + cfg.filterQuery : "");
      var request = ++state.requests;
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (r) {
        if (!r.ok) throw new Error("the cases' request answered " + r.status);
        return r.json();
      }).then(function (data) {
        if (request !== state.requests) return;  // a later request (the map moved again) decides
        Object.keys(state.groups).forEach(function (k) { state.groups[k].clearLayers(); });
        var heat = [], byStage = {};
        data.features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates, at = [c[1], c[0]];
          var marker = L.circleMarker(at, {
            radius: 9, fillColor: colours[p.stage] || "#999", fillOpacity: 0.95,
            color: p.overdue ? "#b00000" : "#222", weight: p.overdue ? 4 : 1.5,
          });
          marker.feature = f;
          marker.bindPopup(function () { return popup(p, cfg.labels); });
          (byStage[p.stage] = byStage[p.stage] || []).push(marker);
          heat.push([at[0], at[1], p.overdue ? 1 : 0.6]);
        });
        Object.keys(byStage).forEach(function (k) { if (state.groups[k]) state.groups[k].addLayers(byStage[k]); });
        state.heat.setLatLngs(heat);
        state.loaded = data.features.length;
        showNote(data.truncated ? cfg.labels.truncated : "", false);
        document.getElementById("ward-map").dataset.loaded = String(state.loaded);
      }).catch(function () {
        // No network, a server fault or a logged-out session: the markers on the map are not this view's
        // cases. Said plainly, instead of leaving a map that looks up to date.
        if (request !== state.requests) return;
        showNote(cfg.labels.loadFailed, true);
      });
    }

    function showNote(message, failed) {
      var note = document.getElementById("map-note");
      note.textContent = message;
      note.className = failed ? "flash flash-error" : "note";
      note.setAttribute("role", failed ? "alert" : "status");
      if (failed) document.getElementById("ward-map").dataset.loadFailed = "1";
      else delete document.getElementById("ward-map").dataset.loadFailed;
    }
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(load, 250); });
    load();
    state.map = map;
    return state;
  }

  return {init: init, state: state};
})();
