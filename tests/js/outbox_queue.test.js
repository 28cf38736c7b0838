// The outbox queue on its own (inspect_app/static/js/outbox_queue.js): order, retries and their waits,
// the "needs attention" decisions, a full phone, listeners. Run by `make test-js` (node --test).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const OutboxQueue = require("../../inspect_app/static/js/outbox_queue.js");
const {memoryStore, fakeServer, serverAnswering, makeQueue, sentUrls, SESSION} = require("./helpers.js");

const record = (name, extra) => Object.assign({kind: "json", url: `/api/${name}`, body: {name}, confirms: name, label: name}, extra);
const photo = (of, n) => ({kind: "photo", url: `/api/photos#${of}-${n}`, fields: {record_uuid: of}, record: of, label: `${of} photo ${n}`});
const points = (of) => ({kind: "json", url: `/api/patrols/${of}/points`, body: {points: [{t: 1}]}, record: of, track: true});

test("items leave in the order they were recorded, each once, and the confirmations are kept", async () => {
  const server = serverAnswering((r) => ({status: 201, body: {code: `TL-${r.url.slice(5)}`, url: `/cases/${r.url.slice(5)}`}}));
  const {queue, store, now} = makeQueue(OutboxQueue, server);
  await queue.add([record("a"), photo("a", 1)]);
  await queue.add([record("b")]);
  const result = await queue.sync();
  assert.deepEqual(result, {sent: 3});
  assert.deepEqual(sentUrls(server), ["/api/a", "/api/photos#a-1", "/api/b"]);
  assert.equal(store.items.size, 0);
  assert.equal(await store.getMeta("lastSync"), now());
  assert.equal((await queue.confirmed("a")).code, "TL-a");
  assert.equal(await queue.confirmed("never"), null);
  assert.deepEqual(await queue.sync(), {sent: 0, left: 0});  // nothing twice
  assert.equal(sentUrls(server).length, 3);
});

test("dueItems keeps the recorded order and leaves out held items, other accounts' items and items set aside", () => {
  const items = [
    {seq: 3, state: "waiting", owner: "kiemtra"}, {seq: 1, state: "waiting", owner: "kiemtra"},
    {seq: 2, state: "waiting", owner: "kiemtra", holdUntil: 2000}, {seq: 4, state: "waiting", owner: "other"},
    {seq: 5, state: "attention", owner: "kiemtra"}, {seq: 6, state: "waiting", owner: ""},
  ];
  assert.deepEqual(OutboxQueue.dueItems(items, 1000, "kiemtra").map((i) => i.seq), [1, 3, 6]);
  assert.deepEqual(OutboxQueue.dueItems(items, 3000, "kiemtra").map((i) => i.seq), [1, 2, 3, 6]);
  assert.deepEqual(OutboxQueue.dueItems(items, 3000, "other").map((i) => i.seq), [4, 6]);
});

test("an item the page holds (it is sending it itself) waits until released; another account's work is not sent", async () => {
  const server = serverAnswering();
  const {queue, store} = makeQueue(OutboxQueue, server);
  const held = await queue.add([record("held")], {hold: true});
  await queue.add([record("free")]);
  await store.add([Object.assign(record("theirs"), {state: "waiting", owner: "someone-else", holdUntil: 0})]);
  await queue.sync();
  assert.deepEqual(sentUrls(server), ["/api/free"]);
  await queue.release(held);
  assert.deepEqual(sentUrls(server), ["/api/free", "/api/held"]);
  assert.deepEqual((await store.all()).map((i) => i.label), ["theirs"]);
});

test("a photo whose record has not arrived waits with its record's other photos; other records go on", async () => {
  const server = serverAnswering((r) => (r.url.startsWith("/api/photos#a") ? {status: 404, body: {error: "no such record"}} : {status: 201}));
  const {queue, store} = makeQueue(OutboxQueue, server);
  await store.add([Object.assign(photo("a", 1), {state: "waiting", owner: "kiemtra"}),
                   Object.assign(photo("a", 2), {state: "waiting", owner: "kiemtra"})]);
  await queue.add([record("b"), photo("b", 1)]);
  assert.deepEqual(await queue.sync(), {sent: 2});
  assert.deepEqual(sentUrls(server), ["/api/photos#a-1", "/api/b", "/api/photos#b-1"]);
  const left = await store.all();
  assert.deepEqual(left.map((i) => [i.label, i.state]), [["a photo 1", "waiting"], ["a photo 2", "waiting"]]);
});

test("a record the server refuses is set aside with its words; its photos wait with it; the rest is sent", async () => {
  const server = serverAnswering((r) => (r.url === "/api/a" ? {status: 422, body: {error: "Địa chỉ thiếu", fields: {address: "x"}}} : {status: 201}));
  const {queue, store} = makeQueue(OutboxQueue, server);
  await queue.add([record("a"), photo("a", 1)]);
  await queue.add([record("b")]);
  assert.deepEqual(await queue.sync(), {sent: 1});
  assert.deepEqual(sentUrls(server), ["/api/a", "/api/b"]);
  const [aside, waitingPhoto] = await store.all();
  assert.equal(aside.state, "attention");
  assert.equal(aside.error, "Địa chỉ thiếu");
  assert.deepEqual(aside.answer.fields, {address: "x"});
  assert.equal(waitingPhoto.state, "waiting");
  const status = await queue.status();
  assert.equal(status.attention.length, 1);
  assert.equal(status.waiting, 1);
});

test("decide: what each answer of the server means", () => {
  const json = {kind: "json"}, aPhoto = {kind: "photo"};
  const cases = [
    [{ok: true, status: 201}, json, "sent"],
    [{status: 401}, json, "logged_out"],
    [{status: 0}, json, "wait"],
    [{status: 502}, json, "wait"],
    [{status: 503}, json, "wait"],
    [{status: 504}, json, "wait"],
    [{status: 507, retryAfter: "60"}, json, "wait"],
    [{status: 400, body: {error: "The CSRF token has expired."}}, json, "wait"],
    [{status: 500}, json, "retry_later"],
    [{status: 404}, aPhoto, "record_missing"],
    [{status: 404, body: {error: "gone"}}, json, "attention"],
    [{status: 409, body: {error: "changed", confirm: "nearby"}}, json, "attention"],
    [{status: 422, body: {}}, json, "attention"],
    [{status: 400, body: {error: "bad date"}}, json, "attention"],
  ];
  for (const [answer, item, action] of cases) {
    assert.equal(OutboxQueue.decide(answer, item, 3).action, action, JSON.stringify(answer));
  }
  assert.equal(OutboxQueue.decide({status: 422, body: {}}, json, 3).error, "422");
  assert.equal(OutboxQueue.decide({status: 409, body: {error: "changed"}}, json, 3).error, "changed");
});

test("decide: a 500 is tried again until the server's limit, then set aside", () => {
  assert.deepEqual(OutboxQueue.decide({status: 500}, {serverErrors: 0}, 3), {action: "retry_later", serverErrors: 1});
  assert.deepEqual(OutboxQueue.decide({status: 500}, {serverErrors: 1}, 3), {action: "retry_later", serverErrors: 2});
  const third = OutboxQueue.decide({status: 500, body: {error: "Lỗi máy chủ"}}, {serverErrors: 2}, 3);
  assert.equal(third.action, "attention");
  assert.equal(third.error, "Lỗi máy chủ");
  assert.equal(OutboxQueue.decide({status: 500}, {serverErrors: 0}, 1).action, "attention");
});

test("the waits between tries double from 2 s up to 5 minutes", () => {
  const waits = [];
  let wait = OutboxQueue.RETRY_MIN_MS;
  for (let i = 0; i < 10; i += 1) { waits.push(wait); wait = OutboxQueue.nextDelay(wait); }
  assert.deepEqual(waits, [2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000]);
  assert.equal(OutboxQueue.nextDelay(0), 4000);
});

test("with no network nothing is lost, tries come back later and later, and the first success starts over", async () => {
  let online = false;
  const server = fakeServer((r) => (online ? (r.url === "/api/session" ? SESSION : {status: 201}) : "offline"));
  const {queue, store, timers} = makeQueue(OutboxQueue, server);
  await queue.add([record("a"), photo("a", 1)]);
  for (let i = 0; i < 3; i += 1) assert.deepEqual(await queue.sync(), {sent: 0, stopped: "network"});
  assert.deepEqual(timers, [2000, 4000, 8000]);
  assert.equal(store.items.size, 2);
  online = true;
  assert.deepEqual(await queue.sync(), {sent: 2});
  assert.equal(queue.retryDelay(), OutboxQueue.RETRY_MIN_MS);
});

test("a busy or restarting server (503, 502, 507 with Retry-After) stops the round and keeps the order", async () => {
  for (const answer of [{status: 503}, {status: 502}, {status: 507, headers: {"Retry-After": "30"}}]) {
    const server = serverAnswering((r) => (r.url === "/api/a" ? answer : {status: 201}));
    const {queue, store} = makeQueue(OutboxQueue, server);
    await queue.add([record("a")]);
    await queue.add([record("b")]);
    assert.deepEqual(await queue.sync(), {sent: 0, stopped: "network"});
    assert.deepEqual(sentUrls(server), ["/api/a"], JSON.stringify(answer));  // b never overtakes a
    assert.deepEqual((await store.all()).map((i) => i.state), ["waiting", "waiting"]);
  }
});

test("an item the server keeps failing on (500) is set aside after the server's limit, then the rest goes", async () => {
  const server = serverAnswering((r) => (r.url === "/api/a" ? {status: 500, body: {error: "Lỗi"}} : {status: 201}));
  const {queue, store} = makeQueue(OutboxQueue, server);
  await queue.add([record("a")]);
  await queue.add([record("b")]);
  assert.deepEqual(await queue.sync(), {sent: 0, stopped: "network"});
  assert.deepEqual(await queue.sync(), {sent: 0, stopped: "network"});
  assert.equal((await store.all())[0].serverErrors, 2);
  assert.deepEqual(await queue.sync(), {sent: 1});
  assert.deepEqual(sentUrls(server), ["/api/a", "/api/a", "/api/a", "/api/b"]);
  const [aside] = await store.all();
  assert.equal(aside.state, "attention");
  assert.equal(aside.error, "Lỗi");
});

test("logged out (401 on the session or on an item): the round stops and says so; nothing is lost", async () => {
  const outAtSession = fakeServer(() => ({status: 401}));
  const first = makeQueue(OutboxQueue, outAtSession);
  await first.queue.add([record("a")]);
  assert.deepEqual(await first.queue.sync(), {sent: 0, stopped: "logged_out"});
  const outAtItem = serverAnswering(() => ({status: 401}));
  const second = makeQueue(OutboxQueue, outAtItem);
  await second.queue.add([record("a")]);
  assert.deepEqual(await second.queue.sync(), {sent: 0, stopped: "logged_out"});
  assert.equal(second.store.items.size, 1);
});

test("a stale CSRF token (400 naming CSRF) waits for a fresh one instead of setting the item aside", async () => {
  let calls = 0;
  const server = serverAnswering(() => (++calls === 1 ? {status: 400, body: {error: "The CSRF token has expired."}} : {status: 201}));
  const {queue} = makeQueue(OutboxQueue, server);
  await queue.add([record("a")]);
  assert.deepEqual(await queue.sync(), {sent: 0, stopped: "network"});
  assert.deepEqual(await queue.sync(), {sent: 1});
});

test("an item set aside can be tried again with a confirmation, and then goes", async () => {
  const server = serverAnswering((r) => {
    const fields = r.body instanceof FormData ? Object.fromEntries(r.body.entries()) : {};
    return fields.confirm_new === "1" ? {status: 201} : {status: 409, body: {error: "nearby", confirm: "nearby"}};
  });
  const {queue, store} = makeQueue(OutboxQueue, server);
  await queue.add([{kind: "form", url: "/api/violations", fields: {owner_name: "A"}, confirms: "r1", label: "r1"}]);
  await queue.sync();
  const [aside] = await store.all();
  assert.equal(aside.answer.confirm, "nearby");
  await queue.retry(aside.seq, {confirm_new: "1"});
  assert.equal(store.items.size, 0);
});

test("summary: the inspector's records, GPS batches apart, and the items needing attention", () => {
  const items = [
    {state: "waiting", url: "/api/patrols"}, {state: "waiting", url: "/api/patrols/u/points"},
    {state: "waiting", url: "/x", track: true}, {state: "waiting", kind: "photo", url: "/api/photos"},
    {state: "attention", url: "/api/violations"},
  ];
  const s = OutboxQueue.summary(items);
  assert.equal(s.waiting, 2);
  assert.equal(s.waitingTrack, 2);
  assert.equal(s.attention.length, 1);
  assert.equal(OutboxQueue.isTrack(points("u")), true);
});

test("a full phone: the new items are not stored (StorageFullError), nothing stored before is lost or held back", async () => {
  const server = serverAnswering();
  const {queue, store} = makeQueue(OutboxQueue, server, {store: memoryStore({quota: 2})});
  const events = [];
  queue.onChange((event) => events.push(event));
  await queue.add([record("a"), photo("a", 1)]);
  await assert.rejects(queue.add([record("b")]), (error) => {
    assert.ok(error instanceof OutboxQueue.StorageFullError);
    assert.ok(error instanceof OutboxQueue.OutboxError && error instanceof Error);
    assert.equal(error.name, "StorageFullError");
    return true;
  });
  assert.ok(events.some((e) => e && e.storageFull));
  assert.deepEqual((await store.all()).map((i) => i.label), ["a", "a photo 1"]);
  assert.deepEqual(await queue.sync(), {sent: 2});
  await queue.add([record("b")]);  // space again once sent
  assert.ok(events.some((e) => e && e.added === 1));
});

test("the queue asks the browser once to keep its storage (persist), when something is first stored", async () => {
  let asked = 0;
  const storage = {persisted: async () => false, persist: async () => { asked += 1; return true; }};
  const {queue} = makeQueue(OutboxQueue, serverAnswering(), {storage});
  assert.equal(asked, 0);
  await queue.add([record("a")]);
  await queue.add([record("b")]);
  assert.equal(await queue.askPersistence(), true);
  assert.equal(asked, 1);

  let askedAgain = 0;
  const kept = {persisted: async () => true, persist: async () => { askedAgain += 1; return true; }};
  const second = makeQueue(OutboxQueue, serverAnswering(), {storage: kept});
  await second.queue.add([record("a")]);
  assert.equal(await second.queue.askPersistence(), true);
  assert.equal(askedAgain, 0);  // already persistent: nothing to ask

  const none = makeQueue(OutboxQueue, serverAnswering(), {storage: undefined});
  await none.queue.add([record("a")]);
  assert.equal(await none.queue.askPersistence(), false);
});

test("a listener that fails is reported, not swallowed, and the other listeners still hear", async () => {
  const {queue, faults} = makeQueue(OutboxQueue, serverAnswering());
  const heard = [];
  queue.onChange(() => { throw new TypeError("a widget's bug"); });
  queue.onChange((event) => heard.push(event));
  await queue.add([record("a")]);
  assert.equal(heard.length, 1);
  assert.equal(faults.length, 1);
  assert.ok(faults[0] instanceof TypeError);
});

test("a fault in the code while sending is reported and told apart from a network problem", async () => {
  const store = memoryStore();
  const {queue, faults} = makeQueue(OutboxQueue, serverAnswering(() => ({status: 500})), {store});
  store.put = async () => { throw new TypeError("broken put"); };
  await queue.add([record("a")]);
  assert.deepEqual(await queue.sync(), {sent: 0, stopped: "error"});
  assert.equal(faults.length, 1);
  assert.equal(faults[0].message, "broken put");
});

test("the reasons to stop are Error subclasses with a name and a reason", () => {
  for (const [Kind, reason] of [[OutboxQueue.NetworkError, "network"], [OutboxQueue.LoggedOutError, "logged_out"],
                                [OutboxQueue.StorageFullError, "storage_full"]]) {
    const error = new Kind();
    assert.ok(error instanceof Error && error instanceof OutboxQueue.OutboxError);
    assert.equal(error.name, Kind.name);
    assert.equal(error.reason, reason);
    assert.ok(error.stack);
  }
  const quota = new Error("quota");
  quota.name = "QuotaExceededError";
  assert.equal(OutboxQueue.isQuotaError(quota), true);
  assert.equal(OutboxQueue.isQuotaError(new Error("other")), false);
});

test("hand and take: a value handed to the next page is taken once", async () => {
  const {queue} = makeQueue(OutboxQueue, serverAnswering());
  await queue.hand("visit-to-report", {note: "n"});
  assert.deepEqual(await queue.take("visit-to-report"), {note: "n"});
  assert.equal(await queue.take("visit-to-report"), undefined);
});
