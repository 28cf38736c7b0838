/* The patrol recorder, run by every inspector page: while a patrol is open on this phone, GPS fixes
   are recorded whatever page is open (the live patrol, a report, a visit, a case, My day), kept on the
   phone at once, and handed to the outbox in batches. The screen is kept awake. When recording stops
   (screen off, another app, location refused, no fix), the page says so and since when: the server
   makes that stretch a gap in the track. Jumps and gaps are judged here with the server's rules,
   for the live distance only; the server judges again from the stored fixes. */
"use strict";
var Tracker = (function () {
  var box = document.getElementById("patrol-tracker");
  var PATROL_KEY = "inspect.patrol";
  var listeners = [], patrol = null, watchId = null, timer = null, wakeLock = null;
  var rules = box ? {
    accuracy: parseFloat(box.dataset.accuracyLimit), speed: parseFloat(box.dataset.maxSpeed),
    gapS: parseFloat(box.dataset.gapS), gapM: parseFloat(box.dataset.gapM),
    interval: parseFloat(box.dataset.sendInterval) * 1000,
  } : null;
  var me = document.documentElement.dataset.username || "";

  function key(name) { return "inspect." + name + "." + patrol.uuid; }
  function load(name, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key(name)) || "null"); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function keep(name, value) { localStorage.setItem(key(name), JSON.stringify(value)); }

  /* The patrol open on this phone for the person logged in, or null. */
  function current() {
    var kept;
    try { kept = JSON.parse(localStorage.getItem(PATROL_KEY) || "null"); } catch (e) { kept = null; }
    return kept && (!kept.owner || kept.owner === me) ? kept : null;
  }

  /* The live state: points recorded (never restarting at 0), distance walked, last good fix. */
  function state() {
    return patrol ? {patrol: patrol, points: load("points", 0), distance: load("distance", 0), last: load("last", null),
                     stored: load("stored", 0),
                     stoppedAt: load("stoppedAt", null), stopReason: load("stopReason", "")} : null;
  }

  function onFix(pos) {
    var c = pos.coords, t = pos.timestamp || Date.now();
    var point = {t: t, lon: c.longitude, lat: c.latitude, acc: c.accuracy};
    var pending = load("pending", []);
    pending.push(point);
    keep("pending", pending);
    keep("points", load("points", 0) + 1);
    var judged = TrackFilter.classify(load("last", null), point, rules), kind = judged.kind;
    if (judged.walked) keep("distance", load("distance", 0) + judged.walked);
    if (TrackFilter.keepsPlace(kind)) keep("last", {t: t, lon: point.lon, lat: point.lat, acc: point.acc});
    clearStop("denied");
    clearStop("silent");
    if (pending.length >= 5 && !flushing) flush();
    notify({fix: point, kind: kind});
  }

  function onError(err) {
    if (err.code === 1) markStopped("denied");
    notify({error: err});
  }

  function markStopped(reason) {
    if (!load("stoppedAt", null)) { keep("stoppedAt", Date.now()); keep("stopReason", reason); }
    show();
  }

  function clearStop(reason) {
    if (load("stopReason", "") !== reason) return;
    localStorage.removeItem(key("stoppedAt")); localStorage.removeItem(key("stopReason"));
    show();
  }

  /* Hand the kept fixes to the outbox (stored there before they leave the phone's list). */
  var flushing = null;
  function flush() {
    if (!patrol || !window.Outbox) return Promise.resolve();
    if (flushing) return flushing.then(flush);
    var batch = load("pending", []), uuid = patrol.uuid;
    if (!batch.length) return Promise.resolve();
    // The fixes leave the phone's list only once the outbox holds them: a page closed in between loses
    // nothing. The next page then finds them in the outbox already and does not add them twice.
    flushing = Outbox.status().then(function (s) {
      var held = {};
      s.items.forEach(function (i) {
        if (i.record === uuid && i.track) i.body.points.forEach(function (p) { held[p.t] = true; });
      });
      var fresh = batch.filter(function (p) { return !held[p.t]; });
      return fresh.length ? Outbox.add([{kind: "json", url: PageUrls.get("patrolPoints", {uuid: uuid}), body: {points: fresh},
                                         record: uuid, label: patrol.route_code, track: true}]) : null;
    }).then(function () {
        keep("pending", load("pending", []).slice(batch.length));
        keep("stored", load("stored", 0) + batch.length);
        flushing = null;
        notify({stored: true});
        return Outbox.sync();
      }, function () {
        // Not in the outbox (e.g. the phone's storage is full: the outbox line says so): the fixes stay
        // in the phone's list and go with the next batch.
        flushing = null;
      });
    return flushing;
  }

  function clock(ms) {
    var d = new Date(ms), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function text(id) { var t = document.getElementById(id); return t ? t.content.textContent.trim() : ""; }
  function fill(s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k]; }); }

  function show() {
    if (!box || !patrol) return;
    var s = state();
    box.hidden = false;
    box.dataset.points = String(s.points);
    document.getElementById("tracker-state").textContent = fill(text("msg-tracker-on"), {code: patrol.route_code, n: s.points});
    var back = document.getElementById("tracker-back");
    back.href = patrol.id ? PageUrls.get("fieldPatrol", {id: patrol.id})
                          : PageUrls.get("fieldLive") + "?patrol=" + encodeURIComponent(patrol.uuid);
    back.hidden = !!document.getElementById("patrol-live");
    var stopped = document.getElementById("tracker-stopped"), message = "";
    if (s.stoppedAt && s.stopReason === "denied") message = fill(text("msg-tracker-denied"), {from: clock(s.stoppedAt)});
    else if (s.stoppedAt && s.stopReason === "silent") message = fill(text("msg-tracker-silent"), {from: clock(s.stoppedAt)});
    else if (load("paused", null)) message = fill(text("msg-tracker-paused"), {from: clock(load("paused").from), to: clock(load("paused").to)});
    stopped.textContent = message;
    stopped.hidden = !message;
  }

  /* Every listener runs; one that fails is reported (not hidden) and the others still run. */
  function notify(event) {
    show();
    listeners.forEach(function (l) {
      try { l(event || {}, state()); } catch (error) { reportFault(error); }
    });
  }

  function reportFault(error) {
    if (typeof reportError === "function") reportError(error);
    else setTimeout(function () { throw error; }, 0);
  }

  /* Keep the screen on during a patrol; the lock is lost when the page is hidden, so take it again. */
  function holdScreen() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") {
      document.documentElement.dataset.wakeLock = "unavailable";
      return;
    }
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      document.documentElement.dataset.wakeLock = "on";
      lock.addEventListener("release", function () { document.documentElement.dataset.wakeLock = "off"; });
    }, function () { document.documentElement.dataset.wakeLock = "refused"; });
  }

  function onVisibility() {
    if (!patrol) return;
    if (document.visibilityState === "hidden") {
      keep("hiddenAt", Date.now());
      flush();
      return;
    }
    var hiddenAt = load("hiddenAt", null);
    localStorage.removeItem(key("hiddenAt"));
    // Moving from one page to the next hides the page for a moment: only a pause that makes a gap is told.
    if (hiddenAt && Date.now() - hiddenAt > rules.gapS * 1000) keep("paused", {from: hiddenAt, to: Date.now()});
    holdScreen();
    show();
  }

  function watchSilence() {
    var last = load("last", null), now = Date.now();
    if (document.visibilityState === "visible" && last && now - last.t > rules.gapS * 1000 && !load("stoppedAt", null)) {
      keep("stoppedAt", last.t); keep("stopReason", "silent"); show();
    }
  }

  /* Start recording for the patrol kept on the phone (called on every page; once per page). */
  function start() {
    patrol = current();
    if (!patrol || !rules || watchId !== null) return;
    onVisibility();
    show();
    if (!navigator.geolocation) { markStopped("denied"); return; }
    watchId = navigator.geolocation.watchPosition(onFix, onError, {enableHighAccuracy: true, maximumAge: 0, timeout: 30000});
    timer = setInterval(function () { flush(); watchSilence(); }, rules.interval);
    flush();
  }

  /* Stop recording (the patrol ends): the last fixes go to the outbox first. */
  function stop() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    clearInterval(timer);
    watchId = null;
    if (wakeLock) wakeLock.release();
    return flush();
  }

  /* Forget the patrol's local state once its end is in the outbox. */
  function forget() {
    if (!patrol) return;
    ["pending", "points", "distance", "last", "stoppedAt", "stopReason", "paused", "hiddenAt", "stored"].forEach(function (n) {
      localStorage.removeItem(key(n));
    });
    localStorage.removeItem(PATROL_KEY);
    patrol = null;
    if (box) box.hidden = true;
  }

  /* Remember a patrol as the one open on this phone, and start recording it. */
  function adopt(details) {
    var kept = current();
    if (kept && kept.uuid === details.uuid) details = Object.assign({}, kept, details);
    details.owner = me;
    localStorage.setItem(PATROL_KEY, JSON.stringify(details));
    if (patrol && patrol.uuid !== details.uuid) { stop(); patrol = null; }
    patrol = details;
    start();
  }

  function onChange(listener) { listeners.push(listener); }

  document.addEventListener("visibilitychange", onVisibility);
  window.addEventListener("pagehide", function () { if (patrol) keep("hiddenAt", Date.now()); });
  if (box) start();

  return {start: start, stop: stop, forget: forget, adopt: adopt, current: current, state: state, flush: flush,
          onChange: onChange};
})();
