/* The phone's outbox on the page: the queue (outbox_queue.js, no DOM) wired to this page's storage,
   network and URLs as the global Outbox, and the outbox line every inspector page shows. */
"use strict";
var Outbox = OutboxQueue.createQueue({
  store: OutboxQueue.indexedDbStore(window.indexedDB),
  fetch: function (url, options) { return window.fetch(url, options); },
  sessionUrl: PageUrls.get("session"),
  owner: function () { return document.documentElement.dataset.username || ""; },
  storage: navigator.storage,
});
window.addEventListener("online", function () { Outbox.online(); });
setInterval(Outbox.sync, 30000);

/* The outbox line on every inspector page: how many items wait, the last successful sync, a button,
   and the items the server would not take, with its words and a way to try again. */
(function () {
  var box = document.getElementById("outbox");
  if (!box || !window.indexedDB) return;
  var text = function (id) { var t = document.getElementById(id); return t ? t.content.textContent.trim() : ""; };
  var fill = function (s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k]; }); };
  var stoppedBy = "", showWaiting = function () {};
  var full = document.getElementById("outbox-storage-full");

  /* The phone's storage is full: what the inspector just saved is not on the phone (what was stored before
     is). Said at once and kept until something is stored again. */
  function showStorage(event) {
    if (event && (event.storageFull || event.stopped === "storage_full")) {
      full.textContent = text("msg-outbox-storage-full");
      full.hidden = false;
      box.hidden = false;
      box.dataset.storageFull = "1";
    } else if (event && event.added) {
      full.hidden = true;
      delete box.dataset.storageFull;
    }
  }

  /* What the server said about records it took from this phone (e.g. a case closed meanwhile). */
  function showNotices(sent) {
    var list = document.getElementById("outbox-notices");
    list.innerHTML = "";
    Object.keys(sent).forEach(function (key) {
      if (!sent[key].notice) return;
      var li = document.createElement("li");
      li.className = "flash flash-info";
      li.textContent = sent[key].label + ": " + sent[key].notice;
      list.appendChild(li);
    });
  }

  function clock(ms) {
    var d = new Date(ms), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + " " + pad(d.getDate()) + "/" + pad(d.getMonth() + 1);
  }

  function render(result) {
    showStorage(result);
    if (result && "sent" in result) stoppedBy = result.stopped || "";  // the outcome of a sync
    Outbox.status().then(function (s) {
      box.hidden = false;
      var me = document.documentElement.dataset.username || "";
      var others = s.items.filter(function (i) { return i.owner && i.owner !== me; }).length;
      box.dataset.waiting = String(s.waiting);
      box.dataset.waitingTrack = String(s.waitingTrack);
      box.dataset.others = String(others);
      box.dataset.attention = String(s.attention.length);
      box.dataset.ready = "1";
      document.getElementById("outbox-count").textContent =
        s.waiting ? fill(text("msg-outbox-waiting"), {n: s.waiting}) : text("msg-outbox-empty");
      document.getElementById("outbox-last").textContent =
        (s.lastSync ? fill(text("msg-outbox-last"), {time: clock(s.lastSync)}) : text("msg-outbox-never")) +
        (stoppedBy === "logged_out" ? " · " + text("msg-outbox-logged-out") : "") +
        (others ? " · " + fill(text("msg-outbox-others"), {n: others}) : "");
      var quiet = !s.waiting && !s.waitingTrack && !s.attention.length;
      box.classList.toggle("outbox-waiting", !quiet);
      box.classList.toggle("outbox-quiet", quiet);  // one line: nothing to send, no button
      document.getElementById("outbox-send").hidden = quiet;
      showWaiting(s.items);
      showNotices(s.sent);
      var list = document.getElementById("outbox-attention");
      list.innerHTML = "";
      s.attention.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "flash flash-error";
        li.dataset.seq = item.seq;
        var what = document.createElement("strong");
        what.textContent = item.label || item.url;
        var why = document.createElement("div");
        why.textContent = item.error;
        li.appendChild(what); li.appendChild(why);
        var again = document.createElement("button");
        again.type = "button"; again.className = "button"; again.textContent = text("msg-outbox-retry");
        again.addEventListener("click", function () { Outbox.retry(item.seq, {}); });
        li.appendChild(again);
        var confirm = item.answer && item.answer.confirm;
        if (confirm === "nearby" || confirm === "outside_ward") {
          var yes = document.createElement("button");
          yes.type = "button"; yes.className = "button"; yes.textContent = text("msg-outbox-confirm");
          yes.addEventListener("click", function () {
            Outbox.retry(item.seq, confirm === "nearby" ? {confirm_new: "1"} : {confirm_outside: "1"});
          });
          li.appendChild(yes);
        }
        list.appendChild(li);
      });
    });
  }

  document.getElementById("outbox-send").addEventListener("click", function () { Outbox.sync(); });
  showWaiting = function (items) {
    var list = document.getElementById("outbox-local");
    list.innerHTML = "";
    items.filter(function (i) { return i.state === "waiting" && i.confirms; }).forEach(function (item) {
      var li = document.createElement("li");
      li.className = "local-only";
      li.dataset.record = item.confirms;
      li.textContent = item.label + " · " + text("msg-outbox-local");
      list.appendChild(li);
    });
  };
  Outbox.onChange(render);
  render();
  Outbox.sync();
})();
