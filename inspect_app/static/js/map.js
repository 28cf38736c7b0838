/* The chairman's map: every case matching the filters, loaded once from /api/map/cases.json (a compact
   layer: ids, positions, stages, overdue flags), clustered in the browser on a grid per zoom
   (grid_clusters.js), one layer per stage, so that each view's clusters carry their true counts and a
   pan or zoom needs no request. Clusters and single cases are circles on the map's canvas, overdue ones
   ringed in red (clusters with a red badge of their overdue cases); a popup asks for its case's details
   when opened. Also a heatmap, a legend with counts, "locate me" and full screen.
   Every text a user typed is put on the page with textContent, never as HTML. */
"use strict";
var InspectMap = (function () {
  var LAYER_FORMAT = 1;  // map_layer.LAYER_FORMAT
  var LIST_AT_MOST = 20;  // cases at one spot listed in its popup (the rest counted)
  var state = {layers: {}, indexes: {}, counts: {}, shown: {}, heatGroup: null, heatLayer: null, heatFilled: false, cases: null, failed: false,
    requests: 0, drawn: null};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // Whole numbers grouped by thousands with the locale's sign, given by the server (Babel): Intl's first
  // formatter costs tens of milliseconds here, before the first cases show. Also map_overview.js's.
  function number(n, separator) {
    return String(Math.round(Number(n))).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  }

  // Placeholders such as {shown} are replaced by numbers only: the translated sentence stays text.
  function sentence(template, values, separator) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return number(values[key], separator); });
  }

  function popupBody(p, labels) {
    var box = el("div", "case-popup");
    box.appendChild(el("strong", "", p.code));
    box.appendChild(el("div", "", [p.address, p.khu_vuc].filter(Boolean).join(", ")));
    box.appendChild(el("div", "", p.category_label));
    box.appendChild(el("div", "", p.stage_label));
    if (p.due_date) {
      box.appendChild(el("div", p.overdue ? "overdue-text" : "", labels.due + ": " + p.due_date.split("-").reverse().join("/") +
        (p.due_forecast ? " (" + labels.forecast + ")" : "") + (p.overdue ? " · " + labels.overdue : "")));
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

  function caseDetails(cfg, id) {
    return fetch(cfg.caseUrl.replace("/0.json", "/" + id + ".json"), {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error("the case's details answered " + r.status);
      return r.json();
    });
  }

  // A popup that says it is loading, then shows the case (or why it cannot).
  function openCase(map, cfg, id, at) {
    var box = el("div", "case-popup", cfg.labels.loading);
    var popup = L.popup({maxWidth: 260}).setLatLng(at).setContent(box).openOn(map);
    return caseDetails(cfg, id).then(function (p) {
      popup.setContent(popupBody(p, cfg.labels));
      return popup;
    }).catch(function () {
      box.textContent = cfg.labels.detailsFailed;
      return popup;
    });
  }

  // Cases at one spot (or too close to part at the deepest zoom): a list, each with its details.
  // ids: the first of them (up to 20 are listed), count: how many there are.
  function openList(map, cfg, ids, count, at) {
    var box = el("div", "case-popup case-list");
    box.appendChild(el("strong", "", sentence(cfg.labels.here, {n: count}, cfg.groupSeparator)));
    var list = el("ul");
    box.appendChild(list);
    L.popup({maxWidth: 280, maxHeight: 320}).setLatLng(at).setContent(box).openOn(map);
    ids.slice(0, LIST_AT_MOST).forEach(function (id) {
      var item = el("li", "", cfg.labels.loading);
      list.appendChild(item);
      caseDetails(cfg, id).then(function (p) {
        item.textContent = "";
        var link = el("a", "", p.code);
        link.href = p.url;
        item.appendChild(link);
        item.appendChild(el("span", p.overdue ? "overdue-text" : "", " · " + p.stage_label + (p.overdue ? " · " + cfg.labels.overdue : "")));
      }).catch(function () { item.textContent = cfg.labels.detailsFailed; });
    });
    if (count > LIST_AT_MOST) box.appendChild(el("div", "note", sentence(cfg.labels.more, {n: count - LIST_AT_MOST}, cfg.groupSeparator)));
  }

  // The heatmap's library (leaflet-heat.js), loaded the first time the heatmap is switched on: most visits
  // never do, and the page does not wait for it. Asked again after a failure.
  var heatLoading = null;
  function heatLibrary(url) {
    if (L.heatLayer) return Promise.resolve();
    if (!heatLoading) {
      heatLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = function () { heatLoading = null; script.remove(); reject(new Error("the heatmap's library did not load")); };
        document.head.appendChild(script);
      });
    }
    return heatLoading;
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
  // And the stages' layers added: the list is built once (each addOverlay would build it again).
  function nameLayers(layerControl, names, overlays) {
    layerControl._layers.forEach(function (entry) {
      if (Object.prototype.hasOwnProperty.call(names, entry.name)) {
        entry.name = el("span", "", names[entry.name]).outerHTML;
      }
    });
    overlays.forEach(function (pair) { layerControl._addLayer(pair[0], el("span", "", pair[1]).outerHTML, true); });
    layerControl._update();
  }

  // New names for some layers (the list is rebuilt once): [[layer, text], ...].
  function renameLayers(layerControl, pairs) {
    layerControl._layers.forEach(function (entry) {
      pairs.forEach(function (pair) { if (entry.layer === pair[0]) entry.name = el("span", "", pair[1]).outerHTML; });
    });
    layerControl._update();
  }

  /* The compact layer (map_layer.layer_json): id steps, micro-degrees from an origin, stage × 2 + overdue. */
  function decode(data) {
    var n = data.id.length, ids = new Array(n), lon = new Float64Array(n), lat = new Float64Array(n);
    var stage = new Uint8Array(n), late = new Uint8Array(n), id = 0;
    for (var i = 0; i < n; i++) {
      id += data.id[i]; ids[i] = id;
      lon[i] = (data.origin[0] + data.x[i]) / data.scale;
      lat[i] = (data.origin[1] + data.y[i]) / data.scale;
      stage[i] = data.k[i] >> 1; late[i] = data.k[i] & 1;
    }
    return {n: n, ids: ids, lon: lon, lat: lat, stage: stage, late: late, stages: data.stages,
      total: data.total, unplaced: data.unplaced};
  }

  // One index per stage (grid_clusters.js): a stage's layer toggles without touching the others.
  function buildIndexes(cases, options) {
    var members = {}, indexes = {}, counts = {};
    cases.stages.forEach(function (key) { members[key] = []; });
    for (var i = 0; i < cases.n; i++) members[cases.stages[cases.stage[i]]].push(i);
    Object.keys(members).forEach(function (key) {
      counts[key] = members[key].length;
      indexes[key] = new GridClusters(cases, members[key], options);
    });
    return {indexes: indexes, counts: counts};
  }

  // A cluster drawn on the map's canvas like the single cases (hundreds per view cost no page elements):
  // a circle in the stage's colour, its count on a white label, and a red ring and badge with the count
  // of overdue cases when there are some. Clicks reach it as any circle's do.
  var ClusterCircle = L.CircleMarker.extend({
    // The label and the badge reach beyond the circle: the canvas must clear and redraw that far too.
    _updateBounds: function () {
      var r = this._radius + this._clickTolerance(), reach = [r + 22, r + 14];
      this._pxBounds = new L.Bounds(this._point.subtract(reach), this._point.add(reach));
    },
    _updatePath: function () {
      var renderer = this._renderer, ctx = renderer._ctx, at = this._point, o = this.options;
      renderer._updateCircle(this);
      // Only in the renderer's drawing phase, as the circle itself: a marker added or moved outside it is
      // drawn at the next redraw, and text drawn before would be cleared then (twice the cost of a label).
      if (!renderer._drawing || !ctx || this._empty()) return;
      ctx.save();
      ctx.font = "700 12px system-ui, sans-serif";
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      label(ctx, o.label, at.x, at.y, "rgba(255,255,255,0.92)", "#111");
      if (o.lateLabel) label(ctx, o.lateLabel, at.x + this._radius * 0.8, at.y - this._radius * 0.8, "#b00000", "#fff");
      ctx.restore();
    },
  });

  var labelWidths = {};  // text → its width in the labels' font (measuring is half of a label's cost)

  function label(ctx, text, x, y, background, colour) {
    var width = (labelWidths[text] || (labelWidths[text] = ctx.measureText(text).width)) + 8;
    ctx.fillStyle = background;
    ctx.beginPath();
    ctx.rect(x - width / 2, y - 8, width, 16);
    ctx.fill();
    ctx.fillStyle = colour;
    ctx.fillText(text, x, y + 0.5);
  }

  // Past the index's deepest zoom every case is alone: those at one spot (GridClusters.sameSpot, the rule
  // of a cluster's atOneSpot) are put together again as a cluster (its leaves the cases), so that none
  // hides under another.
  function groupSameSpot(items) {
    var out = items.filter(function (item) { return item.properties.cluster; });
    var alone = items.filter(function (item) { return !item.properties.cluster; });
    GridClusters.spots(alone.map(function (item) { return item.geometry.coordinates; })).forEach(function (group) {
      var entry = group.map(function (i) { return alone[i]; });
      if (entry.length === 1) { out.push(entry[0]); return; }
      var late = entry.reduce(function (sum, item) { return sum + item.properties.late; }, 0);
      out.push({geometry: entry[0].geometry, leaves: entry, properties: {cluster: true, spot: true, cluster_id: "s" + entry[0].properties.id,
        point_count: entry.length, late: late}});
    });
    return out;
  }

  function clusterRadius(count) {
    return count < 10 ? 14 : count < 100 ? 17 : count < 1000 ? 20 : 24;
  }

  function init(map, layerControl, cfg) {
    performance.mark("map-init");
    var colours = {};
    state.map = map; state.cfg = cfg;
    // Leaflet's own margin around the view (10 %): each redraw clears and paints 1.4 times the view's pixels
    // instead of 2.6 times with 30 %, and the cases are drawn again when a drag ends anyway.
    var renderer = L.canvas({padding: 0.1}), overlays = [];
    cfg.stages.forEach(function (s) {
      colours[s.key] = /^#[0-9a-f]{6}$/i.test(s.colour) ? s.colour : "#999999";
      state.layers[s.key] = L.layerGroup().addTo(map);
      overlays.push([state.layers[s.key], s.label]);
    });
    // In the layer list from the start as an empty group; the heat layer itself comes with its library.
    state.heatGroup = L.layerGroup();
    overlays.push([state.heatGroup, cfg.labels.heat]);
    nameLayers(layerControl, cfg.layerNames || {}, overlays);

    var legend = {};
    control("bottomright", function () {
      var box = el("div", "map-legend");
      cfg.stages.forEach(function (s) {
        var row = el("div"); var dot = el("span", "dot"); dot.style.background = colours[s.key];
        row.appendChild(dot); row.appendChild(el("span", "", s.label));
        legend[s.key] = el("span", "count"); row.appendChild(legend[s.key]); box.appendChild(row);
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

    var mapBox = document.getElementById("ward-map"), heatNote = document.getElementById("map-heat-note");

    function makeMarker(key, index, item) {
      var c = item.geometry.coordinates, at = [c[1], c[0]], p = item.properties, marker;
      if (p.cluster) {
        marker = new ClusterCircle(at, {renderer: renderer, radius: clusterRadius(p.point_count), fillColor: colours[key],
          fillOpacity: 0.9, color: p.late ? "#b00000" : "#222", weight: p.late ? 4 : 2, caseCount: p.point_count,
          lateCount: p.late, label: number(p.point_count, cfg.groupSeparator), lateLabel: p.late ? number(p.late, cfg.groupSeparator) : ""});
        marker.on("click", function () {
          // Cases at one spot never part, however far one zooms: they are listed. Others: zoom until they part.
          if (item.leaves) openList(map, cfg, item.leaves.map(function (leaf) { return leaf.properties.id; }), item.leaves.length, at);
          else if (index.atOneSpot(p.cluster_id)) openList(map, cfg, index.leafIds(p.cluster_id, LIST_AT_MOST), p.point_count, at);
          else map.setView(at, Math.min(index.expansionZoom(p.cluster_id), map.getMaxZoom()));
        });
      } else {
        marker = L.circleMarker(at, {renderer: renderer, radius: 9, fillColor: colours[key], fillOpacity: 0.95,
          color: p.late ? "#b00000" : "#222", weight: p.late ? 4 : 1.5, caseId: p.id});
        marker.on("click", function () { openCase(map, cfg, p.id, at); });
      }
      return marker;
    }

    // The clusters and single cases of the current view, per stage layer that is switched on.
    function draw() {
      if (!state.cases) return;
      var b = map.getBounds(), zoom = Math.round(map.getZoom());
      var bbox = [Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()), Math.min(180, b.getEast()), Math.min(85, b.getNorth())];
      var drawn = {clusters: 0, points: 0, cases: 0};
      Object.keys(state.layers).forEach(function (key) {
        var layer = state.layers[key], before = state.shown[key] || {}, now = {};
        var index = state.indexes[key];
        if (!index || !map.hasLayer(layer)) { layer.clearLayers(); state.shown[key] = {}; return; }
        var items = index.getClusters(bbox, zoom);
        if (zoom > state.cfg.index.maxZoom) items = groupSameSpot(items);
        items.forEach(function (item) {
          var p = item.properties, name = p.cluster ? "c" + p.cluster_id : "p" + p.id;
          // A cluster keeps its id at the same zoom and a case its own: after a pan most are left in place.
          var marker = before[name] || makeMarker(key, index, item);
          if (before[name]) delete before[name];
          else layer.addLayer(marker);
          now[name] = marker;
          if (p.cluster) { drawn.clusters += 1; drawn.cases += p.point_count; } else { drawn.points += 1; drawn.cases += 1; }
        });
        Object.keys(before).forEach(function (name) { layer.removeLayer(before[name]); });
        state.shown[key] = now;
      });
      // Clusters are drawn where their centre is, so near the edges they hold cases just outside the view:
      // the number said is the exact count of cases inside it, of the stages switched on.
      var cases = state.cases, inView = 0, on = stagesShown();
      for (var i = 0; i < cases.n; i++) {
        if (on[cases.stage[i]] && cases.lon[i] >= bbox[0] && cases.lon[i] <= bbox[2] && cases.lat[i] >= bbox[1] && cases.lat[i] <= bbox[3]) inView += 1;
      }
      drawn.inView = inView;
      state.drawn = drawn;
      mapBox.dataset.shown = String(inView);
      showCounts();
      // After the browser has painted this view: the moment the chairman sees it (bench/map_browser.py).
      requestAnimationFrame(function () { setTimeout(function () {
        performance.mark("cases-drawn");
        mapBox.dataset.drawn = String((Number(mapBox.dataset.drawn) || 0) + 1);
        mapBox.dispatchEvent(new CustomEvent("map:drawn"));
        prepareNextZooms(zoom);
      }, 0); });
    }

    // The zooms one step in and out, computed while the browser has nothing else to do (one stage and zoom
    // per idle moment), so that the next zoom is drawn without computing its clusters (tens of
    // milliseconds at 100,000 cases).
    function prepareNextZooms(zoom) {
      var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 50); };
      Object.keys(state.indexes).forEach(function (key) {
        [zoom + 1, zoom - 1].forEach(function (next) {
          if (next < 0 || next > state.cfg.index.maxZoom) return;
          idle(function () { if (state.indexes[key]) state.indexes[key].level(next); });
        });
      });
    }

    function showCounts() {
      var cases = state.cases;
      var placed = cfg.stages.reduce(function (sum, s) {
        return sum + (map.hasLayer(state.layers[s.key]) ? state.counts[s.key] || 0 : 0);
      }, 0);
      var parts = [sentence(cfg.labels.inView, {shown: state.drawn.inView, placed: placed}, cfg.groupSeparator)];
      if (cases.unplaced) parts.push(sentence(cfg.labels.unplaced, {n: cases.unplaced}, cfg.groupSeparator));
      document.getElementById("map-count").textContent = parts.join(" · ");
    }

    // Per stage of the layer (its index in cases.stages): whether its layer is switched on.
    function stagesShown() {
      return state.cases.stages.map(function (key) { return Boolean(state.layers[key]) && map.hasLayer(state.layers[key]); });
    }

    // The heatmap of the cases of the stages switched on, as the circles are.
    function fillHeat() {
      if (state.heatFilled || !state.cases) return;
      heatLibrary(cfg.heatScript).then(function () {
        if (!state.heatLayer) {
          state.heatLayer = L.heatLayer([], {radius: 22, blur: 18});
          state.heatGroup.addLayer(state.heatLayer);
        }
        if (state.heatFilled) return;
        var cases = state.cases, on = stagesShown(), points = [];
        for (var i = 0; i < cases.n; i++) if (on[cases.stage[i]]) points.push([cases.lat[i], cases.lon[i], cases.late[i] ? 1 : 0.6]);
        state.heatLayer.setLatLngs(points);
        state.heatFilled = true;
        heatNote.textContent = "";
      }).catch(function () { heatNote.textContent = cfg.labels.heatFailed; });
    }

    // The layer's answer, {tag, data} (data null when it is the layer already drawn): asked as the page's
    // head asked the first one (InspectMapLayer, templates/map/index.html).
    function ask() {
      return InspectMapLayer.ask(cfg.dataUrl, state.etag);
    }

    // early: the head's answer ({failed: true} when it could not be had), taken once; later loads ask again.
    function load(early) {
      var request = ++state.requests;
      (early || ask()).then(function (answer) {
        if (request !== state.requests) return;
        if (answer.failed) throw new Error("the cases' request failed");
        var data = answer.data;
        if (data === null) { state.loadedAt = Date.now(); state.failed = false; showNote("", false); return; }  // unchanged
        if (data.format !== LAYER_FORMAT) throw new Error("a layer of format " + data.format);
        state.etag = answer.tag;
        performance.mark("cases-received");
        var cases = decode(data), built = buildIndexes(cases, cfg.index);
        performance.mark("cases-indexed");
        Object.keys(state.layers).forEach(function (key) { state.layers[key].clearLayers(); });
        state.shown = {};  // new indexes: the markers drawn from the old ones are gone
        state.cases = cases; state.indexes = built.indexes; state.counts = built.counts; state.failed = false;
        state.loadedAt = Date.now();
        state.heatFilled = false;
        if (map.hasLayer(state.heatGroup)) fillHeat();
        renameLayers(layerControl, cfg.stages.map(function (s) {
          var count = " (" + number(built.counts[s.key] || 0, cfg.groupSeparator) + ")";
          legend[s.key].textContent = count;
          return [state.layers[s.key], s.label + count];
        }));
        showNote("", false);
        mapBox.dataset.loaded = String(cases.n);
        mapBox.dataset.total = String(cases.total);
        draw();
      }).catch(function () {
        // No network, a server fault or a logged-out session: what the map shows is not this filter's cases.
        // Said plainly, instead of leaving a map that looks up to date; moving the map tries again.
        if (request !== state.requests) return;
        state.failed = true;
        showNote(cfg.labels.loadFailed, true);
        mapBox.dispatchEvent(new CustomEvent("map:failed"));
      });
    }

    function showNote(message, failed) {
      var note = document.getElementById("map-note");
      note.textContent = message;
      note.className = failed ? "flash flash-error" : "note";
      note.setAttribute("role", failed ? "alert" : "status");
      if (failed) mapBox.dataset.loadFailed = "1";
      else delete mapBox.dataset.loadFailed;
    }

    map.on("moveend", function () { if (state.failed) load(); draw(); });
    map.on("overlayadd overlayremove", function (e) {
      if (e.layer === state.heatGroup) { if (e.type === "overlayadd") fillHeat(); return; }
      var isStage = Object.keys(state.layers).some(function (key) { return state.layers[key] === e.layer; });
      if (isStage) {  // the heatmap follows the stages shown, now or when it is next switched on
        state.heatFilled = false;
        if (map.hasLayer(state.heatGroup)) fillHeat();
      }
      draw();
    });
    // A map left open in a tab is asked again when looked at after a while (an unchanged layer answers 304).
    function refreshIfOld() {
      if (document.visibilityState === "visible" && Date.now() - (state.loadedAt || 0) > cfg.refreshAfterMs) load();
    }
    document.addEventListener("visibilitychange", refreshIfOld);
    setInterval(refreshIfOld, 60 * 1000);  // a map left on screen (a wall, a desk) follows too
    // The head's answer is in (unless it took over 2 s): the cases are then drawn in the task that set the
    // map up, and the first picture of the map already shows them.
    var early = InspectMapLayer.first;
    InspectMapLayer.first = null;
    load(early);
    return state;
  }

  // A case's popup opened from a script (tests; a link to a case on the map): resolves to it once it shows.
  function showCase(id) {
    var cases = state.cases, i = cases ? cases.ids.indexOf(id) : -1;
    if (i < 0) return Promise.reject(new Error("case " + id + " is not on the map"));
    return openCase(state.map, state.cfg, id, [cases.lat[i], cases.lon[i]]);
  }

  return {init: init, state: state, showCase: showCase, number: number};
})();
