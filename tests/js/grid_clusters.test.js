// The chairman's map's clusters (inspect_app/static/js/grid_clusters.js): every case counted once at every
// zoom, neighbours across a cell's edge kept together, a click's zoom parting a cluster, one spot listed.
// Run by `make test-js` (node --test).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const GridClusters = require("../../inspect_app/static/js/grid_clusters.js");

const OPTIONS = {cellPx: 96, mergePx: 64, maxZoom: 16};
const WORLD = [-180, -85, 180, 85];

function casesOf(points) {
  return {
    lon: Float64Array.from(points, (p) => p[0]), lat: Float64Array.from(points, (p) => p[1]),
    ids: points.map((_p, i) => 1000 + i), late: Uint8Array.from(points, (p) => p[2] || 0),
  };
}

function randomWard(n, seed) {
  let s = seed;
  const next = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return Array.from({length: n}, () => [105.55 + next() * 0.08, 10.13 + next() * 0.08, next() < 0.2 ? 1 : 0]);
}

const all = (n) => Array.from({length: n}, (_v, i) => i);
const counted = (items) => items.reduce((sum, item) => sum + (item.properties.cluster ? item.properties.point_count : 1), 0);
const late = (items) => items.reduce((sum, item) => sum + item.properties.late, 0);

test("every case is counted exactly once, overdue ones too, at every zoom", () => {
  const points = randomWard(3000, 7), cases = casesOf(points), index = new GridClusters(cases, all(points.length), OPTIONS);
  const overdue = points.filter((p) => p[2]).length;
  for (let zoom = 0; zoom <= 19; zoom++) {
    const items = index.getClusters(WORLD, zoom);
    assert.equal(counted(items), points.length, `zoom ${zoom}`);
    assert.equal(late(items), overdue, `zoom ${zoom}`);
  }
  // Past the deepest zoom every case is alone, with its own id and position.
  const single = index.getClusters(WORLD, 17);
  assert.equal(single.length, points.length);
  assert.deepEqual(single.map((item) => item.properties.id).sort(), cases.ids.slice().sort());
});

test("an index holds only its members (one stage), and a view only what lies in it", () => {
  const points = randomWard(500, 11), cases = casesOf(points), members = all(points.length).filter((i) => i % 3 === 0);
  const index = new GridClusters(cases, members, OPTIONS);
  assert.equal(counted(index.getClusters(WORLD, 12)), members.length);
  const west = [105.55, 10.13, 105.59, 10.21];
  const inWest = members.filter((i) => points[i][0] <= 105.59).length;
  assert.equal(counted(index.getClusters(west, 18)), inWest);
});

test("two houses a few metres apart across a cell's edge are one cluster, not two circles on each other", () => {
  for (let zoom = 3; zoom <= 16; zoom++) {
    // A column edge of this zoom's grid near the ward: x = k / cells across, longitude = (x - 0.5) × 360.
    const across = Math.pow(2, zoom) * 256 / OPTIONS.cellPx;
    const edge = (Math.round((105.6 / 360 + 0.5) * across) / across - 0.5) * 360;
    const points = [[edge - 0.00001, 10.17], [edge + 0.00001, 10.17], [edge + 0.00002, 10.17001]];
    const index = new GridClusters(casesOf(points), all(3), OPTIONS);
    const items = index.getClusters(WORLD, zoom);
    assert.equal(items.length, 1, `zoom ${zoom}: ${JSON.stringify(items)}`);
    assert.equal(items[0].properties.point_count, 3);
    // Without merging they would be two: the edge is really between them.
    assert.equal(new GridClusters(casesOf(points), all(3), {...OPTIONS, mergePx: 0}).getClusters(WORLD, zoom).length, 2);
  }
});

test("a click zooms to where the cluster parts; cases at one spot are listed instead", () => {
  const apart = [[105.58, 10.18], [105.5805, 10.18], [105.581, 10.18]];  // 55 m apart
  const spot = [[105.6, 10.17, 1], [105.6, 10.17, 0], [105.600001, 10.170001, 1]];
  const cases = casesOf(apart.concat(spot)), index = new GridClusters(cases, all(6), OPTIONS);
  const clusters = index.getClusters(WORLD, 15).filter((item) => item.properties.cluster);
  const neighbours = clusters.find((item) => item.properties.point_count === 3 && item.geometry.coordinates[1] > 10.175);
  const house = clusters.find((item) => item.geometry.coordinates[1] < 10.175);
  assert.ok(neighbours && house, JSON.stringify(clusters));
  assert.equal(house.properties.late, 2);

  assert.equal(index.atOneSpot(neighbours.properties.cluster_id), false);
  const zoom = index.expansionZoom(neighbours.properties.cluster_id);
  assert.ok(zoom > 15 && zoom <= OPTIONS.maxZoom + 1, String(zoom));
  const there = index.getClusters([105.57, 10.17, 105.59, 10.19], zoom);
  assert.ok(there.length > 1 && counted(there) === 3, JSON.stringify(there));
  const before = index.getClusters([105.57, 10.17, 105.59, 10.19], zoom - 1);
  assert.equal(before.length, 1);

  assert.equal(index.atOneSpot(house.properties.cluster_id), true);
  assert.deepEqual(index.leafIds(house.properties.cluster_id, 20).sort(), [1003, 1004, 1005]);
  assert.deepEqual(index.leafIds(house.properties.cluster_id, 2).length, 2);
  assert.throws(() => index.leafIds("15:999", 20), /no cluster/);
});

test("cells too small, or merged beyond their own size, are refused", () => {
  assert.throws(() => new GridClusters(casesOf([]), [], {cellPx: 0, mergePx: 0, maxZoom: 16}), /cellPx/);
  assert.throws(() => new GridClusters(casesOf([]), [], {cellPx: 64, mergePx: 64, maxZoom: 16}), /mergePx/);
});

test("cases far apart (beyond the ward, across the world) and an empty stage are counted as well", () => {
  const points = [[-179.9, -84], [179.9, 84], [0, 0], [105.6, 10.17], [105.6, 10.17, 1], [-70, 40]];
  const index = new GridClusters(casesOf(points), all(points.length), OPTIONS);
  for (let zoom = 0; zoom <= 19; zoom++) {
    assert.equal(counted(index.getClusters(WORLD, zoom)), points.length, `zoom ${zoom}`);
    assert.equal(late(index.getClusters(WORLD, zoom)), 1, `zoom ${zoom}`);
  }
  // Far apart they stay apart (cells' keys never collide): the two at one spot are one cluster, the rest alone.
  for (const zoom of [8, 12, 16]) assert.equal(index.getClusters(WORLD, zoom).length, 5, `zoom ${zoom}`);
  const empty = new GridClusters(casesOf(points), [], OPTIONS);
  assert.deepEqual(empty.getClusters(WORLD, 13), []);
});

test("one rule for one spot: a cluster listed as one spot is one group past the deepest zoom", () => {
  // 0.7 m apart across a rounding edge (105.58999|105.59000): one spot, as atOneSpot says; 2.2 m apart: two.
  const positions = [[105.589994, 10.17], [105.590001, 10.170004], [105.590022, 10.17], [105.6, 10.18]];
  assert.deepEqual(GridClusters.spots(positions), [[0, 1], [2], [3]]);
  const index = new GridClusters(casesOf(positions.slice(0, 2)), all(2), OPTIONS);
  const [pair] = index.getClusters(WORLD, OPTIONS.maxZoom);
  assert.equal(pair.properties.point_count, 2);
  assert.equal(index.atOneSpot(pair.properties.cluster_id), true);
  const apart = new GridClusters(casesOf([positions[1], positions[2]]), all(2), OPTIONS);
  const [both] = apart.getClusters(WORLD, OPTIONS.maxZoom);
  assert.equal(apart.atOneSpot(both.properties.cluster_id), false);
  assert.equal(GridClusters.spots([positions[1], positions[2]]).length, 2);
  // Many at one house and many houses: every position in exactly one group.
  const many = Array.from({length: 500}, (_v, i) => [105.59 + (i % 50) * 3e-5, 10.17 + Math.floor(i / 50) * 3e-5]);
  const groups = GridClusters.spots(many.concat(many));
  assert.equal(groups.length, 500);
  assert.ok(groups.every((group) => group.length === 2 && group[1] === group[0] + 500));
});

test("grouping by spot equals the plain rule (each joins the earliest group at one spot with it), signs and edges included", () => {
  let seed = 7;
  const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  for (const [lon, lat] of [[105.59, 10.17], [-0.00002, -0.00002], [-73.98, 40.75]]) {
    const positions = Array.from({length: 400}, () => [
      lon + Math.round((random() - 0.5) * 60) / 1e6, lat + Math.round((random() - 0.5) * 60) / 1e6]);
    const expected = [], firsts = [];
    positions.forEach((p, i) => {
      const g = firsts.findIndex((f) => GridClusters.sameSpot(f[0], f[1], p[0], p[1]));
      if (g < 0) { firsts.push(p); expected.push([i]); } else expected[g].push(i);
    });
    assert.deepEqual(GridClusters.spots(positions), expected, `around ${lon}, ${lat}`);
  }
});
