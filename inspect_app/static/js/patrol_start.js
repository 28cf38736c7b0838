/* Starting a patrol works with or without a network: the start goes into the outbox, the phone
   remembers the patrol, and the live page runs from the phone's copy until the server has it.
   With another patrol still open on the phone, the inspector is asked first; that one is then ended. */
"use strict";
(function () {
  function text(id) { var t = document.getElementById(id); return t ? t.content.textContent.trim() : ""; }

  function endOpenPatrol(open) {
    return Tracker.stop().then(function () {
      return Outbox.add([{kind: "json", url: PageUrls.get("patrolEnd", {uuid: open.uuid}), body: {ended_at: Date.now()},
                          record: open.uuid, label: open.route_code}]);
    }).then(function () { Tracker.forget(); });
  }

  document.querySelectorAll("form[data-start-patrol]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.indexedDB || !window.localStorage || !window.Outbox) return;  // the plain form still works
      event.preventDefault();
      var open = Tracker.current();
      if (open && !window.confirm(text("msg-confirm-new-patrol").replace("{code}", open.route_code))) return;
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      var uuid = form.querySelector("[name=client_uuid]").value;
      var routeId = parseInt(form.querySelector("[name=route_id]").value, 10);
      var patrol = {uuid: uuid, route_id: routeId, route_code: form.dataset.routeCode, route_name: form.dataset.routeName,
                    started_at: Date.now()};
      var label = (text("msg-label-patrol") || "{code}").replace("{code}", form.dataset.routeCode);
      (open ? endOpenPatrol(open) : Promise.resolve()).then(function () {
        return Outbox.add([{kind: "json", url: PageUrls.get("startPatrol"), confirms: uuid, label: label,
                            body: {client_uuid: uuid, route_id: routeId, started_at: patrol.started_at}}]);
      }).then(function () { Tracker.adopt(patrol); return Outbox.sync(); })
        .then(function () { return Outbox.confirmed(uuid); })
        .then(function (sent) {
          window.location = sent && sent.url ? sent.url : PageUrls.get("fieldLive") + "?patrol=" + encodeURIComponent(uuid);
        }, function (problem) {
          // Not stored (the phone's storage is full: the outbox line says so): nothing started, try again.
          form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
          var full = document.getElementById("outbox-storage-full");
          if (full && !full.hidden) full.scrollIntoView({block: "center"});
          if (!(problem instanceof OutboxQueue.StorageFullError)) throw problem;
        });
    });
  });
})();
