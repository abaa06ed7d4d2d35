'use strict';
// Processes: a storm of node processes (and a Python and a PHP one, when those bindings are
// built) sharing one file cache makes one login; so do node:cluster workers.

const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { test } = require('node:test');

const { authtoken, emulator, clientConfig, uniqueUser, uniqueOrg, tempDir, ROOT, PASSWORD } = require('./helpers');

const PROCESSES = 8;
const CALLS = 16;
const PYTHON = path.join(ROOT, 'bindings', 'python', '.venv', 'bin', 'python');
const PHP = process.env.PHP || 'php';
const PHP_WORKER = path.join(__dirname, 'storm-worker.php');

const PYTHON_WORKER = `
import json, sys, threading
import authtoken
config, calls = json.loads(sys.argv[1]), int(sys.argv[2])
client = authtoken.Client(**config)
print("ready", flush=True)
sys.stdin.readline()
seen, errors, lock = [], [], threading.Lock()
def one():
    try:
        h = client.get("/api/echo/").json()["headers"]["authorization"]
        with lock: seen.append(h)
    except Exception as e:
        with lock: errors.append(f"{type(e).__name__}: {e}")
threads = [threading.Thread(target=one) for _ in range(calls)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"headers": seen, "errors": errors}), flush=True)
`;

/** Whether the Python binding is importable from its virtual environment. */
function pythonAvailable() {
  if (!fs.existsSync(PYTHON)) return `no Python virtual environment at ${PYTHON} (make deps-python build-python)`;
  try {
    execFileSync(PYTHON, ['-c', 'import authtoken'], { stdio: 'ignore' });
    return null;
  } catch {
    return `authtoken is not installed in ${PYTHON} (make build-python)`;
  }
}

/** Whether PHP with FFI can load the library the PHP binding is pointed at (AUTHTOKEN_LIB). */
function phpAvailable() {
  const lib = process.env.AUTHTOKEN_LIB;
  if (!lib || !fs.existsSync(lib)) return `AUTHTOKEN_LIB does not name a libauthtoken.so (make test-node sets it)`;
  try {
    execFileSync(PHP, ['-r', `require ${JSON.stringify(path.join(ROOT, 'bindings', 'php', 'autoload.php'))}; AuthToken\\Library::version();`], {
      stdio: 'ignore',
    });
    return null;
  } catch {
    return `${PHP} cannot load ${lib} through FFI (make deps-php)`;
  }
}

/** Starts a worker; resolves to {go, result} once it printed "ready". */
function startWorker(command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return (async () => {
    const first = await iterator.next();
    assert.equal(first.value, 'ready', `${command} did not start`);
    return {
      go: () => child.stdin.end('go\n'),
      result: (async () => {
        const line = await iterator.next();
        assert.equal(await exited, 0, `${command} failed`);
        return JSON.parse(line.value);
      })(),
    };
  })();
}

async function storm(t, { python = false, php = false } = {}) {
  const dir = tempDir();
  const config = clientConfig('tpstreams', uniqueUser(), uniqueOrg(), { cache: 'file', cache_dir: dir });
  const json = JSON.stringify(config);
  const starting = Array.from({ length: PROCESSES }, () =>
    startWorker(process.execPath, [path.join(__dirname, 'storm-worker.js'), json, String(CALLS)]),
  );
  if (python) starting.push(startWorker(PYTHON, ['-c', PYTHON_WORKER, json, String(CALLS)]));
  if (php) starting.push(startWorker(PHP, [PHP_WORKER, json, String(CALLS)]));
  const workers = await Promise.all(starting);
  for (const w of workers) w.go();
  const outcomes = await Promise.all(workers.map((w) => w.result));
  assert.deepEqual(outcomes.flatMap((o) => o.errors), []);
  const headers = outcomes.flatMap((o) => o.headers);
  assert.equal(headers.length, workers.length * CALLS);
  assert.equal(new Set(headers).size, 1, 'every call used the same token');
  assert.equal(await emulator.logins('tpstreams', config.username), 1);
  assert.ok(fs.readdirSync(dir, { recursive: true }).length > 0, 'the token was not written to the file cache');
  t.diagnostic(`${workers.length} processes x ${CALLS} calls, 1 login`);
}

test(`a storm of ${PROCESSES} node processes x ${CALLS} concurrent calls makes one login`, async (t) => {
  await storm(t);
});

test('... and a Python and a PHP process on the same cache directory share that login', async (t) => {
  const missing = [pythonAvailable(), phpAvailable()].filter(Boolean);
  if (missing.length > 0) {
    t.skip(`skipped: ${missing.join('; ')}`);
    return;
  }
  await storm(t, { python: true, php: true });
});

test('a wrong password in 4 processes x 8 concurrent calls costs one login attempt', async () => {
  const dir = tempDir();
  const username = uniqueUser();
  const wrong = clientConfig('tpstreams', username, uniqueOrg(), {
    cache: 'file',
    cache_dir: dir,
    password: 'wrong-password-123',
  });
  const workers = await Promise.all(
    Array.from({ length: 4 }, () =>
      startWorker(process.execPath, [path.join(__dirname, 'storm-worker.js'), JSON.stringify(wrong), '8']),
    ),
  );
  for (const w of workers) w.go();
  const outcomes = await Promise.all(workers.map((w) => w.result));
  const errors = outcomes.flatMap((o) => o.errors);
  assert.equal(errors.length, 32);
  for (const e of errors) {
    assert.ok(e.startsWith('InvalidCredentialsError: '), e);
    assert.ok(e.includes('Unable to log in with provided credentials.'), e);
    assert.ok(!e.includes('wrong-password-123'), e);
  }
  assert.equal(await emulator.loginAttempts('tpstreams', username), 1);
  const fixed = new authtoken.Client({ ...wrong, password: PASSWORD });
  assert.match(await fixed.authorizationHeader(), /^Token /);
  assert.equal(await emulator.loginAttempts('tpstreams', username), 2);
});

test('node:cluster workers share one login through the file cache', async () => {
  const dir = tempDir();
  const config = clientConfig('tpstreams', uniqueUser(), uniqueOrg(), { cache: 'file', cache_dir: dir });
  const out = execFileSync(process.execPath, [path.join(__dirname, 'cluster-app.js'), JSON.stringify(config), '4', '8'], {
    encoding: 'utf8',
    timeout: 120000,
  });
  const { headers, errors } = JSON.parse(out.trim().split('\n').pop());
  assert.deepEqual(errors, []);
  assert.equal(headers.length, 32);
  assert.equal(new Set(headers).size, 1);
  assert.equal(await emulator.logins('tpstreams', config.username), 1);
});
