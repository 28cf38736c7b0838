/* Violation report and visit forms: GPS fix, draggable pin (report), nearby open cases,
   photos downscaled before upload, answers from the server shown beside the fields. */
"use strict";
(function () {
  var form = document.getElementById("report-form") || document.getElementById("visit-form");
  if (!form) return;
  var isReport = form.id === "report-form";
  var el = function (id) { return document.getElementById(id); };
  var field = function (name) { return form.querySelector('[name="' + name + '"]'); };
  var map = null, pin = null, nearbyTimer = null;
  var recordUuid = Field.uuid();  // one per report: a repeat of the same report is harmless
  var fromUrl = new URLSearchParams(window.location.search);
  // The patrol this record belongs to: named in the link, else the one being recorded on the phone.
  var onPatrol = window.Tracker ? Tracker.current() : null;
  if (field("patrol_uuid")) field("patrol_uuid").value = fromUrl.get("patrol_uuid") || (onPatrol ? onPatrol.uuid : "");
  if (field("patrol_id")) field("patrol_id").value = fromUrl.get("patrol") || (onPatrol && onPatrol.id ? onPatrol.id : "");

  function setPin(lat, lon, moveMap) {
    field("lat").value = lat.toFixed(7);
    field("lon").value = lon.toFixed(7);
    if (pin) {
      pin.setLatLng([lat, lon]);
      if (moveMap) map.setView([lat, lon], 18);
    }
    if (isReport) scheduleNearby();
  }

  // The kept list of open cases is refreshed whenever a report page opens with a network.
  if (isReport && navigator.onLine) Field.request(PageUrls.get("openCases"));

  if (isReport && window.L) {
    var box = el("pin-map");
    map = L.map(box, {zoomControl: false}).setView(JSON.parse(box.dataset.centre), 15);
    L.control.zoom({zoomInTitle: Field.text("msg-zoom-in"), zoomOutTitle: Field.text("msg-zoom-out")}).addTo(map);
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution}).addTo(map);
    }
    // The pin starts pale at the map's centre: it is no position until GPS puts it or the inspector moves it.
    pin = L.marker(JSON.parse(box.dataset.centre), {draggable: true, autoPan: true, opacity: 0.45}).addTo(map);
    pin.on("dragend", function () { var p = pin.getLatLng(); placedByHand(p.lat, p.lng); });
    map.on("click", function (e) { placedByHand(e.latlng.lat, e.latlng.lng); });
  }

  function placedByHand(lat, lon) {
    el("pin-moved").hidden = false;
    pin.setOpacity(1);
    setPin(lat, lon, false);
    positionKnown();
  }

  /* A real position (GPS or a pin placed by hand): "position not known" is no longer offered. */
  function positionKnown() {
    if (!el("unknown-choice")) return;
    el("unknown-choice").hidden = true;
    field("position_unknown").checked = false;
  }

  var lastFixAt = 0;
  function onFix(pos) {
    // Two sources (this form's request and the patrol recorder): an older fix never replaces a newer one.
    var at = pos.timestamp || Date.now();
    if (at < lastFixAt) return;
    lastFixAt = at;
    var c = pos.coords;
    field("gps_lat").value = c.latitude.toFixed(7);
    field("gps_lon").value = c.longitude.toFixed(7);
    field("gps_accuracy_m").value = Math.round(c.accuracy * 10) / 10;
    el("gps-status").textContent = Field.fill(Field.text("msg-gps-fix"), {acc: Math.round(c.accuracy)});
    el("gps-status").className = c.accuracy > parseFloat(form.dataset.accuracyLimit) ? "flash flash-error" : "note";
    el("gps-help").hidden = true;
    if (!el("pin-moved") || el("pin-moved").hidden) {
      if (pin) pin.setOpacity(1);
      setPin(c.latitude, c.longitude, true);
    }
    positionKnown();
  }

  /* No GPS: never a made-up position. The inspector places the pin, or saves the report as
     "position not known yet". The long help on allowing the location is shown once per session. */
  function onError(err) {
    if (field("gps_lat").value) return;  // a fix came already (from the patrol recorder)
    var denied = err.code === 1, helpShown = sessionStorage.getItem("inspect.gpsHelpShown") === "1";
    el("gps-status").textContent = denied ? (helpShown ? Field.text("msg-gps-denied-short") : Field.text("msg-gps-denied"))
                                          : Field.text("msg-gps-unavailable");
    el("gps-status").className = "flash flash-error";
    el("gps-help").hidden = !denied || helpShown;
    if (denied) sessionStorage.setItem("inspect.gpsHelpShown", "1");
    if (isReport && !field("lat").value) el("unknown-choice").hidden = false;
  }

  // During a patrol the recorder watches the position already: its fixes serve the form too, including
  // one it got just before this page's script ran (the browser may then keep this form's own request
  // waiting for a next position).
  var recent = window.Tracker && Tracker.state() && Tracker.state().last;
  if (recent && recent.acc !== undefined && Date.now() - recent.t < 15000) {
    setTimeout(function () { onFix({timestamp: recent.t, coords: {latitude: recent.lat, longitude: recent.lon, accuracy: recent.acc}}); }, 0);
  }
  if (window.Tracker) {
    Tracker.onChange(function (event) {
      if (event.fix) onFix({timestamp: event.fix.t, coords: {latitude: event.fix.lat, longitude: event.fix.lon, accuracy: event.fix.acc}});
    });
  }
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(onFix, onError, {enableHighAccuracy: true, timeout: 20000, maximumAge: 10000});
  } else {
    onError({code: 2});
  }

  function scheduleNearby() {
    clearTimeout(nearbyTimer);
    nearbyTimer = setTimeout(loadNearby, 300);
  }

  /* The server's answer when there is a network; with none, the phone's own answer from the kept
     list of open cases (by real distance from where the pin is), or a note that the check waits. */
  function loadNearby() {
    var lon = parseFloat(field("lon").value), lat = parseFloat(field("lat").value);
    var url = PageUrls.get("nearby") + "?lon=" + encodeURIComponent(field("lon").value) + "&lat=" + encodeURIComponent(field("lat").value);
    Field.request(url).then(function (r) {
      if (r.ok) { showNearby(r.body.cases || [], ""); return; }
      if (r.status >= 500 || r.status === 0) nearbyOnPhone(lon, lat);
    }, function () { nearbyOnPhone(lon, lat); });
  }

  function nearbyOnPhone(lon, lat) {
    Field.request(PageUrls.get("openCases")).then(function (r) {
      if (!r.ok || !r.body.cases) { showNearby([], Field.text("msg-nearby-later")); return; }
      var radius = parseFloat(form.dataset.nearbyRadius) || r.body.radius_m;
      var found = r.body.cases.map(function (c) {
        return Object.assign({}, c, {distance_m: Field.metres([lon, lat], [c.lon, c.lat])});
      }).filter(function (c) { return c.distance_m <= radius; })
        .sort(function (a, b) { return a.distance_m - b.distance_m; });
      var at = new Date(r.body.at), pad = function (n) { return (n < 10 ? "0" : "") + n; };
      showNearby(found, Field.fill(Field.text("msg-nearby-on-phone"),
                                   {time: pad(at.getHours()) + ":" + pad(at.getMinutes()) + " " + pad(at.getDate()) + "/" + pad(at.getMonth() + 1)}));
    }, function () { showNearby([], Field.text("msg-nearby-later")); });
  }

  function showNearby(cases, note) {
    var section = el("nearby"), list = el("nearby-list");
    list.innerHTML = "";
    el("nearby-note").textContent = note || "";
    el("nearby-note").hidden = !note;
    section.hidden = cases.length === 0 && !note;
    section.dataset.source = note ? "phone" : "server";
    field("confirm_new").checked = false;
    cases.forEach(function (c) {
      var item = document.createElement("li");
      item.className = "card nearby-case";
      item.dataset.caseId = c.id;
      if (c.thumb_url) {
        var img = document.createElement("img");
        img.src = c.thumb_url; img.alt = ""; img.className = "thumb";
        item.appendChild(img);
      }
      var info = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = c.code + " · " + c.stage_label;
      var where = document.createElement("div");
      where.textContent = [c.address, c.khu_vuc].filter(Boolean).join(", ") + " (" + Math.round(c.distance_m) + " m)";
      var attach = document.createElement("button");
      attach.type = "button"; attach.className = "button";
      attach.textContent = Field.text("msg-attach");
      attach.addEventListener("click", function () { attachFollowUp(c, attach); });
      info.appendChild(title); info.appendChild(where); info.appendChild(attach);
      item.appendChild(info);
      list.appendChild(item);
    });
  }

  /* Photos added one after another (camera or gallery), each removable before saving. */
  var chosen = [], picker = el("photo-picker");
  var maxPhotos = picker ? parseInt(picker.dataset.max, 10) : 10;
  if (picker) {
    field("photos").hidden = true;
    el("photo-buttons").hidden = false;
    ["photo-camera", "photo-gallery"].forEach(function (id) {
      el(id).addEventListener("change", function () {
        Array.prototype.forEach.call(el(id).files || [], function (file) {
          if (chosen.length < maxPhotos) chosen.push({file: file, url: URL.createObjectURL(file)});
          else el("photo-count").textContent = Field.fill(Field.text("msg-photo-full"), {max: maxPhotos});
        });
        el(id).value = "";  // the same photo can be picked again after removing it
        showChosen();
      });
    });
  }

  function showChosen() {
    var list = el("photo-list");
    list.innerHTML = "";
    chosen.forEach(function (item, index) {
      var li = document.createElement("li");
      var img = document.createElement("img");
      img.src = item.url; img.alt = "";
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "button"; remove.textContent = Field.text("msg-photo-remove");
      remove.addEventListener("click", function () { URL.revokeObjectURL(item.url); chosen.splice(index, 1); showChosen(); });
      li.appendChild(img); li.appendChild(remove);
      list.appendChild(li);
    });
    picker.dataset.count = String(chosen.length);
    dirty = dirty || chosen.length > 0;
    el("photo-count").textContent = chosen.length ? Field.fill(Field.text("msg-photo-count"), {n: chosen.length, max: maxPhotos}) : "";
  }

  /* The chosen photos: time and place read from each original, then downscaled; each with its own identifier. */
  function preparedPhotos() {
    var files = picker ? chosen.map(function (c) { return c.file; }) : Array.prototype.slice.call(field("photos").files || []);
    return Promise.all(files.map(function (f) {
      return Promise.all([Field.photoFacts(f), Field.downscale(f, 2048)]);
    })).then(function (ready) {
      return ready.map(function (r) { return {uuid: Field.uuid(), file: r[1], exif: r[0]}; });
    });
  }

  function fieldsOf(data) {
    var fields = {};
    data.forEach(function (value, key) { if (typeof value === "string" && value !== "") fields[key] = value; });
    return fields;
  }

  /* Store the record and its photos in the outbox first, then send them at once in one request.
     On an answer from the server the outbox copy is dropped (the page shows the answer); with no
     network it stays, and the outbox sends it later, the record first and each photo on its own. */
  var SLOW_MS = 12000, SLOW = {};  // after this long without an answer the form never stays frozen

  function save(url, fields, photos, label) {
    fields.observed_at = fields.observed_at || String(Date.now());
    var data = new FormData();
    Object.keys(fields).forEach(function (k) { data.append(k, fields[k]); });
    photos.forEach(function (p) {
      data.append("photos", p.file, p.file.name); data.append("photo_uuid", p.uuid); data.append("photo_exif", p.exif || "");
    });
    if (!window.Outbox) return Field.postForm(url, data);
    var items = [{kind: "form", url: url, fields: fields, confirms: fields.client_uuid, label: label}].concat(
      photos.map(function (p, i) {
        return {kind: "photo", url: PageUrls.get("photos"), fields: {record_uuid: fields.client_uuid, photo_uuid: p.uuid, photo_exif: p.exif || ""},
                blob: p.file, name: p.file.name, record: fields.client_uuid, label: label + " – " + (i + 1)};
      }));
    return Outbox.add(items, {hold: true}).then(function (stored) {
      var answered = Field.postForm(url, data).then(function (r) {
        if (r.status >= 500) return Outbox.release(stored).then(function () { return {stored: true}; });
        return Outbox.forget(stored).then(function () { return r; });
      }, function () {
        return Outbox.release(stored).then(function () { return {stored: true}; });
      });
      var slow = new Promise(function (resolve) { setTimeout(function () { resolve(SLOW); }, SLOW_MS); });
      return Promise.race([answered, slow]).then(function (first) {
        if (first !== SLOW) return first;
        // A weak network: no answer yet. The inspector goes on; the outbox sends the record (a late
        // answer to this request changes nothing: the same record twice is stored once).
        return Outbox.release(stored).then(function () { return {stored: true}; });
      });
    }, function (problem) {
      if (!(problem instanceof OutboxQueue.StorageFullError)) throw problem;
      // The phone's storage is full: no copy on the phone. With a network the record goes straight to the
      // server; without, the form keeps what was typed and says why (nothing stored before is lost).
      return Field.postForm(url, data).then(function (r) {
        return r.status >= 500 ? {storageFull: true} : r;
      }, function () { return {storageFull: true}; });
    });
  }

  function storageFull() {
    busy(false);
    leaving = false;
    Field.showErrors(form, {error: Field.text("msg-outbox-storage-full")});
  }

  /* Records this page left to the outbox: once the server has them, the page says so instead of
     "saved on this phone" (and the outbox line no longer counts them). */
  var leftToOutbox = [];
  function showConfirmed() {
    if (!leftToOutbox.length || !window.Outbox) return;
    Promise.all(leftToOutbox.map(function (uuid) { return Outbox.confirmed(uuid); })).then(function (sent) {
      var done = sent.filter(Boolean);
      if (done.length !== leftToOutbox.length) return;
      var note = el("saved-locally");
      note.textContent = Field.fill(Field.text("msg-sent-now"), {what: done.map(function (d) { return d.code || d.label; }).join(", ")});
      note.dataset.confirmed = "1";
      leftToOutbox = [];
    });
  }
  if (window.Outbox) Outbox.onChange(showConfirmed);

  function savedOnPhone(uuid) {
    busy(false);
    Field.showErrors(form, {});
    var note = el("saved-locally");
    note.textContent = Field.text("msg-saved-on-phone");
    delete note.dataset.confirmed;
    note.hidden = false;
    note.scrollIntoView({block: "center"});
    leftToOutbox.push(uuid);
    showConfirmed();
    recordUuid = Field.uuid();
    leaving = false;
    dropDraft();
    ["category", "address", "khu_vuc", "owner_name", "owner_phone", "description", "area_m2", "floors", "note"].forEach(function (name) {
      if (field(name)) field(name).value = "";
    });
    form.querySelectorAll('input[name="outcome"]').forEach(function (r) { r.checked = false; });
    if (field("photos")) field("photos").value = "";
    if (picker) { chosen = []; showChosen(); }
    if (field("confirm_new")) field("confirm_new").checked = false;
  }

  function busy(on) {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = on; });
    el("sending").hidden = !on;
  }

  function attachFollowUp(c, button) {
    var fields = {
      client_uuid: Field.uuid(), outcome: "follow_up", violation_id: String(c.id), note: field("description").value,
      lon: field("gps_lon").value || field("lon").value, lat: field("gps_lat").value || field("lat").value,
      gps_accuracy_m: field("gps_accuracy_m").value, confirm_outside: field("confirm_outside").checked ? "1" : "",
      patrol_id: field("patrol_id").value, patrol_uuid: field("patrol_uuid") ? field("patrol_uuid").value : "",
    };
    Object.keys(fields).forEach(function (k) { if (!fields[k]) delete fields[k]; });
    busy(true);
    leaving = true;
    preparedPhotos().then(function (photos) {
      return save(PageUrls.get("visits"), fields, photos, Field.text("msg-label-visit") + " " + c.code);
    }).then(function (r) {
      if (r.stored) return savedOnPhone(fields.client_uuid);
      if (r.storageFull) return storageFull();
      busy(false);
      if (r.ok) { dropDraft(); window.location = r.body.case_url; return; }
      leaving = false;
      Field.showErrors(form, r.body);
    });
  }

  /* What the inspector typed is kept while the form is open (back/forward, a reload, a look at
     another page) and leaving with unsaved input asks first. */
  var DRAFT = "inspect.draft." + form.id, dirty = false, leaving = false;
  var KEPT = ["category", "address", "khu_vuc", "owner_name", "owner_phone", "description", "area_m2", "floors", "note"];

  function keepDraft() {
    var values = {};
    KEPT.forEach(function (name) { if (field(name) && field(name).value) values[name] = field(name).value; });
    var outcome = form.querySelector('input[name="outcome"]:checked');
    if (outcome) values.outcome = outcome.value;
    dirty = Object.keys(values).length > 0 || chosen.length > 0;
    if (Object.keys(values).length) sessionStorage.setItem(DRAFT, JSON.stringify(values));
    else sessionStorage.removeItem(DRAFT);
  }

  function restoreDraft(values, note) {
    Object.keys(values).forEach(function (name) {
      if (name === "outcome") {
        var radio = form.querySelector('input[name="outcome"][value="' + values[name] + '"]');
        if (radio) radio.checked = true;
      } else if (field(name)) {
        field(name).value = values[name];
      }
    });
    if (note) { el("draft-note").textContent = note; el("draft-note").hidden = false; }
    keepDraft();
  }

  function dropDraft() { sessionStorage.removeItem(DRAFT); dirty = false; }

  form.addEventListener("input", keepDraft);
  form.addEventListener("change", keepDraft);
  window.addEventListener("beforeunload", function (event) {
    if (!dirty || leaving) return;
    event.preventDefault();
    event.returnValue = "";
  });
  try {
    var draft = JSON.parse(sessionStorage.getItem(DRAFT) || "null");
    if (draft) restoreDraft(draft, Field.text("msg-draft-restored"));
  } catch (e) { sessionStorage.removeItem(DRAFT); }

  /* A visit that found a violation goes on as a report: its note, position and photos are carried over,
     and the report's own visit stands for it (no second record of the same visit). */
  if (isReport && new URLSearchParams(window.location.search).get("from") === "visit" && window.Outbox) {
    Outbox.take("visit-to-report").then(function (carried) {
      if (!carried) return;
      restoreDraft({description: carried.note || ""}, Field.text("msg-from-visit"));
      if (carried.lat && carried.lon) {
        onFix({timestamp: carried.at, coords: {latitude: parseFloat(carried.lat), longitude: parseFloat(carried.lon),
                                                accuracy: parseFloat(carried.acc) || 0}});
      }
      (carried.photos || []).forEach(function (file) { chosen.push({file: file, url: URL.createObjectURL(file)}); });
      if (picker) showChosen();
      keepDraft();
    });
  }

  function goOnAsReport() {
    leaving = true;
    dropDraft();
    var carried = {note: field("note").value, lat: field("gps_lat").value, lon: field("gps_lon").value,
                   acc: field("gps_accuracy_m").value, at: Date.now(), photos: chosen.map(function (c) { return c.file; })};
    var q = new URLSearchParams(window.location.search);
    q.set("from", "visit");
    return Outbox.hand("visit-to-report", carried).then(function () {
      window.location = PageUrls.get("fieldReport") + "?" + q.toString();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var outcome = form.querySelector('input[name="outcome"]:checked');
    if (!isReport && outcome && outcome.value === "violation_found" && window.Outbox) { goOnAsReport(); return; }
    leaving = true;
    el("saved-locally").hidden = true;
    var data = new FormData(form);
    data.delete("photos");
    data.set("client_uuid", recordUuid);
    var fields = fieldsOf(data);
    var label = isReport ? Field.text("msg-label-report") : Field.text("msg-label-visit");
    busy(true);
    preparedPhotos().then(function (photos) {
      return save(form.action, fields, photos, label + " " + new Date().toLocaleTimeString("vi-VN"));
    }).then(function (r) {
      if (r.stored) return savedOnPhone(fields.client_uuid);
      if (r.storageFull) return storageFull();
      busy(false);
      if (r.ok) {
        dropDraft();
        window.location = r.body.url || r.body.case_url || form.dataset.done;
        return;
      }
      leaving = false;
      Field.showErrors(form, r.body);
      if (r.status === 409 && r.body.confirm === "nearby") {
        showNearby(r.body.cases || [], "");
        el("nearby").scrollIntoView({block: "start"});
      }
      if (r.status === 409 && r.body.confirm === "outside_ward") {
        el("outside-confirm").hidden = false;
      }
    }, function () {
      busy(false);
      leaving = false;
      Field.showErrors(form, {error: Field.text("msg-network")});
    });
  });
})();
