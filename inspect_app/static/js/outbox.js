/* The phone's outbox: everything the inspector records is stored here (IndexedDB) first and sent in
   order when there is a network; an item leaves only when the server has confirmed it. Every record
   carries its own UUID, so sending an item twice is harmless. Photos are items of their own. */
"use strict";
var Outbox = (function () {
  var DB_NAME = "inspect-outbox", STORE = "items", META = "meta";
  var RETRY_MIN_MS = 2000, RETRY_MAX_MS = 300000, HOLD_MS = 60000;
  var dbPromise = null, syncing = null, retryMs = RETRY_MIN_MS, retryTimer = null, listeners = [];
  // Answers 5xx in a row after which an item stops blocking the ones behind it (the server's setting).
  var serverErrorLimit = 3;

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore(STORE, {keyPath: "seq", autoIncrement: true});
        db.createObjectStore(META);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return dbPromise;
  }

  function tx(stores, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode), result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
        result = work(t);
      });
    });
  }

  function all() {
    return tx([STORE], "readonly", function (t) {
      var out = [];
      t.objectStore(STORE).openCursor().onsuccess = function (e) {
        var cursor = e.target.result;
        if (cursor) { out.push(cursor.value); cursor.continue(); }
      };
      return out;
    });
  }

  function put(item) { return tx([STORE], "readwrite", function (t) { t.objectStore(STORE).put(item); }); }
  function remove(seq) { return tx([STORE], "readwrite", function (t) { t.objectStore(STORE).delete(seq); }); }

  function getMeta(key) {
    return tx([META], "readonly", function (t) {
      var box = {};
      t.objectStore(META).get(key).onsuccess = function (e) { box.value = e.target.result; };
      return box;
    }).then(function (box) { return box.value; });
  }

  function setMeta(key, value) { return tx([META], "readwrite", function (t) { t.objectStore(META).put(value, key); }); }

  /* Store items (in one transaction: all or nothing); returns them with their sequence numbers. */
  function add(items, options) {
    var now = Date.now(), owner = document.documentElement.dataset.username || "";
    var hold = options && options.hold ? now + HOLD_MS : 0;
    return tx([STORE], "readwrite", function (t) {
      var store = t.objectStore(STORE);
      items.forEach(function (item) {
        item.created = now; item.state = "waiting"; item.holdUntil = hold; item.owner = owner;
        store.add(item).onsuccess = function (e) { item.seq = e.target.result; };
      });
      return items;
    }).then(function (stored) { notify(); return stored; });
  }

  /* Items sent by the page itself (the interactive path) are done: take them out. */
  function forget(items) {
    return Promise.all(items.map(function (item) { return remove(item.seq); })).then(notify);
  }

  /* Give held items back to the background sender (the page's own attempt failed). */
  function release(items) {
    return Promise.all(items.map(function (item) { item.holdUntil = 0; return put(item); })).then(function () {
      notify(); return sync();
    });
  }

  function freshToken() {
    return fetch("/api/session", {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (r) {
        if (r.status === 401) throw {loggedOut: true};
        if (!r.ok) throw {network: true};
        return r.json();
      }, function () { throw {network: true}; })
      .then(function (body) { return body; });
  }

  function send(item, token) {
    var options = {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token, "Accept": "application/json"}};
    if (item.kind === "json") {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(item.body);
    } else {
      var data = new FormData();
      Object.keys(item.fields || {}).forEach(function (k) { data.append(k, item.fields[k]); });
      if (item.blob) data.append("photo", item.blob, item.name || "photo.jpg");
      options.body = data;
    }
    return fetch(item.url, options).then(function (response) {
      return response.text().then(function (text) {
        var body = {};
        try { body = text ? JSON.parse(text) : {}; } catch (e) { body = {}; }
        return {status: response.status, ok: response.ok, body: body, retryAfter: response.headers.get("Retry-After")};
      });
    });
  }

  /* Send what waits, in order. Resolves with {sent, left, stopped}. */
  function sync() {
    if (syncing) return syncing;
    syncing = all().then(function (items) {
      var due = items.filter(function (i) { return i.state === "waiting" && !(i.holdUntil > Date.now()); });
      if (!due.length) return {sent: 0, left: items.length};
      return freshToken().then(function (session) {
        // Work recorded under another account on this phone waits for that account to log in.
        var mine = due.filter(function (i) { return !i.owner || i.owner === session.username; });
        if (session.max_server_errors > 0) serverErrorLimit = session.max_server_errors;
        return sendEach(mine, session.csrf_token, 0, {});
      });
    }).then(function (result) {
      retryMs = RETRY_MIN_MS;
      return result;
    }, function (problem) {
      schedule();
      return {sent: 0, stopped: problem && problem.loggedOut ? "logged_out" : "network"};
    }).then(function (result) {
      syncing = null;
      notify(result);
      return result;
    });
    return syncing;
  }

  function sendEach(items, token, sent, blocked) {
    if (!items.length) return Promise.resolve({sent: sent});
    var item = items[0], rest = items.slice(1);
    // A photo waits for its record; a record held back holds its photos too.
    if (item.record && blocked[item.record]) return sendEach(rest, token, sent, blocked);
    return send(item, token).then(function (r) {
      if (r.ok) {
        return remove(item.seq).then(function () {
          if (item.confirms) return rememberSent(item, r.body);
        }).then(function () {
          return setMeta("lastSync", Date.now());
        }).then(function () { notify(); return sendEach(rest, token, sent + 1, blocked); });
      }
      if (r.status === 401) throw {loggedOut: true};
      // No network, the proxy cannot reach the app (502, 504: a restart), or the server asks to come back
      // later (busy 503, full disk 507 with Retry-After): wait, keep the order.
      if (r.status === 0 || r.status === 502 || r.status === 503 || r.status === 504 ||
          (r.status >= 500 && r.retryAfter)) throw {network: true};
      if (r.status >= 500) {
        // The server failed on this item. Try again later, but after a few failures in a row keep it
        // aside with the server's words, so that it never holds back everything recorded after it.
        item.serverErrors = (item.serverErrors || 0) + 1;
        if (item.serverErrors < serverErrorLimit) return put(item).then(function () { throw {network: true}; });
        item.state = "attention"; item.error = r.body.error || String(r.status); item.answer = r.body;
        if (item.confirms) blocked[item.confirms] = true;
        return put(item).then(function () { notify(); return sendEach(rest, token, sent, blocked); });
      }
      if (r.status === 400 && /CSRF/i.test(r.body.error || "")) throw {network: true};
      if (r.status === 404 && item.kind === "photo") {  // its record has not arrived: try again later
        blocked[item.record] = true;
        return sendEach(rest, token, sent, blocked);
      }
      // The server will not take it as it is: keep it, with the server's words, for the inspector and the office.
      item.state = "attention"; item.error = r.body.error || String(r.status); item.answer = r.body;
      if (item.confirms) blocked[item.confirms] = true;
      return put(item).then(function () { notify(); return sendEach(rest, token, sent, blocked); });
    }, function () { throw {network: true}; });
  }

  function rememberSent(item, body) {
    return getMeta("sent").then(function (sent) {
      sent = sent || {};
      var weekAgo = Date.now() - 7 * 86400000;  // the phone remembers a week of confirmations
      Object.keys(sent).forEach(function (k) { if (sent[k].at < weekAgo) delete sent[k]; });
      sent[item.confirms] = {label: item.label || "", code: body.code || "", url: body.url || body.case_url || "",
                             id: body.id || null, at: Date.now(), notice: body.notice || ""};
      return setMeta("sent", sent);
    });
  }

  function schedule() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  /* GPS batches are not the inspector's records: counted apart, so "3 items waiting" means 3 things
     the inspector did (patrols, reports, visits, photos). */
  function isTrack(item) { return item.track || /\/points$/.test(item.url || ""); }

  function status() {
    return Promise.all([all(), getMeta("lastSync"), getMeta("sent")]).then(function (r) {
      var waiting = r[0].filter(function (i) { return i.state === "waiting"; });
      return {items: r[0], waiting: waiting.filter(function (i) { return !isTrack(i); }).length,
              waitingTrack: waiting.filter(isTrack).length,
              attention: r[0].filter(function (i) { return i.state === "attention"; }), lastSync: r[1] || null,
              sent: r[2] || {}};
    });
  }

  /* Has the server confirmed this record (by its UUID)? */
  function confirmed(recordUuid) {
    return getMeta("sent").then(function (sent) { return (sent || {})[recordUuid] || null; });
  }

  /* Try an item that needs attention again, with changed fields (e.g. a confirmation). */
  function retry(seq, changes) {
    return all().then(function (items) {
      var item = items.filter(function (i) { return i.seq === seq; })[0];
      if (!item) return null;
      Object.keys(changes || {}).forEach(function (k) { item.fields[k] = changes[k]; });
      item.state = "waiting"; item.error = ""; item.answer = null; item.holdUntil = 0;
      return put(item).then(sync);
    });
  }

  function onChange(listener) { listeners.push(listener); }
  function notify(result) { listeners.forEach(function (l) { try { l(result); } catch (e) { /* a widget's problem */ } }); }

  window.addEventListener("online", function () { retryMs = RETRY_MIN_MS; sync(); });
  setInterval(sync, 30000);

  /* Hand something (e.g. chosen photos) from one page to the next; taking it removes it. */
  function hand(key, value) { return setMeta("handoff:" + key, value); }
  function take(key) {
    return getMeta("handoff:" + key).then(function (value) {
      return tx([META], "readwrite", function (t) { t.objectStore(META).delete("handoff:" + key); }).then(function () { return value; });
    });
  }

  return {add: add, forget: forget, release: release, sync: sync, status: status, confirmed: confirmed,
          retry: retry, onChange: onChange, hand: hand, take: take};
})();

/* The outbox line on every inspector page: how many items wait, the last successful sync, a button,
   and the items the server would not take, with its words and a way to try again. */
(function () {
  var box = document.getElementById("outbox");
  if (!box || !window.indexedDB) return;
  var text = function (id) { var t = document.getElementById(id); return t ? t.content.textContent.trim() : ""; };
  var fill = function (s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k]; }); };
  var stoppedBy = "", showWaiting = function () {};

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
    if (result && result.stopped) stoppedBy = result.stopped;
    if (result && !result.stopped) stoppedBy = "";
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
