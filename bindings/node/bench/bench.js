'use strict';
// make bench-node: what authtoken costs in Node.js, as ratios, in one run.
//   1. a warm authorizationHeaderSync() vs a no-op Node-API call; await authorizationHeader()
//      vs awaiting a resolved Promise
//   2. signed GETs (client.get, authtoken.fetch) vs fetch (undici) and http.request with a
//      keep-alive agent and a fixed Authorization header, sequential and 16 at a time.
// Against the emulator of scripts/with-emulator.sh (AUTHTOKEN_EMULATOR), release builds.

const http = require('node:http');
const authtoken = require('..');

const native = authtoken._native;
const base = `${process.env.AUTHTOKEN_EMULATOR}/tpstreams`;
const PATH = '/api/v1/auhf2k/assets/';

function nsPerOp(n, f) {
  for (let i = 0; i < Math.min(n, 10000); i++) f();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t) / n;
}

async function nsPerOpAsync(n, concurrency, f) {
  for (let i = 0; i < 50; i++) await f();
  const t = process.hrtime.bigint();
  let next = 0;
  const lane = async () => {
    while (next++ < n) await f();
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return Number(process.hrtime.bigint() - t) / n;
}

function fmt(ns) {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(0)} ns`;
}

async function main() {
  const client = new authtoken.Client({
    provider: 'tpstreams',
    username: `bench-${process.pid}@example.com`,
    password: process.env.AUTHTOKEN_TEST_PASSWORD || 'demo-password',
    organization_id: 'auhf2k',
    base_url: base,
    cache: 'memory',
  });
  const header = await client.authorizationHeader();
  const rows = [];
  const row = (what, ns, ref, refName) => rows.push([what, fmt(ns), ref ? `${(ns / ref).toFixed(2)}x ${refName}` : '']);

  const noop = nsPerOp(1e6, () => native.noop());
  const sync = nsPerOp(1e6, () => client.authorizationHeaderSync());
  const asyncHeader = await nsPerOpAsync(20000, 1, () => client.authorizationHeader());
  const resolved = await nsPerOpAsync(20000, 1, () => Promise.resolve(header));
  row('no-op Node-API call', noop);
  row('authorizationHeaderSync() (warm)', sync, noop, 'no-op');
  row('await Promise.resolve(header)', resolved);
  row('await authorizationHeader() (warm)', asyncHeader, resolved, 'await Promise.resolve');

  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const url = new URL(base + PATH);
  const plainHttp = () =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { agent, headers: { authorization: header } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  const plainFetch = async () => {
    const res = await fetch(base + PATH, { headers: { authorization: header } });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    return res.arrayBuffer();
  };
  const signedFetch = authtoken.fetch(client);
  const viaFetch = async () => {
    const res = await signedFetch(PATH);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    return res.arrayBuffer();
  };
  const viaClient = async () => (await client.get(PATH)).raiseForStatus().body;

  const N = Number(process.env.BENCH_REQUESTS || 3000);
  for (const concurrency of [1, 16]) {
    const h = await nsPerOpAsync(N, concurrency, plainHttp);
    const f = await nsPerOpAsync(N, concurrency, plainFetch);
    const c = await nsPerOpAsync(N, concurrency, viaClient);
    const af = await nsPerOpAsync(N, concurrency, viaFetch);
    const tag = concurrency === 1 ? 'sequential' : `${concurrency} at a time`;
    row(`GET, http.request keep-alive, fixed header (${tag})`, h);
    row(`GET, fetch (undici), fixed header (${tag})`, f, h, 'http.request');
    row(`GET, client.get() (${tag})`, c, h, 'http.request');
    rows[rows.length - 1][2] += `, ${(c / f).toFixed(2)}x fetch`;
    row(`GET, authtoken.fetch(client) (${tag})`, af, f, 'fetch');
  }
  agent.destroy();

  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`authtoken ${authtoken.version}, node ${process.version}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4} (per request / call)`);
  for (const [what, t, ratio] of rows) console.log(`${what.padEnd(width)}  ${t.padStart(9)}  ${ratio}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
