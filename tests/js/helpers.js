// Stand-ins for the browser around the outbox queue: an in-memory store with IndexedDB's rules that
// matter here (all-or-nothing adds, a quota), a fake server, and a clock the test moves.
"use strict";

/* The queue's store in memory. quota: how many items it may hold; past it an add fails as a full
   phone's IndexedDB does (QuotaExceededError, nothing of that add stored). */
function memoryStore(options) {
  const items = new Map(), meta = new Map(), quota = (options && options.quota) || Infinity;
  let seq = 0;
  const copy = (value) => (value === undefined ? undefined : structuredClone(value));
  return {
    items, meta,
    all: async () => [...items.values()].map(copy).sort((a, b) => a.seq - b.seq),
    add: async (added) => {
      if (items.size + added.length > quota) {
        const error = new Error("The quota has been exceeded.");
        error.name = "QuotaExceededError";
        throw error;
      }
      for (const item of added) { item.seq = ++seq; items.set(item.seq, copy(item)); }
      return added;
    },
    put: async (item) => { items.set(item.seq, copy(item)); },
    remove: async (key) => { items.delete(key); },
    getMeta: async (key) => copy(meta.get(key)),
    setMeta: async (key, value) => { meta.set(key, copy(value)); },
    deleteMeta: async (key) => { meta.delete(key); },
  };
}

/* A server answering each request with the next answer its handler gives; keeps what it was sent. */
function fakeServer(handler) {
  const requests = [];
  const fetch = async (url, options) => {
    const request = {url, method: (options && options.method) || "GET", body: options && options.body};
    requests.push(request);
    const answer = await handler(request, requests);
    if (answer === "offline") throw new TypeError("Failed to fetch");
    const status = answer.status || 200, headers = answer.headers || {};
    return {
      status, ok: status >= 200 && status < 300,
      headers: {get: (name) => headers[name] || null},
      json: async () => answer.body || {},
      text: async () => (answer.body === undefined ? "" : JSON.stringify(answer.body)),
    };
  };
  return {fetch, requests};
}

const SESSION = {status: 200, body: {csrf_token: "token", username: "kiemtra", max_server_errors: 3}};

/* A server that knows the session and answers every item with answerFor(request) (default 201). */
function serverAnswering(answerFor) {
  return fakeServer((request) => (request.url === "/api/session" ? SESSION : (answerFor ? answerFor(request) : {status: 201, body: {}})));
}

/* A queue over a memory store and a fake server; timers are collected, not run. */
function makeQueue(OutboxQueue, server, extra) {
  const timers = [], faults = [];
  const store = (extra && extra.store) || memoryStore();
  let clock = 1_700_000_000_000;
  const queue = OutboxQueue.createQueue(Object.assign({
    store, fetch: server.fetch, sessionUrl: "/api/session", owner: () => "kiemtra", now: () => clock,
    setTimeout: (fn, ms) => { timers.push(ms); return timers.length; }, clearTimeout: () => {},
    reportError: (error) => faults.push(error),
  }, extra || {}));
  return {queue, store, timers, faults, advance: (ms) => { clock += ms; }, now: () => clock};
}

/* The items' URLs the server took, in order (the session checks left out). */
function sentUrls(server) {
  return server.requests.filter((r) => r.url !== "/api/session").map((r) => r.url);
}

module.exports = {memoryStore, fakeServer, serverAnswering, makeQueue, sentUrls, SESSION};
