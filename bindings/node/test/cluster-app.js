'use strict';
// The cluster test's application: `node cluster-app.js CONFIG_JSON WORKERS CALLS`. The primary
// forks WORKERS workers (node:cluster); each sends CALLS signed GETs at once and reports the
// headers the server saw over IPC; the primary prints {headers, errors} and exits.

const cluster = require('node:cluster');
const authtoken = require('..');

const [config, workers, calls] = [JSON.parse(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];

if (cluster.isPrimary) {
  const headers = [];
  const errors = [];
  let done = 0;
  for (let i = 0; i < workers; i++) {
    const worker = cluster.fork();
    worker.on('message', (m) => {
      headers.push(...m.headers);
      errors.push(...m.errors);
      worker.disconnect();
      if (++done === workers) process.stdout.write(JSON.stringify({ headers, errors }) + '\n');
    });
  }
} else {
  const client = new authtoken.Client(config);
  Promise.allSettled(Array.from({ length: calls }, () => client.get('/api/echo/'))).then((results) => {
    process.send({
      headers: results.filter((r) => r.status === 'fulfilled').map((r) => r.value.json().headers.authorization),
      errors: results.filter((r) => r.status === 'rejected').map((r) => `${r.reason.name}: ${r.reason.message}`),
    });
  });
}
