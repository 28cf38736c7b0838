/* The live patrol page: shows what the recorder (tracker.js, run by every inspector page) records,
   and ends the patrol through the outbox. Works the same when the patrol was started with no
   network: the page then runs from the phone's copy of the patrol. */
"use strict";
(function () {
  var page = document.getElementById("patrol-live");
  if (!page || !window.Tracker) return;
  var el = function (id) { return document.getElementById(id); };
  var patrol = currentPatrol();
  if (!patrol) { el("no-patrol").hidden = false; page.hidden = true; return; }
  var limit = parseFloat(page.dataset.accuracyLimit);
  var serverPoints = parseInt(page.dataset.points || "0", 10), serverDistance = parseFloat(page.dataset.distance) || 0;
  Tracker.adopt(patrol);
  showPatrol();

  /* The patrol this page is about: from the server's page, else the phone's copy named in the URL. */
  function currentPatrol() {
    if (page.dataset.patrolUuid) {
      return {uuid: page.dataset.patrolUuid, id: page.dataset.patrolId, route_code: page.dataset.routeCode,
              route_name: page.dataset.routeName, started_at: Date.parse(page.dataset.startedAt)};
    }
    var wanted = new URLSearchParams(window.location.search).get("patrol");
    var kept = Tracker.current();
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

  /* Numbers on screen: the phone's own count, or the server's when this phone knows less
     (the page reopened on another phone, or after the phone's copy was cleared). */
  function showNumbers(state) {
    var points = Math.max(state.points, serverPoints), distance = Math.max(state.distance, serverDistance);
    el("sent").textContent = String(points);
    page.dataset.points = String(points);
    page.dataset.stored = String(state.stored);  // fixes handed to the outbox from this phone
    el("distance").textContent = Math.round(distance) + " m";
  }

  Tracker.onChange(function (event, state) {
    if (!state) return;
    showNumbers(state);
    if (event.fix) {
      page.dataset.fixes = String((parseInt(page.dataset.fixes || "0", 10)) + 1);
      var acc = event.fix.acc;
      el("accuracy").textContent = "± " + Math.round(acc) + " m";
      el("gps-error").hidden = true;
      el("accuracy-warning").hidden = event.kind !== "poor";
      if (event.kind === "poor") {
        el("accuracy-warning").textContent = Field.fill(Field.text("msg-poor-accuracy"), {acc: Math.round(acc), limit: limit});
      }
      el("jump-warning").hidden = event.kind !== "jump";
    }
    if (event.error) {
      var box = el("gps-error");
      box.textContent = event.error.code === 1 ? Field.text("msg-gps-denied") : Field.text("msg-gps-unavailable");
      box.hidden = false;
    }
    if (event.stored) el("send-state").textContent = Field.text("msg-send-kept");
  });
  Outbox.onChange(function (result) {
    if (result && "sent" in result) {
      el("send-state").textContent = result.stopped ? Field.text("msg-send-later") : Field.text("msg-sent-ok");
    }
  });
  showNumbers(Tracker.state());
  setInterval(tick, 1000); tick();

  var endForm = el("end-form");
  endForm.addEventListener("submit", function (event) {
    event.preventDefault();
    endForm.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    Tracker.stop().then(function () {
      return Outbox.add([{kind: "json", url: PageUrls.get("patrolEnd", {uuid: patrol.uuid}), body: {ended_at: Date.now()},
                          record: patrol.uuid, label: patrol.route_code}]);
    }).then(function () {
      Tracker.forget();
      return Outbox.sync();
    }).then(function () {
      return Promise.all([Outbox.status(), Outbox.confirmed(patrol.uuid)]);
    }).then(function (r) {
      var pending = r[0].items.filter(function (i) { return i.record === patrol.uuid || i.confirms === patrol.uuid; });
      var id = patrol.id || (r[1] && r[1].id);
      window.location = !pending.length && id ? PageUrls.get("fieldPatrol", {id: id}) : PageUrls.get("fieldToday");
    });
  });
})();
