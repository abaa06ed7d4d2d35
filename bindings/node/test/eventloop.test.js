'use strict';
// Network calls and lock waits run on the libuv thread pool: the event loop keeps ticking
// through a slow login (the emulator's delay fault) and through another process's login.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { test } = require('node:test');

const { authtoken, emulator, makeClient, clientConfig, uniqueUser, uniqueOrg, tempDir } = require('./helpers');

/** Runs `work` while a 10 ms interval ticks; returns the ticks and the longest gap (ms). */
async function measure(work) {
  let ticks = 0;
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 10);
  const start = performance.now();
  try {
    const value = await work();
    const elapsed = performance.now() - start;
    // Let the interval fire once more, so that a stall at the very end is seen too.
    await new Promise((r) => setTimeout(r, 25));
    return { value, ticks, maxGap, elapsed };
  } finally {
    clearInterval(timer);
  }
}

test('the loop keeps running during a slow login; the Sync form blocks it', async () => {
  const { client, username } = makeClient();
  await emulator.fault({ service: 'tpstreams', path: 'login', kind: 'delay', delay_ms: 1500 });
  const slow = await measure(() => client.authorizationHeader());
  assert.match(slow.value, /^Token /);
  assert.ok(slow.elapsed >= 1400, `the login took ${slow.elapsed} ms: the fault did not apply`);
  assert.ok(slow.ticks >= 50, `only ${slow.ticks} ticks during a ${slow.elapsed} ms login`);
  assert.ok(slow.maxGap < 300, `the loop stalled for ${slow.maxGap} ms`);
  assert.equal(await emulator.logins('tpstreams', username), 1);

  // The contrast, proving the measure: the synchronous form holds the loop.
  client.forget();
  await emulator.fault({ service: 'tpstreams', path: 'login', kind: 'delay', delay_ms: 1000 });
  const blocked = await measure(async () => {
    await new Promise((r) => setTimeout(r, 30));
    return client.authorizationHeaderSync();
  });
  assert.ok(blocked.maxGap >= 900, `the Sync login let the loop run (max gap ${blocked.maxGap} ms)`);
});

test('the loop keeps running during a signed request to a slow endpoint', async () => {
  const { client } = makeClient();
  await client.authorizationHeader();
  await emulator.fault({ service: 'tpstreams', path: '/api/echo/', kind: 'delay', delay_ms: 1000 });
  const slow = await measure(() => client.get('/api/echo/'));
  assert.equal(slow.value.status, 200);
  assert.ok(slow.ticks >= 40 && slow.maxGap < 300, `ticks ${slow.ticks}, max gap ${slow.maxGap} ms`);
});

test('waiting for another process login lock does not block the loop', async () => {
  const dir = tempDir();
  const config = clientConfig('tpstreams', uniqueUser(), uniqueOrg(), { cache: 'file', cache_dir: dir });
  await emulator.fault({ service: 'tpstreams', path: 'login', kind: 'delay', delay_ms: 2000 });
  // The other process logs in (holding the cache lock for 2 s) and prints its header.
  const child = spawn(process.execPath, ['-e', `
    const a = require(${JSON.stringify(path.resolve(__dirname, '..'))});
    const c = new a.Client(JSON.parse(process.argv[1]));
    process.stdout.write(c.authorizationHeaderSync());
  `, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let childOut = '';
  child.stdout.on('data', (d) => (childOut += d));
  const exited = new Promise((r) => child.on('exit', r));
  // Wait until the child's login is in flight (the emulator counts the attempt when it arrives).
  for (let i = 0; i < 200; i++) {
    const attempts = (await emulator.stats()).login_attempts.tpstreams[config.username] ?? 0;
    if (attempts > 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const client = new authtoken.Client(config);
  const waited = await measure(() => client.authorizationHeader());
  assert.equal(await exited, 0);
  assert.equal(waited.value, childOut, 'the header the other process obtained');
  assert.ok(waited.elapsed >= 500, `did not wait for the lock (${waited.elapsed} ms)`);
  assert.ok(waited.maxGap < 300, `the loop stalled for ${waited.maxGap} ms`);
  assert.equal(await emulator.logins('tpstreams', config.username), 1);
});
