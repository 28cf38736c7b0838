/* The chairman's map's clusters, on a grid per zoom. At zoom z the world (Web Mercator, as Leaflet draws
   it) is cut into square cells of `cellPx` screen pixels, and the cases of a cell are gathered; a cell whose
   cases' centre lies closer than `mergePx` to a neighbouring cell's then takes that cell's cases too (the
   biggest cells first), so that cases either side of a cell's edge are not drawn as two circles on top of
   each other. Each cluster is drawn at its cases' mean position with their count and how many of them are
   overdue; every case is in exactly one cluster, or alone, at every zoom: a view's counts add up to its
   cases. Past `maxZoom` each case is on its own.

   A zoom is computed when it is first drawn (one pass over the cases: a few milliseconds for 10,000) and
   kept, so a pan computes nothing. Chosen over supercluster, which builds all 17 zooms of each stage before
   the first view can be drawn: 50 ms for 10,000 cases and 160 ms for 100,000 on a page just opened, while
   the chairman waits (docs/BENCHMARKS.md). Pure (no Leaflet, no page): map.js and Node's tests (tests/js). */
"use strict";
(function (root, factory) {
  if (typeof module !== "undefined" && module.exports) module.exports = factory();
  else root.GridClusters = factory();
}(typeof self !== "undefined" ? self : this, function () {
  var TILE_PX = 256;
  var ONE_SPOT_DEGREES = 1e-5;  // about a metre: the same house (two reports of it), a zoom will not part them

  function worldX(lon) { return lon / 360 + 0.5; }

  function worldY(lat) {
    var sin = Math.min(Math.max(Math.sin(lat * Math.PI / 180), -0.9999), 0.9999);
    return 0.5 - 0.25 * Math.log((1 + sin) / (1 - sin)) / Math.PI;
  }

  /* cases: {lon, lat, ids, late} (arrays over all the map's cases); members: the indices of the cases of this
     index (one stage); options: {cellPx, mergePx (less than cellPx), maxZoom}. */
  function GridClusters(cases, members, options) {
    if (!(options.cellPx >= 8 && options.mergePx >= 0 && options.mergePx < options.cellPx)) {
      throw new Error("cellPx must be at least 8 pixels and mergePx less than cellPx");
    }
    this.cases = cases;
    this.members = members;
    this.options = options;
    this.x = new Float64Array(members.length);
    this.y = new Float64Array(members.length);
    for (var i = 0; i < members.length; i++) {
      this.x[i] = worldX(cases.lon[members[i]]);
      this.y[i] = worldY(cases.lat[members[i]]);
    }
    this.zooms = {};
  }

  GridClusters.prototype.size = function () { return this.members.length; };

  GridClusters.prototype.cellsAcross = function (zoom) { return Math.pow(2, zoom) * TILE_PX / this.options.cellPx; };

  /* The clusters of one zoom (computed once): {list: [cluster], owner: member position → cluster}, a
     cluster being {id, items: [member positions], lon, lat (mean), late (how many are overdue)}. */
  GridClusters.prototype.level = function (zoom) {
    if (this.zooms[zoom]) return this.zooms[zoom];
    // Keys: column × stride + row, the stride beyond the last row so that neighbours' keys never collide.
    var across = this.cellsAcross(zoom), stride = Math.ceil(across) + 2, cells = new Map(), order = [], cases = this.cases, i, j;
    for (i = 0; i < this.members.length; i++) {
      var cx = Math.floor(this.x[i] * across), cy = Math.floor(this.y[i] * across), key = cx * stride + cy;
      var cell = cells.get(key);
      if (!cell) { cell = {cx: cx, cy: cy, items: [], x: 0, y: 0, cluster: -1}; cells.set(key, cell); order.push(cell); }
      cell.items.push(i);
      cell.x += this.x[i];
      cell.y += this.y[i];
    }
    // The biggest cells take their close neighbours first; ties in the order the cases came (stable).
    order.sort(function (a, b) { return b.items.length - a.items.length; });
    var worldPx = TILE_PX * Math.pow(2, zoom), reach = this.options.mergePx / worldPx, list = [];
    var owner = new Int32Array(this.members.length);
    order.forEach(function (cell) {
      if (cell.cluster >= 0) return;
      var cluster = {id: list.length, items: cell.items.slice(), x: cell.x, y: cell.y, lon: 0, lat: 0, late: 0};
      cell.cluster = cluster.id;
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          var next = cells.get((cell.cx + dx) * stride + cell.cy + dy);
          if (!next || next.cluster >= 0) continue;
          var n = cluster.items.length, m = next.items.length;
          if (Math.abs(cluster.x / n - next.x / m) < reach && Math.abs(cluster.y / n - next.y / m) < reach) {
            next.cluster = cluster.id;
            for (var k = 0; k < next.items.length; k++) cluster.items.push(next.items[k]);
            cluster.x += next.x;
            cluster.y += next.y;
          }
        }
      }
      list.push(cluster);
    });
    for (var c = 0; c < list.length; c++) {
      var items = list[c].items;
      for (var k = 0; k < items.length; k++) {
        j = this.members[items[k]];
        owner[items[k]] = c;
        list[c].lon += cases.lon[j];
        list[c].lat += cases.lat[j];
        list[c].late += cases.late[j];
      }
      list[c].lon /= items.length;
      list[c].lat /= items.length;
    }
    this.zooms[zoom] = {list: list, owner: owner};
    return this.zooms[zoom];
  };

  GridClusters.prototype.single = function (i) {
    var j = this.members[i];
    return {geometry: {coordinates: [this.cases.lon[j], this.cases.lat[j]]}, properties: {id: this.cases.ids[j], late: this.cases.late[j]}};
  };

  function inside(bbox, lon, lat) { return lon >= bbox[0] && lon <= bbox[2] && lat >= bbox[1] && lat <= bbox[3]; }

  /* The clusters and single cases of a view: bbox [west, south, east, north] (each drawn at its position,
     so one near an edge may hold cases just outside). Clusters: {geometry: {coordinates: [lon, lat]},
     properties: {cluster: true, cluster_id, point_count, late}}; single cases: properties {id, late}. */
  GridClusters.prototype.getClusters = function (bbox, zoom) {
    var out = [], z = Math.max(0, Math.round(zoom)), i;
    if (z > this.options.maxZoom) {
      for (i = 0; i < this.members.length; i++) {
        if (inside(bbox, this.cases.lon[this.members[i]], this.cases.lat[this.members[i]])) out.push(this.single(i));
      }
      return out;
    }
    var list = this.level(z).list;
    for (i = 0; i < list.length; i++) {
      var cluster = list[i];
      if (!inside(bbox, cluster.lon, cluster.lat)) continue;
      if (cluster.items.length === 1) { out.push(this.single(cluster.items[0])); continue; }
      out.push({geometry: {coordinates: [cluster.lon, cluster.lat]}, properties: {cluster: true, cluster_id: z + ":" + cluster.id,
        point_count: cluster.items.length, late: cluster.late}});
    }
    return out;
  };

  GridClusters.prototype.cluster = function (clusterId) {
    var parts = String(clusterId).split(":"), zoom = Number(parts[0]);
    var cluster = this.level(zoom).list[Number(parts[1])];
    if (!cluster) throw new Error("no cluster " + clusterId);
    return {zoom: zoom, cluster: cluster};
  };

  /* The ids of a cluster's cases (the first `limit`, in the order of the map's layer). */
  GridClusters.prototype.leafIds = function (clusterId, limit) {
    var self = this;
    return this.cluster(clusterId).cluster.items.slice(0, limit).map(function (i) { return self.cases.ids[self.members[i]]; });
  };

  /* Whether all of a cluster's cases are at one spot (within about a metre): no zoom would part them. */
  GridClusters.prototype.atOneSpot = function (clusterId) {
    var items = this.cluster(clusterId).cluster.items, cases = this.cases, first = this.members[items[0]];
    return items.every(function (i) {
      var j = this.members[i];
      return Math.abs(cases.lon[j] - cases.lon[first]) < ONE_SPOT_DEGREES && Math.abs(cases.lat[j] - cases.lat[first]) < ONE_SPOT_DEGREES;
    }, this);
  };

  /* The first zoom at which a cluster's cases are no longer all in one cluster (past maxZoom: all alone). */
  GridClusters.prototype.expansionZoom = function (clusterId) {
    var found = this.cluster(clusterId), items = found.cluster.items;
    for (var zoom = found.zoom + 1; zoom <= this.options.maxZoom; zoom++) {
      var owner = this.level(zoom).owner, first = owner[items[0]];
      for (var k = 1; k < items.length; k++) {
        if (owner[items[k]] !== first) return zoom;
      }
    }
    return this.options.maxZoom + 1;
  };

  return GridClusters;
}));
