'use strict';
// Shared by the node:test suites: the emulator's admin API (emulator/README.md) and clients
// against it. The emulator is the one scripts/with-emulator.sh started (AUTHTOKEN_EMULATOR).

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after } = require('node:test');

const authtoken = require('..');

const PASSWORD = process.env.AUTHTOKEN_TEST_PASSWORD || 'demo-password';
const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCHEMES = {
  tpstreams: 'Token',
  'tpstreams-legacy': 'token',
  testpress: 'JWT',
  cruxconnect: 'Token',
};

const EMULATOR = process.env.AUTHTOKEN_EMULATOR;
if (!EMULATOR) {
  throw new Error('AUTHTOKEN_EMULATOR is not set: run the tests through scripts/with-emulator.sh (make test-node)');
}

const emulator = {
  root: EMULATOR.replace(/\/$/, ''),
  baseUrl(service) {
    return `${this.root}/${service}`;
  },
  async admin(method, what, body) {
    const res = await fetch(`${this.root}/_emulator/${what}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator ${method} ${what}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  },
  stats() {
    return this.admin('GET', 'stats');
  },
  async logins(service, username) {
    return (await this.stats()).logins[service][username] ?? 0;
  },
  /** Every login POST the server saw for `username`, refused ones included. */
  async loginAttempts(service, username) {
    return (await this.stats()).login_attempts[service][username] ?? 0;
  },
  async logouts(service, username) {
    return (await this.stats()).logouts[service][username] ?? 0;
  },
  fault(fault) {
    return this.admin('POST', 'faults', fault);
  },
  async revoke(service, username) {
    return (await this.admin('POST', 'revoke', { service, username })).revoked;
  },
};

/** A username no other test uses (the emulator counts per username). */
function uniqueUser(prefix = 'node') {
  return `${prefix}-${crypto.randomBytes(6).toString('hex')}@example.com`;
}

function uniqueOrg() {
  return `org-${crypto.randomBytes(5).toString('hex')}`;
}

const tempDirs = [];
/** A private temporary directory, removed when the test file ends. */
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtoken-node-test-'));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function clientConfig(service, username, org, overrides = {}) {
  const config = {
    provider: service,
    username,
    password: PASSWORD,
    base_url: emulator.baseUrl(service),
    cache: 'memory',
    max_retries: 0,
  };
  if (service === 'tpstreams') config.organization_id = org;
  return { ...config, ...overrides };
}

/** A client for a fresh identity: `{client, username, org}`. */
function makeClient(service = 'tpstreams', overrides = {}, identity = {}) {
  const username = identity.username ?? uniqueUser();
  const org = identity.org ?? uniqueOrg();
  const client = new authtoken.Client(clientConfig(service, username, org, overrides));
  return { client, username, org };
}

function echo(response) {
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${response.text()}`);
  return response.json();
}

module.exports = {
  authtoken,
  PASSWORD,
  ROOT,
  SCHEMES,
  emulator,
  uniqueUser,
  uniqueOrg,
  tempDir,
  clientConfig,
  makeClient,
  echo,
};
