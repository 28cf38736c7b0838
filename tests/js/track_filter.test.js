// The GPS track's rules on the phone (inspect_app/static/js/track_filter.js): distance, poor fixes,
// jumps (speed) and gaps (time, distance). Run by `make test-js` (node --test).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const TrackFilter = require("../../inspect_app/static/js/track_filter.js");

const RULES = {accuracy: 30, speed: 10, gapS: 120, gapM: 200};
const OFFICE = {lon: 105.5891, lat: 10.1716};
// About 1.1 m per 1e-5 degree of latitude.
const north = (from, metres, seconds, acc) => ({t: from.t + seconds * 1000, lon: from.lon, lat: from.lat + metres / 111195, acc: acc || 5});

test("metres: one degree of latitude, both ways, and nothing between a point and itself", () => {
  const d = TrackFilter.metres([105.5891, 10], [105.5891, 11]);
  assert.ok(Math.abs(d - 111195) < 5, d);
  assert.equal(TrackFilter.metres([105.5891, 10.1716], [105.5891, 10.1716]), 0);
  const a = [105.58, 10.17], b = [105.6, 10.18];
  assert.equal(TrackFilter.metres(a, b), TrackFilter.metres(b, a));
  // The ward's scale: 0.001 degree of longitude at 10° N is about 109.5 m.
  assert.ok(Math.abs(TrackFilter.metres([105.589, 10.1716], [105.590, 10.1716]) - 109.5) < 0.5);
});

test("the first fix starts the track; a fix within the rules adds what was walked", () => {
  const first = Object.assign({t: 0, acc: 5}, OFFICE);
  assert.deepEqual(TrackFilter.classify(null, first, RULES), {kind: "good", walked: 0});
  const next = north(first, 50, 20);
  const judged = TrackFilter.classify(first, next, RULES);
  assert.equal(judged.kind, "good");
  assert.ok(Math.abs(judged.walked - 50) < 0.1, judged.walked);
});

test("a fix less precise than the limit is poor, whatever its place", () => {
  const first = Object.assign({t: 0, acc: 5}, OFFICE);
  assert.equal(TrackFilter.classify(first, north(first, 5, 5, 31), RULES).kind, "poor");
  assert.equal(TrackFilter.classify(null, north(first, 5, 5, 31), RULES).kind, "poor");
  assert.equal(TrackFilter.classify(first, north(first, 5, 5, 30), RULES).kind, "good");  // the limit itself is fine
});

test("faster than the top speed within a short time is a GPS jump, not walked", () => {
  const first = Object.assign({t: 0, acc: 5}, OFFICE);
  assert.deepEqual(TrackFilter.classify(first, north(first, 150, 10), RULES), {kind: "jump", walked: 0});  // 15 m/s
  assert.equal(TrackFilter.classify(first, north(first, 99, 10), RULES).kind, "good");  // 9.9 m/s
  assert.equal(TrackFilter.classify(first, north(first, 10, 0), RULES).kind, "jump");  // same instant, 10 m apart
});

test("a long silence or a long leap starts a new segment: the gap is not walked", () => {
  const first = Object.assign({t: 0, acc: 5}, OFFICE);
  assert.deepEqual(TrackFilter.classify(first, north(first, 30, 121), RULES), {kind: "after-gap", walked: 0});
  // 250 m in 30 s is 8.3 m/s (no jump) but farther than the gap distance.
  assert.deepEqual(TrackFilter.classify(first, north(first, 250, 30), RULES), {kind: "after-gap", walked: 0});
  // After a long silence even a fast move is a new start, not a jump.
  assert.equal(TrackFilter.classify(first, north(first, 5000, 300), RULES).kind, "after-gap");
});

test("a walk with a jump and a gap: only the walked stretches count, and the jump does not move the track", () => {
  const start = Object.assign({t: 0, acc: 5}, OFFICE);
  // [metres north of the office, seconds from the start, accuracy]: a jump to 940 m, a poor fix, a silence.
  const fixes = [[0, 0], [20, 10], [40, 20], [940, 25], [60, 35, 80], [80, 45], [110, 445], [130, 455]]
    .map(([metres, seconds, acc]) => north(start, metres, seconds, acc));
  let last = null, walked = 0;
  const kinds = [];
  for (const fix of fixes) {
    const judged = TrackFilter.classify(last, fix, RULES);
    kinds.push(judged.kind);
    walked += judged.walked;
    if (TrackFilter.keepsPlace(judged.kind)) last = fix;
  }
  assert.deepEqual(kinds, ["good", "good", "good", "jump", "poor", "good", "after-gap", "good"]);
  assert.ok(Math.abs(walked - 100) < 0.5, walked);  // 0→20→40→80, then 110→130
});
