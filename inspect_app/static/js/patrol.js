/* The live patrol page: records GPS fixes with watchPosition and sends them in batches. */
"use strict";
(function () {
  var page = document.getElementById("patrol-live");
  if (!page) return;
  var patrolId = page.dataset.patrolId;
  var limit = parseFloat(page.dataset.accuracyLimit);
  var interval = parseFloat(page.dataset.sendInterval) * 1000;
  var started = Date.parse(page.dataset.startedAt);
  var distance = parseFloat(page.dataset.distance) || 0;
  var sent = 0, fixes = 0, queue = [], sending = null, last = null;
  var el = function (id) { return document.getElementById(id); };

  function tick() {
    var s = Math.max(0, Math.floor((Date.now() - started) / 1000));
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
    }
    if (queue.length >= 5) flush();
  }

  function onError(err) {
    var box = el("gps-error");
    box.textContent = err.code === 1 ? Field.text("msg-gps-denied") : Field.text("msg-gps-unavailable");
    box.hidden = false;
  }

  function flush() {
    if (sending) return sending;
    if (!queue.length) return Promise.resolve();
    var batch = queue.slice();
    sending = Field.postJSON("/api/patrols/" + patrolId + "/points", {points: batch}).then(function (r) {
      if (r.ok) {
        queue.splice(0, batch.length);
        sent += batch.length;
        el("sent").textContent = String(sent);
        el("send-state").textContent = Field.text("msg-sent-ok");
      } else if (r.status === 400 || r.status === 403 || r.status === 409) {
        queue.splice(0, batch.length);  // the server will never take this batch: say why, keep going
        el("send-state").textContent = r.body.error || "";
      } else {
        el("send-state").textContent = Field.text("msg-send-later");
      }
    }, function () {
      el("send-state").textContent = Field.text("msg-send-later");
    }).then(function () { sending = null; });
    return sending;
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
    if (endForm.dataset.flushed) return;
    event.preventDefault();
    var button = endForm.querySelector("button");
    button.disabled = true;
    var done = function () { endForm.dataset.flushed = "1"; endForm.submit(); };
    (sending || Promise.resolve()).then(flush).then(flush).then(done, done);
  });
})();
