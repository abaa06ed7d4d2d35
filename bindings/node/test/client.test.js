'use strict';
// The Client against the emulator: providers, headers, signed requests, logout, 401, errors
// (the scenarios of bindings/python/tests/test_client.py).

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { authtoken, PASSWORD, SCHEMES, emulator, makeClient, clientConfig, uniqueUser, uniqueOrg, tempDir, echo } =
  require('./helpers');

for (const service of Object.keys(SCHEMES).sort()) {
  test(`${service}: logs in once and signs requests`, async () => {
    const { client, username } = makeClient(service);
    const header = await client.authorizationHeader();
    assert.equal(header, `${SCHEMES[service]} ${client.tokenSync()}`);
    assert.equal(client.authorizationHeaderSync(), header);
    const sent = echo(await client.get('/api/echo/'));
    assert.equal(sent.headers.authorization, header);
    assert.equal(sent.path, `/${service}/api/echo/`);
    for (let i = 0; i < 3; i++) {
      await client.get('/api/echo/');
      assert.equal(await client.authorizationHeader(), header);
    }
    assert.equal(await emulator.logins(service, username), 1);
  });
}

test('custom provider profile', async () => {
  const username = uniqueUser();
  const client = new authtoken.Client({
    provider: 'custom',
    base_url: emulator.baseUrl('tpstreams'),
    username,
    password: PASSWORD,
    login_path: '/api/auth/login/',
    logout_path: '/api/auth/logout/',
    extra_fields: { organization_id: uniqueOrg() },
    token_field: 'token',
    expiry_field: 'expiry',
    scheme: 'Token',
    cache: 'memory',
  });
  const header = await client.authorizationHeader();
  assert.match(header, /^Token [0-9a-f]{64}$/);
  assert.equal(echo(await client.get('/api/echo/')).headers.authorization, header);
  await client.logout();
  assert.equal(await emulator.logins('tpstreams', username), 1);
  assert.equal(await emulator.logouts('tpstreams', username), 1);
});

test('signed requests send query, headers and bodies', async () => {
  const { client } = makeClient();
  const response = await client.get('/api/echo/items', {
    query: { page: 2, tag: ['a', 'b'] },
    headers: { 'X-Trace': 't1' },
  });
  let sent = echo(response);
  assert.equal(sent.method, 'GET');
  assert.equal(sent.query, 'page=2&tag=a&tag=b');
  assert.equal(sent.headers['x-trace'], 't1');
  assert.ok(response.url.endsWith('/tpstreams/api/echo/items?page=2&tag=a&tag=b'));
  assert.ok(response.ok);
  assert.match(response.headers.get('Content-Type'), /^application\/json/);
  assert.equal(response.text(), response.body.toString('utf8'));
  assert.ok(Buffer.isBuffer(response.body));

  sent = echo(await client.post('/api/echo/', { json: { name: 'clip', n: 1, ü: true } }));
  assert.equal(sent.method, 'POST');
  assert.deepEqual(JSON.parse(sent.body), { name: 'clip', n: 1, ü: true });
  assert.equal(sent.headers['content-type'], 'application/json');

  sent = echo(await client.put('/api/echo/', { body: Buffer.from('raw-bytes'), headers: [['Content-Type', 'text/plain']] }));
  assert.deepEqual([sent.method, sent.body, sent.headers['content-type']], ['PUT', 'raw-bytes', 'text/plain']);

  sent = echo(await client.patch('/api/echo/', { body: new URLSearchParams({ a: '1', b: 'x y' }) }));
  assert.deepEqual([sent.method, sent.body], ['PATCH', 'a=1&b=x+y']);
  assert.equal(sent.headers['content-type'], 'application/x-www-form-urlencoded');

  sent = echo(await client.request('POST', '/api/echo/', { body: 'text body', headers: new Headers({ 'x-a': 'b' }) }));
  assert.deepEqual([sent.body, sent.headers['x-a']], ['text body', 'b']);

  assert.equal(echo(await client.delete('/api/echo/')).method, 'DELETE');
  assert.equal(echo(await client.request('options', '/api/echo/', { query: 'x=1' })).method, 'OPTIONS');

  const absolute = `${emulator.baseUrl('tpstreams')}/api/echo/?a=1`;
  assert.equal(echo(await client.get(absolute, { query: { b: 2 } })).query, 'a=1&b=2');
});

test('raiseForStatus maps the status to an error', async () => {
  const { client } = makeClient();
  const ok = await client.get('/api/echo/');
  assert.equal(ok.raiseForStatus(), ok);

  const missing = await client.get('/api/missing/');
  assert.equal(missing.status, 404);
  assert.equal(missing.ok, false);
  const error = (() => {
    try {
      missing.raiseForStatus();
    } catch (e) {
      return e;
    }
    return null;
  })();
  assert.ok(error instanceof authtoken.HttpStatusError);
  assert.ok(error instanceof authtoken.AuthTokenError);
  assert.ok(error instanceof Error);
  assert.deepEqual([error.code, error.kind, error.status, error.name], [15, 'http_status', 404, 'HttpStatusError']);
  assert.equal(error.serverMessage, 'Not found.');
  assert.equal(error.response, missing);
  assert.match(error.message, /404/);

  await emulator.fault({ service: 'tpstreams', path: '/api/echo/', kind: 'status', status: 503, retry_after: 7, count: 1 });
  const unavailable = await client.get('/api/echo/');
  assert.equal(unavailable.status, 503);
  assert.throws(() => unavailable.raiseForStatus(), (e) => {
    assert.ok(e instanceof authtoken.ServerError);
    assert.deepEqual([e.code, e.status, e.retryAfter], [10, 503, 7]);
    return true;
  });
});

test('logout revokes the token for everyone', async () => {
  const { client, username } = makeClient();
  const old = await client.authorizationHeader();
  await client.logout();
  assert.equal(await emulator.logouts('tpstreams', username), 1);
  const refused = await fetch(`${emulator.baseUrl('tpstreams')}/api/echo/`, { headers: { authorization: old } });
  assert.equal(refused.status, 401);
  assert.notEqual(await client.authorizationHeader(), old);
  assert.equal(await emulator.logins('tpstreams', username), 2);
});

test('logout without a token sends nothing', async () => {
  const { client, username } = makeClient();
  await client.logout();
  assert.equal(await emulator.logouts('tpstreams', username), 0);
});

test('logout where the service has no endpoint forgets locally', async () => {
  const { client, username } = makeClient('tpstreams-legacy');
  const old = await client.authorizationHeader();
  await client.logout();
  assert.notEqual(await client.authorizationHeader(), old);
  assert.equal(await emulator.logins('tpstreams-legacy', username), 2);
});

test('forget drops the token locally without revoking it', async () => {
  const { client, username } = makeClient();
  const old = await client.authorizationHeader();
  client.forget();
  assert.notEqual(await client.authorizationHeader(), old);
  assert.equal(await emulator.logouts('tpstreams', username), 0);
  assert.equal(await emulator.logins('tpstreams', username), 2);
});

test('invalidate is compare-and-invalidate', async () => {
  const { client, username } = makeClient();
  const old = await client.authorizationHeader();
  assert.equal(client.invalidate(old), true);
  assert.equal(client.invalidate(old), false);
  const fresh = await client.authorizationHeader();
  assert.notEqual(fresh, old);
  assert.equal(client.invalidate(old), false, 'an old token does not throw away the new one');
  assert.equal(await client.authorizationHeader(), fresh);
  assert.equal(await client.invalidateAsync(fresh.split(' ')[1]), true, 'the bare token works too');
  assert.throws(() => client.invalidate(''), authtoken.InvalidArgumentError);
  assert.equal(await emulator.logins('tpstreams', username), 2);
});

test('a revoked token is replaced and the request resent', async () => {
  const { client, username } = makeClient();
  const old = await client.authorizationHeader();
  assert.equal(await emulator.revoke('tpstreams', username), 1);
  const sent = echo(await client.post('/api/echo/', { json: { resent: true } }));
  assert.deepEqual(JSON.parse(sent.body), { resent: true });
  assert.notEqual(sent.headers.authorization, old);
  assert.equal(await emulator.logins('tpstreams', username), 2);
});

test('the cached header follows every new token', async () => {
  const { client, username } = makeClient();
  const warm = await client.authorizationHeader();
  assert.equal(client.authorizationHeaderSync(), warm);
  assert.equal(echo(await client.get('/api/echo/')).headers.authorization, warm);
  assert.equal(await emulator.revoke('tpstreams', username), 1);
  const sent = echo(await client.get('/api/echo/')).headers.authorization; // refused, logs in again, resent
  assert.notEqual(sent, warm);
  assert.equal(client.authorizationHeaderSync(), sent, 'the sync header is the new token');
  assert.equal(await client.authorizationHeader(), sent, 'so is the async one');
  client.forget();
  const afterForget = client.authorizationHeaderSync();
  assert.notEqual(afterForget, sent);
  assert.equal(echo(await client.get('/api/echo/')).headers.authorization, afterForget);
  assert.equal(await emulator.logins('tpstreams', username), 3);
  const text = require('node:util').inspect(client, { showHidden: true, depth: 5 });
  assert.ok(!text.includes(afterForget.split(' ')[1]), 'inspect never shows the cached header');
  client.close();
  assert.throws(() => client.authorizationHeaderSync(), (e) => e instanceof authtoken.InvalidArgumentError && /closed/.test(e.message));
  await assert.rejects(client.authorizationHeader(), (e) => e instanceof authtoken.InvalidArgumentError && /closed/.test(e.message));
});

test('a second 401 raises UnauthorizedError', async () => {
  const { client, username } = makeClient();
  await client.authorizationHeader();
  await emulator.fault({ service: 'tpstreams', path: '/api/echo/', kind: 'status', status: 401, count: 2 });
  await assert.rejects(client.get('/api/echo/'), (e) => {
    assert.ok(e instanceof authtoken.UnauthorizedError);
    assert.deepEqual([e.code, e.kind, e.status], [4, 'unauthorized', 401]);
    return true;
  });
  assert.equal(await emulator.logins('tpstreams', username), 2);
});

test('Testpress: a 403 for a bad JWT logs in again', async () => {
  const { client, username } = makeClient('testpress');
  const old = await client.authorizationHeader();
  await emulator.revoke('testpress', username);
  const response = await client.get('/api/v2.5/exams/');
  assert.equal(response.status, 200, response.text());
  assert.notEqual(await client.authorizationHeader(), old);
  assert.equal(await emulator.logins('testpress', username), 2);
});

test('the token limit is reported as such', async () => {
  const org = uniqueOrg();
  const clientFor = (i) => new authtoken.Client(clientConfig('tpstreams', `limit-${i}-${org}@example.com`, org));
  const holders = Array.from({ length: 20 }, (_, i) => clientFor(i));
  await Promise.all(holders.map((h) => h.authorizationHeader()));
  const extra = clientFor(20);
  await assert.rejects(extra.get('/api/echo/'), (e) => {
    assert.ok(e instanceof authtoken.TokenLimitError);
    assert.deepEqual([e.code, e.kind, e.status], [3, 'token_limit', 403]);
    assert.equal(e.serverMessage, 'Maximum amount of tokens allowed per user exceeded.');
    assert.match(e.message, /log out tokens that are no longer used/);
    return true;
  });
  await holders[0].logout();
  extra.forget(); // the refusal is remembered for the identity (login_cooloff_s); forget() lifts it
  assert.match(await extra.authorizationHeader(), /^Token /);
});

test('Testpress parallel-login limit carries errorCode', async () => {
  await emulator.admin('POST', 'config', { max_parallel_logins: 1 });
  try {
    const username = uniqueUser();
    const { client } = makeClient('testpress', {}, { username });
    await client.authorizationHeader();
    client.forget(); // the token stays live on the server: the next login is a parallel one
    await assert.rejects(client.authorizationHeader(), (e) => {
      assert.ok(e instanceof authtoken.TokenLimitError);
      assert.equal(e.status, 403);
      assert.equal(e.errorCode, 'parallel_login_restriction');
      return true;
    });
  } finally {
    await emulator.admin('POST', 'config', { max_parallel_logins: null });
  }
});

test('a refused login is remembered: the same error at once, until forget()', async () => {
  const { client, username } = makeClient('tpstreams', { password: 'wrong-password-123' });
  const results = await Promise.allSettled(Array.from({ length: 16 }, () => client.authorizationHeader()));
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.ok(r.reason instanceof authtoken.InvalidCredentialsError);
  }
  assert.equal(await emulator.loginAttempts('tpstreams', username), 1);
  await assert.rejects(client.authorizationHeader(), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.serverMessage, 'Unable to log in with provided credentials.');
    assert.match(e.message, /remembered/);
    assert.ok(e.retryAfter > 0 && e.retryAfter <= 61, `retryAfter ${e.retryAfter}`);
    return true;
  });
  assert.equal(await emulator.loginAttempts('tpstreams', username), 1);
  client.forget();
  await assert.rejects(client.authorizationHeader(), authtoken.InvalidCredentialsError);
  assert.equal(await emulator.loginAttempts('tpstreams', username), 2);
});

test('a 429 with Retry-After stops every caller until it passes', async () => {
  await emulator.fault({ service: 'tpstreams', path: 'login', kind: 'status', status: 429, retry_after: 2 });
  const { client, username } = makeClient('tpstreams', { login_cooloff_s: 1 }); // the longer Retry-After wins
  const refusedAt = Date.now();
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.authorizationHeader()));
  for (const r of results) assert.ok(r.reason instanceof authtoken.RateLimitedError, String(r.reason));
  assert.equal(await emulator.loginAttempts('tpstreams', username), 1);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3200 - (Date.now() - refusedAt)) /* whole seconds, the end rounded up */));
  assert.match(await client.authorizationHeader(), /^Token /);
  assert.equal(await emulator.loginAttempts('tpstreams', username), 2);
});

test('bad credentials: InvalidCredentialsError, never the password', async () => {
  const { client, username } = makeClient('tpstreams', { password: 'wrong-password-123' });
  await assert.rejects(client.authorizationHeader(), (e) => {
    assert.ok(e instanceof authtoken.InvalidCredentialsError);
    assert.ok(e instanceof authtoken.AuthTokenError);
    assert.deepEqual([e.code, e.kind, e.status], [2, 'invalid_credentials', 400]);
    assert.equal(e.serverMessage, 'Unable to log in with provided credentials.');
    assert.ok(!e.message.includes('wrong-password-123'));
    assert.ok(!e.stack.includes('wrong-password-123'));
    assert.ok(!require('node:util').inspect(e).includes('wrong-password-123'));
    return true;
  });
  assert.throws(() => client.authorizationHeaderSync(), authtoken.InvalidCredentialsError);
  assert.equal(await emulator.logins('tpstreams', username), 0);
});

test('network errors and timeouts have their kinds', async () => {
  const { client } = makeClient('tpstreams', { base_url: 'http://127.0.0.1:9/tpstreams' });
  await assert.rejects(client.authorizationHeader(), (e) => {
    assert.ok(e instanceof authtoken.NetworkError);
    assert.deepEqual([e.code, e.kind, e.status], [7, 'network', null]);
    return true;
  });
  const slow = makeClient('tpstreams', { timeout_ms: 200 }).client;
  await emulator.fault({ service: 'tpstreams', path: 'login', kind: 'delay', delay_ms: 1000 });
  await assert.rejects(slow.authorizationHeader(), (e) => {
    assert.ok(e instanceof authtoken.TimeoutError);
    assert.deepEqual([e.code, e.kind], [8, 'timeout']);
    return true;
  });
});

test('unknown configuration keys are the core error, naming the key', () => {
  assert.throws(
    () => new authtoken.Client({ provider: 'tpstreams', username: 'u', pasword: 'p', organization_id: 'o' }),
    (e) => {
      assert.ok(e instanceof authtoken.InvalidConfigError);
      assert.equal(e.code, 1);
      assert.match(e.message, /unknown config key `pasword`.*password/);
      return true;
    },
  );
  assert.throws(() => new authtoken.Client('tpstreams'), TypeError);
  assert.throws(() => new authtoken.Client({ provider: 'tpstreams', cache_dir: () => 1 }), /cache_dir/);
});

for (const [overrides, named] of [
  [{ timeout_ms: 'soon' }, 'timeout_ms'],
  [{ timeout_ms: 0 }, 'timeout_ms'],
  [{ subdomain: 'demo' }, 'subdomain'],
  [{ organization_id: null }, 'organization_id'],
  [{ cache: 'floppy' }, 'cache'],
  [{ base_url: 'ftp://example.com' }, 'base_url'],
  [{ base_url: 'http://example.com/api' }, 'base_url'],
  [{ max_retries: 99 }, 'max_retries'],
]) {
  test(`invalid value of ${named} is an InvalidConfigError naming it`, () => {
    assert.throws(() => makeClient('tpstreams', overrides), (e) => {
      assert.ok(e instanceof authtoken.InvalidConfigError, String(e));
      assert.ok(e.message.includes(`\`${named}\``), e.message);
      assert.equal(e.code, 1);
      return true;
    });
  });
}

test('invalid request arguments send nothing', async () => {
  const { client, username } = makeClient();
  await assert.rejects(client.request('BREW', '/api/echo/'), (e) => e instanceof authtoken.InvalidArgumentError && /method/.test(e.message));
  await assert.rejects(client.get('http://localhost:1/api/echo/'), (e) => e instanceof authtoken.InvalidArgumentError && /refusing to send/.test(e.message));
  await assert.rejects(client.get('/api/echo/', { headers: { Authorization: 'Token mine' } }), (e) => e instanceof authtoken.InvalidArgumentError && /Authorization/.test(e.message));
  await assert.rejects(client.post('/api/echo/', { json: {}, body: '' }), (e) => e instanceof TypeError && /json or body/.test(e.message));
  await assert.rejects(client.get('/api/echo/', { headers: { 'X-Count': {} } }), (e) => e instanceof TypeError && /X-Count/.test(e.message));
  await assert.rejects(client.post('/api/echo/', { body: { a: 1 } }), (e) => e instanceof TypeError && /body must be/.test(e.message));
  await assert.rejects(client.post('/api/echo/', { json: { n: NaN } }), TypeError);
  await assert.rejects(client.post('/api/echo/', { jsn: {} }), (e) => e instanceof TypeError && /jsn/.test(e.message));
  const stats = await emulator.stats();
  assert.equal(stats.login_attempts.tpstreams[username] ?? 0, 0);
  assert.equal(stats.requests.tpstreams[username] ?? 0, 0);
});

test('fromConfig accepts JSON text and objects, with overrides', async () => {
  const username = uniqueUser();
  const org = uniqueOrg();
  const config = clientConfig('tpstreams', username, org);
  const fromObject = authtoken.Client.fromConfig(config);
  const fromText = authtoken.Client.fromConfig(Buffer.from(JSON.stringify(config)));
  assert.equal(await fromObject.authorizationHeader(), await fromText.authorizationHeader());
  assert.equal(await emulator.logins('tpstreams', username), 1);

  const { password, ...noPassword } = config;
  const dir = tempDir();
  const overridden = authtoken.Client.fromConfig(JSON.stringify(noPassword), { password, cache: 'file', cache_dir: dir });
  assert.equal(overridden.store, `file:${dir}`);
  assert.throws(() => authtoken.Client.fromConfig({ ...noPassword, pasword: password }), (e) => e instanceof authtoken.InvalidConfigError && /unknown config key `pasword`/.test(e.message));
  assert.throws(() => authtoken.Client.fromConfig('{"provider": "tpstreams", "password": "hunter22"'), (e) => e instanceof authtoken.InvalidConfigError && !e.message.includes('hunter22'));
  assert.throws(() => authtoken.Client.fromConfig('{"provider": "tpstreams"', { password: 'hunter22' }), (e) => e instanceof authtoken.InvalidConfigError && !e.message.includes('hunter22'));
  assert.throws(() => authtoken.Client.fromConfig('[1, 2]'), (e) => e instanceof authtoken.InvalidConfigError && /JSON object/.test(e.message));
  assert.throws(() => authtoken.Client.fromConfig(42), TypeError);
});

test('the password may come from the environment', async () => {
  const { password, ...config } = clientConfig('tpstreams', uniqueUser(), uniqueOrg());
  process.env.AUTHTOKEN_PASSWORD = password;
  try {
    assert.match(await new authtoken.Client(config).authorizationHeader(), /^Token /);
  } finally {
    delete process.env.AUTHTOKEN_PASSWORD;
  }
});

test('close releases the client without logging out', async () => {
  const { client, username, org } = makeClient('tpstreams', { cache: 'file', cache_dir: tempDir() });
  const header = await client.authorizationHeader();
  client.close();
  assert.equal(client.closed, true);
  assert.match(require('node:util').inspect(client), /closed/);
  await assert.rejects(client.get('/api/echo/'), (e) => e instanceof authtoken.InvalidArgumentError && /closed/.test(e.message));
  assert.throws(() => client.authorizationHeaderSync(), authtoken.InvalidArgumentError);
  client.close();
  assert.equal(await emulator.logouts('tpstreams', username), 0);
  void org;
  void header;
});

test('inspect and properties never show secrets', async () => {
  const { client, username } = makeClient();
  const token = client.tokenSync();
  const text = require('node:util').inspect(client);
  assert.ok(text.includes(username) && !text.includes(PASSWORD) && !text.includes(token));
  assert.deepEqual([client.provider, client.username, client.store], ['tpstreams', username, 'memory']);
  assert.ok(client.baseUrl.endsWith('/tpstreams'));
  assert.ok(!JSON.stringify(client).includes(token));
  client.checkUrl(`${client.baseUrl}/api/echo/`);
  assert.throws(() => client.checkUrl('https://app.tpstreams.com/api/'), (e) => e instanceof authtoken.InvalidArgumentError && /app.tpstreams.com/.test(e.message));
});

test('checkUrl is the core origin rule', () => {
  const { client } = makeClient();
  client.checkUrl(`${client.baseUrl}/x/?page=2`);
  client.checkUrl(new URL(`${client.baseUrl}/x/`));
  assert.throws(() => client.checkUrl('http://127.0.0.1:1/api/'), (e) => e.message.startsWith('refusing to send the Authorization header to http://127.0.0.1: this client is for'));
  assert.throws(() => client.checkUrl('ftp://127.0.0.1/'), /a ftp: URL: only http:\/\/ and https:\/\//);
  assert.throws(() => client.checkUrl('/api/'), /invalid URL `\/api\/`/);
});

test('isRefused is the core refusal rule', () => {
  const tpstreams = makeClient().client;
  const testpress = makeClient('testpress').client;
  const expired = Buffer.from('{"detail": "Signature has expired."}');
  assert.ok(tpstreams.isRefused(401, '') && testpress.isRefused(401, ''));
  assert.ok(!tpstreams.isRefused(403, expired));
  assert.ok(testpress.isRefused(403, expired));
  assert.ok(testpress.isRefused(403, '{"message": "Signature has expired."}'));
  assert.ok(!testpress.isRefused(403, '{"detail": "You do not have permission."}'));
  assert.ok(!testpress.isRefused(200, expired));
  const unread = () => {
    throw new Error('the body was read for a status that does not need it');
  };
  assert.ok(testpress.isRefused(401, unread) && !testpress.isRefused(500, unread));
  assert.ok(!tpstreams.isRefused(403, unread));
  assert.ok(testpress.isRefused(403, () => expired));
  assert.throws(() => testpress.isRefused(403, 42), TypeError);
});

test('error classes carry the core codes', () => {
  const expected = [
    ['InvalidConfigError', 'invalid_config'],
    ['InvalidCredentialsError', 'invalid_credentials'],
    ['TokenLimitError', 'token_limit'],
    ['UnauthorizedError', 'unauthorized'],
    ['ForbiddenError', 'forbidden'],
    ['RateLimitedError', 'rate_limited'],
    ['NetworkError', 'network'],
    ['TimeoutError', 'timeout'],
    ['TlsError', 'tls'],
    ['ServerError', 'server'],
    ['ProtocolError', 'protocol'],
    ['StoreError', 'store'],
    ['LockTimeoutError', 'lock_timeout'],
    ['InvalidArgumentError', 'invalid_argument'],
    ['HttpStatusError', 'http_status'],
    ['InternalError', 'internal'],
  ];
  expected.forEach(([name, kind], i) => {
    const cls = authtoken[name];
    assert.ok(cls.prototype instanceof authtoken.AuthTokenError, name);
    assert.deepEqual([cls.code, cls.kind, cls.name], [i + 1, kind, name]);
    assert.equal(authtoken.errorClass(i + 1), cls);
    const e = new cls('m', { status: 400 });
    assert.deepEqual([e.code, e.kind, e.status, e.name], [i + 1, kind, 400, name]);
  });
  assert.throws(() => authtoken.errorClass(0), RangeError);
  assert.deepEqual(authtoken.configKeys().slice(0, 3), ['provider', 'username', 'password']);
  assert.match(authtoken.version, /^\d+\.\d+\.\d+/);
});
