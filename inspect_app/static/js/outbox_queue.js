/* The phone's outbox queue: everything the inspector records is stored (IndexedDB) first and sent in
   order when there is a network; an item leaves only when the server has confirmed it. Every record
   carries its own UUID, so sending an item twice is harmless. Photos are items of their own.
   No DOM here: the queue gets its storage, fetch and URLs from outbox.js, which also draws the status
   line; Node's tests (tests/js/) give it an in-memory store and a fake server instead. */
"use strict";
(function (root, factory) {
  if (typeof module !== "undefined" && module.exports) module.exports = factory();
  else root.OutboxQueue = factory();
}(typeof self !== "undefined" ? self : this, function () {
  var RETRY_MIN_MS = 2000, RETRY_MAX_MS = 300000, HOLD_MS = 60000;
  var SENT_KEPT_MS = 7 * 86400000;  // the phone remembers a week of confirmations

  /* Why a sync stopped: each kind is a reason to wait, not a fault in the code. */
  class OutboxError extends Error {
    constructor(message, reason) {
      super(message);
      this.name = this.constructor.name;
      this.reason = reason;
    }
  }
  class NetworkError extends OutboxError {
    constructor(message) { super(message || "no network, or the server cannot answer now", "network"); }
  }
  class LoggedOutError extends OutboxError {
    constructor(message) { super(message || "the session is over: log in again to send", "logged_out"); }
  }
  /* The phone's storage is full: what was being stored is not stored (the transaction is all or nothing),
     what was stored before is untouched. */
  class StorageFullError extends OutboxError {
    constructor(message) { super(message || "the phone's storage is full", "storage_full"); }
  }

  function isQuotaError(error) {
    return !!error && (error.name === "QuotaExceededError" || error instanceof StorageFullError);
  }

  /* The next wait before trying again: doubled each time, at most RETRY_MAX_MS. */
  function nextDelay(currentMs) {
    return Math.min(Math.max(currentMs || RETRY_MIN_MS, RETRY_MIN_MS) * 2, RETRY_MAX_MS);
  }

  /* GPS batches are not the inspector's records: counted apart, so "3 items waiting" means 3 things
     the inspector did (patrols, reports, visits, photos). */
  function isTrack(item) { return !!(item.track || /\/points$/.test(item.url || "")); }

  /* What may be sent now, in the order it was recorded: waiting, not held by the page that is sending it
     itself, and recorded under this account (another account's work waits for that account). */
  function dueItems(items, now, username) {
    return items.slice().sort(function (a, b) { return a.seq - b.seq; }).filter(function (i) {
      return i.state === "waiting" && !(i.holdUntil > now) && (!i.owner || i.owner === username);
    });
  }

  /* What to do with the server's answer to one item: {action, ...}.
       sent            the server has it
       logged_out      stop: nothing goes until the inspector logs in again
       wait            stop and try later, keeping the order (no network, a restart, a busy server)
       retry_later     stop and try later, counting one more failure of this item on the server
       attention       keep the item aside with the server's words; the items behind it go on
       record_missing  a photo whose record has not arrived: skip its record's photos this time */
  function decide(answer, item, serverErrorLimit) {
    var status = answer.status, body = answer.body || {};
    if (answer.ok) return {action: "sent"};
    if (status === 401) return {action: "logged_out"};
    // No network, the proxy cannot reach the app (502, 504: a restart), or the server asks to come back
    // later (busy 503, full disk 507 with Retry-After): wait, keep the order.
    if (status === 0 || status === 502 || status === 503 || status === 504 || (status >= 500 && answer.retryAfter)) {
      return {action: "wait"};
    }
    if (status >= 500) {
      // The server failed on this item. Try again later, but after a few failures in a row keep it
      // aside with the server's words, so that it never holds back everything recorded after it.
      var failures = (item.serverErrors || 0) + 1;
      if (failures < serverErrorLimit) return {action: "retry_later", serverErrors: failures};
      return {action: "attention", serverErrors: failures, error: body.error || String(status), answer: body};
    }
    if (status === 400 && /CSRF/i.test(body.error || "")) return {action: "wait"};
    if (status === 404 && item.kind === "photo") return {action: "record_missing"};
    // The server will not take it as it is: keep it, with the server's words, for the inspector and the office.
    return {action: "attention", error: body.error || String(status), answer: body};
  }

  /* The numbers the status line shows. */
  function summary(items) {
    var waiting = items.filter(function (i) { return i.state === "waiting"; });
    return {waiting: waiting.filter(function (i) { return !isTrack(i); }).length,
            waitingTrack: waiting.filter(isTrack).length,
            attention: items.filter(function (i) { return i.state === "attention"; })};
  }

  /* The outbox kept in IndexedDB: items (by sequence number) and a small key-value store (meta). */
  function indexedDbStore(indexedDB, name) {
    var DB_NAME = name || "inspect-outbox", STORE = "items", META = "meta", dbPromise = null;

    function open() {
      if (dbPromise) return dbPromise;
      dbPromise = new Promise(function (resolve, reject) {
        if (!indexedDB) { reject(new Error("IndexedDB is not available")); return; }
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore(STORE, {keyPath: "seq", autoIncrement: true});
          db.createObjectStore(META);
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { dbPromise = null; reject(request.error); };
      });
      return dbPromise;
    }

    /* One transaction; resolves with what work() returned once it is committed. A full quota aborts
       the whole transaction: StorageFullError, and nothing of it is stored. */
    function tx(stores, mode, work) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var t = db.transaction(stores, mode), result, failed = null;
          t.oncomplete = function () { resolve(result); };
          t.onerror = function (event) { failed = failed || (event.target && event.target.error) || t.error; };
          t.onabort = function () {
            var error = t.error || failed;
            reject(isQuotaError(error) ? new StorageFullError() : (error || new Error("the outbox transaction was aborted")));
          };
          try {
            result = work(t);
          } catch (error) {
            failed = error;
            try { t.abort(); } catch (ignored) { /* already finished */ }
          }
        });
      });
    }

    return {
      all: function () {
        return tx([STORE], "readonly", function (t) {
          var out = [];
          t.objectStore(STORE).openCursor().onsuccess = function (e) {
            var cursor = e.target.result;
            if (cursor) { out.push(cursor.value); cursor.continue(); }
          };
          return out;
        });
      },
      /* All or nothing: on success each item has its seq. */
      add: function (items) {
        return tx([STORE], "readwrite", function (t) {
          var store = t.objectStore(STORE);
          items.forEach(function (item) {
            store.add(item).onsuccess = function (e) { item.seq = e.target.result; };
          });
          return items;
        });
      },
      put: function (item) { return tx([STORE], "readwrite", function (t) { t.objectStore(STORE).put(item); }); },
      remove: function (seq) { return tx([STORE], "readwrite", function (t) { t.objectStore(STORE).delete(seq); }); },
      getMeta: function (key) {
        return tx([META], "readonly", function (t) {
          var box = {};
          t.objectStore(META).get(key).onsuccess = function (e) { box.value = e.target.result; };
          return box;
        }).then(function (box) { return box.value; });
      },
      setMeta: function (key, value) { return tx([META], "readwrite", function (t) { t.objectStore(META).put(value, key); }); },
      deleteMeta: function (key) { return tx([META], "readwrite", function (t) { t.objectStore(META).delete(key); }); },
    };
  }

  function defaultReportError(error) {
    // A listener's fault is the listener's: the others still run, and the fault is reported, not hidden.
    if (typeof reportError === "function") reportError(error);
    else setTimeout(function () { throw error; }, 0);
  }

  /* The queue. env: {store, fetch, sessionUrl, owner() → username, now(), setTimeout, clearTimeout,
     storage (navigator.storage, to ask for persistence), reportError}. */
  function createQueue(env) {
    var store = env.store, now = env.now || Date.now;
    var later = env.setTimeout || setTimeout, cancel = env.clearTimeout || clearTimeout;
    var report = env.reportError || defaultReportError;
    var owner = env.owner || function () { return ""; };
    var syncing = null, retryMs = RETRY_MIN_MS, retryTimer = null, listeners = [], persistAsked = null;
    // Answers 5xx in a row after which an item stops blocking the ones behind it (the server's setting).
    var serverErrorLimit = 3;

    function notify(event) {
      listeners.slice().forEach(function (listener) {
        try { listener(event); } catch (error) { report(error); }
      });
    }

    /* Ask the browser to keep this site's storage under pressure (unsent photos must not be evicted):
       once per page, when something is first stored. Resolves with whether the storage is persistent. */
    function askPersistence() {
      if (persistAsked) return persistAsked;
      var storage = env.storage;
      if (!storage || typeof storage.persist !== "function") {
        persistAsked = Promise.resolve(false);
      } else {
        var already = typeof storage.persisted === "function" ? storage.persisted() : Promise.resolve(false);
        persistAsked = Promise.resolve(already).then(function (yes) { return yes || storage.persist(); })
          .then(function (yes) { return !!yes; }, function () { return false; });
      }
      return persistAsked;
    }

    /* Store items (in one transaction: all or nothing); resolves with them and their sequence numbers.
       A full storage rejects with StorageFullError: nothing of this call is stored, nothing before is lost. */
    function add(items, options) {
      var at = now(), who = owner();
      var hold = options && options.hold ? at + HOLD_MS : 0;
      items.forEach(function (item) {
        item.created = at; item.state = "waiting"; item.holdUntil = hold; item.owner = who;
      });
      askPersistence();
      return store.add(items).then(function (stored) {
        notify({added: stored.length});
        return stored;
      }, function (error) {
        if (isQuotaError(error)) {
          notify({storageFull: true});
          throw error instanceof StorageFullError ? error : new StorageFullError();
        }
        throw error;
      });
    }

    /* Items sent by the page itself (the interactive path) are done: take them out. */
    function forget(items) {
      return Promise.all(items.map(function (item) { return store.remove(item.seq); })).then(function () { notify({}); });
    }

    /* Give held items back to the background sender (the page's own attempt failed). */
    function release(items) {
      return Promise.all(items.map(function (item) { item.holdUntil = 0; return store.put(item); })).then(function () {
        notify({});
        return sync();
      });
    }

    function freshSession() {
      return env.fetch(env.sessionUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
        .then(function (r) {
          if (r.status === 401) throw new LoggedOutError();
          if (!r.ok) throw new NetworkError("the session check answered " + r.status);
          return r.json();
        }, function () { throw new NetworkError(); });
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
      return env.fetch(item.url, options).then(function (response) {
        return response.text().then(function (text) {
          var body;
          try { body = text ? JSON.parse(text) : {}; } catch (e) { body = {}; }
          return {status: response.status, ok: response.ok, body: body || {},
                  retryAfter: response.headers.get("Retry-After")};
        });
      }).catch(function (error) {
        // The request or its answer was cut short: the network's doing, tried again later.
        throw error instanceof OutboxError ? error : new NetworkError();
      });
    }

    function setAside(item, decision, blocked) {
      item.state = "attention"; item.error = decision.error; item.answer = decision.answer;
      if (decision.serverErrors) item.serverErrors = decision.serverErrors;
      if (item.confirms) blocked[item.confirms] = true;  // a record held back holds its photos too
      return store.put(item).then(function () { notify({}); });
    }

    function sendEach(items, token, sent, blocked) {
      if (!items.length) return Promise.resolve({sent: sent});
      var item = items[0], rest = items.slice(1);
      // A photo waits for its record; a record held back holds its photos too.
      if (item.record && blocked[item.record]) return sendEach(rest, token, sent, blocked);
      return send(item, token).then(function (answer) {
        var decision = decide(answer, item, serverErrorLimit);
        switch (decision.action) {
        case "sent":
          return store.remove(item.seq).then(function () {
            if (item.confirms) return rememberSent(item, answer.body);
          }).then(function () {
            return store.setMeta("lastSync", now());
          }).then(function () { notify({}); return sendEach(rest, token, sent + 1, blocked); });
        case "logged_out":
          throw new LoggedOutError();
        case "wait":
          throw new NetworkError("the server answered " + answer.status);
        case "retry_later":
          item.serverErrors = decision.serverErrors;
          return store.put(item).then(function () { throw new NetworkError("the server failed on an item"); });
        case "record_missing":
          blocked[item.record] = true;
          return sendEach(rest, token, sent, blocked);
        default:
          return setAside(item, decision, blocked).then(function () { return sendEach(rest, token, sent, blocked); });
        }
      });
    }

    function rememberSent(item, body) {
      return store.getMeta("sent").then(function (sent) {
        sent = sent || {};
        var oldest = now() - SENT_KEPT_MS;
        Object.keys(sent).forEach(function (k) { if (sent[k].at < oldest) delete sent[k]; });
        sent[item.confirms] = {label: item.label || "", code: body.code || "", url: body.url || body.case_url || "",
                               id: body.id || null, at: now(), notice: body.notice || ""};
        return store.setMeta("sent", sent);
      });
    }

    function schedule() {
      cancel(retryTimer);
      retryTimer = later(sync, retryMs);
      retryMs = nextDelay(retryMs);
    }

    /* Send what waits, in order. Resolves (never rejects) with {sent, left} or {sent, stopped: reason}. */
    function sync() {
      if (syncing) return syncing;
      syncing = store.all().then(function (items) {
        var waiting = items.filter(function (i) { return i.state === "waiting" && !(i.holdUntil > now()); });
        if (!waiting.length) return {sent: 0, left: items.length};
        return freshSession().then(function (session) {
          if (session.max_server_errors > 0) serverErrorLimit = session.max_server_errors;
          return sendEach(dueItems(items, now(), session.username), session.csrf_token, 0, {});
        });
      }).then(function (result) {
        retryMs = RETRY_MIN_MS;
        return result;
      }, function (problem) {
        schedule();
        if (problem instanceof OutboxError) return {sent: 0, stopped: problem.reason};
        if (isQuotaError(problem)) return {sent: 0, stopped: "storage_full"};
        report(problem);  // a fault in the code or the browser: tried again later, and not hidden
        return {sent: 0, stopped: "error"};
      }).then(function (result) {
        syncing = null;
        notify(result);
        return result;
      });
      return syncing;
    }

    /* The network is back: try at once, and from the shortest wait again. */
    function online() {
      retryMs = RETRY_MIN_MS;
      return sync();
    }

    function status() {
      return Promise.all([store.all(), store.getMeta("lastSync"), store.getMeta("sent")]).then(function (r) {
        var counts = summary(r[0]);
        return {items: r[0], waiting: counts.waiting, waitingTrack: counts.waitingTrack, attention: counts.attention,
                lastSync: r[1] || null, sent: r[2] || {}};
      });
    }

    /* Has the server confirmed this record (by its UUID)? */
    function confirmed(recordUuid) {
      return store.getMeta("sent").then(function (sent) { return (sent || {})[recordUuid] || null; });
    }

    /* Try an item that needs attention again, with changed fields (e.g. a confirmation). */
    function retry(seq, changes) {
      return store.all().then(function (items) {
        var item = items.filter(function (i) { return i.seq === seq; })[0];
        if (!item) return null;
        Object.keys(changes || {}).forEach(function (k) { item.fields[k] = changes[k]; });
        item.state = "waiting"; item.error = ""; item.answer = null; item.holdUntil = 0;
        return store.put(item).then(sync);
      });
    }

    function onChange(listener) { listeners.push(listener); }

    /* Hand something (e.g. chosen photos) from one page to the next; taking it removes it. */
    function hand(key, value) { return store.setMeta("handoff:" + key, value); }
    function take(key) {
      return store.getMeta("handoff:" + key).then(function (value) {
        return store.deleteMeta("handoff:" + key).then(function () { return value; });
      });
    }

    return {add: add, forget: forget, release: release, sync: sync, online: online, status: status,
            confirmed: confirmed, retry: retry, onChange: onChange, hand: hand, take: take,
            askPersistence: askPersistence, retryDelay: function () { return retryMs; }};
  }

  return {OutboxError: OutboxError, NetworkError: NetworkError, LoggedOutError: LoggedOutError,
          StorageFullError: StorageFullError, isQuotaError: isQuotaError, nextDelay: nextDelay, isTrack: isTrack,
          dueItems: dueItems, decide: decide, summary: summary, indexedDbStore: indexedDbStore, createQueue: createQueue,
          RETRY_MIN_MS: RETRY_MIN_MS, RETRY_MAX_MS: RETRY_MAX_MS, HOLD_MS: HOLD_MS};
}));
