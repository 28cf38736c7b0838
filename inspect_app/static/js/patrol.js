/* The live patrol page: records GPS fixes with watchPosition and puts them in the outbox in batches
   (sent by the outbox in order, by the patrol's UUID). Works the same when the patrol was started
   with no network: the page then runs from the phone's copy of the patrol. */
"use strict";
(function () {
  var page = document.getElementById("patrol-live");
  if (!page) return;
  var el = function (id) { return document.getElementById(id); };
  var patrol = currentPatrol();
  if (!patrol) { el("no-patrol").hidden = false; page.hidden = true; return; }
  localStorage.setItem("inspect.patrol", JSON.stringify(patrol));
  var limit = parseFloat(page.dataset.accuracyLimit);
  var interval = parseFloat(page.dataset.sendInterval) * 1000;
  var distance = parseFloat(page.dataset.distance) || parseFloat(localStorage.getItem("inspect.distance." + patrol.uuid)) || 0;
  var stored = 0, fixes = 0, queue = [], last = null;
  showPatrol();

  /* The patrol this page is about: from the server's page, else the phone's copy named in the URL. */
  function currentPatrol() {
    if (page.dataset.patrolUuid) {
      return {uuid: page.dataset.patrolUuid, id: page.dataset.patrolId, route_code: page.dataset.routeCode,
              route_name: page.dataset.routeName, started_at: Date.parse(page.dataset.startedAt)};
    }
    var wanted = new URLSearchParams(window.location.search).get("patrol");
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem("inspect.patrol") || "null"); } catch (e) { kept = null; }
    return kept && (!wanted || kept.uuid === wanted) ? kept : null;
  }

  function showPatrol() {
    if (el("patrol-title") && !page.dataset.patrolUuid) el("patrol-title").textContent = patrol.route_code + " · " + patrol.route_name;
    var q = patrol.id ? "?patrol=" + patrol.id + "&patrol_uuid=" + patrol.uuid : "?patrol_uuid=" + patrol.uuid;
    document.querySelectorAll("[data-with-patrol]").forEach(function (a) { a.href = a.dataset.withPatrol + q; });
  }

  function tick() {
    var s = Math.max(0, Math.floor((Date.now() - patrol.started_at) / 1000));
    var hh = Math.floor(s / 3600), mm = Math.floor(s / 60) % 60, ss = s % 60;
    el("elapsed").textContent = (hh ? hh + ":" : "") + (mm < 10 ? "0" : "") + mm + ":" + (ss < 10 ? "0" : "") + ss;
  }

  function onFix(pos) {
    var c = pos.coords;
    var point = {t: pos.timestamp, lon: c.longitude, lat: c.latitude, acc: c.accuracy};
    queue.push(point);
    page.dataset.fixes = String(++fixes);
    el("accuracy").textContent = "± " + Math.round(c.accuracy) + " m";
    el("gps-error").hidden = true;
    var poor = c.accuracy > limit;
    el("accuracy-warning").hidden = !poor;
    if (poor) {
      el("accuracy-warning").textContent = Field.fill(Field.text("msg-poor-accuracy"), {acc: Math.round(c.accuracy), limit: limit});
    } else {
      if (last) distance += Field.metres(last, [point.lon, point.lat]);
      last = [point.lon, point.lat];
      el("distance").textContent = Math.round(distance) + " m";
      localStorage.setItem("inspect.distance." + patrol.uuid, String(distance));
    }
    if (queue.length >= 5) flush();
  }

  function onError(err) {
    var box = el("gps-error");
    box.textContent = err.code === 1 ? Field.text("msg-gps-denied") : Field.text("msg-gps-unavailable");
    box.hidden = false;
  }

  /* Hand the fixes to the outbox (kept on the phone at once), then let it send what it can. */
  function flush() {
    if (!queue.length) return Promise.resolve();
    var batch = queue.splice(0, queue.length);
    return Outbox.add([{kind: "json", url: "/api/patrols/" + patrol.uuid + "/points", body: {points: batch},
                        record: patrol.uuid, label: patrol.route_code}]).then(function () {
      stored += batch.length;
      el("sent").textContent = String(stored);
      page.dataset.stored = String(stored);
      return Outbox.sync();
    }).then(function (result) {
      el("send-state").textContent = result && result.stopped ? Field.text("msg-send-later") : Field.text("msg-sent-ok");
    });
  }

  if (!navigator.geolocation) {
    onError({code: 2});
  } else {
    navigator.geolocation.watchPosition(onFix, onError, {enableHighAccuracy: true, maximumAge: 0, timeout: 30000});
  }
  setInterval(tick, 1000); tick();
  setInterval(flush, interval);

  var endForm = el("end-form");
  endForm.addEventListener("submit", function (event) {
    event.preventDefault();
    endForm.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    flush().then(function () {
      return Outbox.add([{kind: "json", url: "/api/patrols/" + patrol.uuid + "/end", body: {ended_at: Date.now()},
                          record: patrol.uuid, label: patrol.route_code}]);
    }).then(function () {
      localStorage.removeItem("inspect.patrol");
      localStorage.removeItem("inspect.distance." + patrol.uuid);
      return Outbox.sync();
    }).then(function () {
      return Promise.all([Outbox.status(), Outbox.confirmed(patrol.uuid)]);
    }).then(function (r) {
      var pending = r[0].items.filter(function (i) { return i.record === patrol.uuid || i.confirms === patrol.uuid; });
      var id = patrol.id || (r[1] && r[1].id);
      window.location = !pending.length && id ? "/field/patrols/" + id : "/field/today";
    });
  });
})();
