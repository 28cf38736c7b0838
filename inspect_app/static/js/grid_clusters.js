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
    // [smallest x, smallest y, largest x, largest y] of the members, in world units (0 to 1).
    this.bounds = [Infinity, Infinity, -Infinity, -Infinity];
    for (var i = 0; i < members.length; i++) {
      var x = this.x[i] = worldX(cases.lon[members[i]]), y = this.y[i] = worldY(cases.lat[members[i]]);
      if (x < this.bounds[0]) this.bounds[0] = x;
      if (y < this.bounds[1]) this.bounds[1] = y;
      if (x > this.bounds[2]) this.bounds[2] = x;
      if (y > this.bounds[3]) this.bounds[3] = y;
    }
    this.zooms = {};
  }

  GridClusters.prototype.size = function () { return this.members.length; };

  GridClusters.prototype.cellsAcross = function (zoom) { return Math.pow(2, zoom) * TILE_PX / this.options.cellPx; };

  /* The clusters of one zoom (computed once): {list: [cluster], owner: member position → cluster}, a
     cluster being {id, count, first (its first member position), lon, lat (mean), late (how many are
     overdue)}. Cells and clusters are numbers in typed arrays, not objects: at 100,000 cases a deep zoom has
     about ten thousand cells, and the chairman waits for them when he zooms there. */
  GridClusters.prototype.level = function (zoom) {
    if (this.zooms[zoom]) return this.zooms[zoom];
    var n = this.members.length, x = this.x, y = this.y, i, c, k;
    // Keys: column × stride + row, counted from the cases' first column and row (small numbers, which a Map
    // hashes fast), the stride beyond the last row so that neighbours' keys never collide.
    var across = this.cellsAcross(zoom), cellOfKey = new Map(), cells = 0;
    var west = Math.floor(this.bounds[0] * across) - 1, north = Math.floor(this.bounds[1] * across) - 1;
    var stride = Math.floor(this.bounds[3] * across) - north + 2;
    var cellOf = new Int32Array(n), count = new Int32Array(n), sumX = new Float64Array(n), sumY = new Float64Array(n);
    var column = new Float64Array(n), row = new Float64Array(n);
    for (i = 0; i < n; i++) {
      var cx = Math.floor(x[i] * across) - west, cy = Math.floor(y[i] * across) - north, key = cx * stride + cy;
      c = cellOfKey.get(key);
      if (c === undefined) { c = cells++; cellOfKey.set(key, c); column[c] = cx; row[c] = cy; }
      cellOf[i] = c; count[c] += 1; sumX[c] += x[i]; sumY[c] += y[i];
    }
    // The biggest cells take their close neighbours first; ties in the order the cases came (cells are
    // numbered as their first case comes).
    var order = new Int32Array(cells);
    for (c = 0; c < cells; c++) order[c] = c;
    order.sort(function (a, b) { return count[b] - count[a] || a - b; });
    var worldPx = TILE_PX * Math.pow(2, zoom), reach = this.options.mergePx / worldPx;
    var clusterOf = new Int32Array(cells).fill(-1), clusters = 0;
    for (var o = 0; o < cells; o++) {
      c = order[o];
      if (clusterOf[c] >= 0) continue;
      k = clusters++;
      clusterOf[c] = k;
      var kn = count[c], kx = sumX[c], ky = sumY[c];
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          var next = cellOfKey.get((column[c] + dx) * stride + row[c] + dy);
          if (next === undefined || clusterOf[next] >= 0) continue;
          if (Math.abs(kx / kn - sumX[next] / count[next]) < reach && Math.abs(ky / kn - sumY[next] / count[next]) < reach) {
            clusterOf[next] = k;
            kn += count[next]; kx += sumX[next]; ky += sumY[next];
          }
        }
      }
    }
    var owner = new Int32Array(n), list = new Array(clusters), cases = this.cases;
    for (k = 0; k < clusters; k++) list[k] = {id: k, count: 0, first: -1, lon: 0, lat: 0, late: 0};
    for (i = 0; i < n; i++) {
      var cluster = list[owner[i] = clusterOf[cellOf[i]]], j = this.members[i];
      if (cluster.first < 0) cluster.first = i;
      cluster.count += 1;
      cluster.lon += cases.lon[j];
      cluster.lat += cases.lat[j];
      cluster.late += cases.late[j];
    }
    for (k = 0; k < clusters; k++) { list[k].lon /= list[k].count; list[k].lat /= list[k].count; }
    this.zooms[zoom] = {list: list, owner: owner};
    return this.zooms[zoom];
  };

  /* A cluster's member positions, in the order of the map's layer (the first `limit`, or all). */
  GridClusters.prototype.items = function (zoom, cluster, limit) {
    var owner = this.level(zoom).owner, out = [], most = limit === undefined ? cluster.count : Math.min(limit, cluster.count);
    for (var i = cluster.first; i < owner.length && out.length < most; i++) if (owner[i] === cluster.id) out.push(i);
    return out;
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
      if (cluster.count === 1) { out.push(this.single(cluster.first)); continue; }
      out.push({geometry: {coordinates: [cluster.lon, cluster.lat]}, properties: {cluster: true, cluster_id: z + ":" + cluster.id,
        point_count: cluster.count, late: cluster.late}});
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
    var self = this, found = this.cluster(clusterId);
    return this.items(found.zoom, found.cluster, limit).map(function (i) { return self.cases.ids[self.members[i]]; });
  };

  /* Whether two positions are one spot (within about a metre each way): the one rule of atOneSpot and of
     GridClusters.spots. */
  GridClusters.sameSpot = function (lonA, latA, lonB, latB) {
    return Math.abs(lonA - lonB) < ONE_SPOT_DEGREES && Math.abs(latA - latB) < ONE_SPOT_DEGREES;
  };

  /* Positions ([lon, lat] each) put together by spot: each position joins the earliest group whose first
     position is at one spot with it (sameSpot), or starts a group; groups of indices, in the order of their
     first position. */
  GridClusters.spots = function (positions) {
    var cells = {}, groups = [];
    positions.forEach(function (position, i) {
      var cx = Math.floor(position[0] / ONE_SPOT_DEGREES), cy = Math.floor(position[1] / ONE_SPOT_DEGREES), found = null;
      // A group's first position within one spot's width is in this cell or a neighbouring one.
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          (cells[(cx + dx) + "," + (cy + dy)] || []).forEach(function (group) {
            if ((!found || group.order < found.order) && GridClusters.sameSpot(group.lon, group.lat, position[0], position[1])) found = group;
          });
        }
      }
      if (!found) {
        found = {lon: position[0], lat: position[1], order: groups.length, members: []};
        (cells[cx + "," + cy] = cells[cx + "," + cy] || []).push(found);
        groups.push(found.members);
      }
      found.members.push(i);
    });
    return groups;
  };

  /* Whether all of a cluster's cases are at one spot (sameSpot with its first): no zoom would part them. */
  GridClusters.prototype.atOneSpot = function (clusterId) {
    var found = this.cluster(clusterId), items = this.items(found.zoom, found.cluster), cases = this.cases;
    var first = this.members[items[0]];
    return items.every(function (i) {
      var j = this.members[i];
      return GridClusters.sameSpot(cases.lon[j], cases.lat[j], cases.lon[first], cases.lat[first]);
    }, this);
  };

  /* The first zoom at which a cluster's cases are no longer all in one cluster (past maxZoom: all alone). */
  GridClusters.prototype.expansionZoom = function (clusterId) {
    var found = this.cluster(clusterId), items = this.items(found.zoom, found.cluster);
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
