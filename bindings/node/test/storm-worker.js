'use strict';
// One process of the storm test: `node storm-worker.js CONFIG_JSON CALLS`. Prints "ready",
// waits for a line on stdin (so that every process starts at once), sends CALLS signed GETs
// concurrently and prints {headers, errors}: the Authorization headers the server saw.

const authtoken = require('..');

const [config, calls] = [JSON.parse(process.argv[2]), Number(process.argv[3])];
const client = new authtoken.Client(config);
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  process.stdin.pause();
  const results = await Promise.allSettled(
    Array.from({ length: calls }, () => client.get('/api/echo/')),
  );
  const headers = [];
  const errors = [];
  for (const r of results) {
    if (r.status === 'fulfilled') headers.push(r.value.json().headers.authorization);
    else errors.push(`${r.reason.name}: ${r.reason.message}`);
  }
  process.stdout.write(JSON.stringify({ headers, errors }) + '\n');
});
