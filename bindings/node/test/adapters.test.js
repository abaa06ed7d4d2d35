'use strict';
// authtoken.fetch(client) and useAxios(instance, client): signing, the core's origin and
// refusal rules, one re-login on a refused token (bindings/python/tests/test_adapters.py).

const assert = require('node:assert/strict');
const { test } = require('node:test');
const axios = require('axios');

const { authtoken, emulator, makeClient } = require('./helpers');

test('fetch: signs, resends once after a revoked token, keeps the body', async () => {
  const { client, username } = makeClient();
  const signed = authtoken.fetch(client);
  let res = await signed('/api/echo/', { headers: { 'x-trace': 't1' } });
  assert.equal(res.status, 200);
  let sent = await res.json();
  const first = sent.headers.authorization;
  assert.equal(first, await client.authorizationHeader());
  assert.equal(sent.headers['x-trace'], 't1');

  await emulator.revoke('tpstreams', username);
  res = await signed(new URL(`${client.baseUrl}/api/echo/`), {
    method: 'POST',
    body: JSON.stringify({ resent: true }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(res.status, 200);
  sent = await res.json();
  assert.deepEqual(JSON.parse(sent.body), { resent: true });
  assert.notEqual(sent.headers.authorization, first);
  assert.equal(await emulator.logins('tpstreams', username), 2);
});

test('fetch: a second refusal is returned as it is', async () => {
  const { client, username } = makeClient();
  const signed = authtoken.fetch(client);
  await client.authorizationHeader();
  await emulator.fault({ service: 'tpstreams', path: '/api/echo/', kind: 'status', status: 401, count: 2 });
  const res = await signed(`${client.baseUrl}/api/echo/`);
  assert.equal(res.status, 401);
  assert.equal(await emulator.logins('tpstreams', username), 2);
});

test('fetch: Testpress 403 for a bad JWT is a refusal; another 403 is not', async () => {
  const { client, username } = makeClient('testpress');
  const signed = authtoken.fetch(client);
  await client.authorizationHeader();
  await emulator.revoke('testpress', username);
  const res = await signed('/api/v2.5/exams/');
  assert.equal(res.status, 200);
  assert.equal(await emulator.logins('testpress', username), 2);
  await emulator.fault({ service: 'testpress', path: '/api/v2.5/exams/', kind: 'status', status: 403, count: 1 });
  assert.equal((await signed('/api/v2.5/exams/')).status, 403);
  assert.equal(await emulator.logins('testpress', username), 2);
});

test('fetch: never sends the header to another origin, nor accepts one from the caller', async () => {
  const { client, username } = makeClient();
  let called = 0;
  const signed = authtoken.fetch(client, { fetch: async () => { called++; return new Response('x'); } });
  await assert.rejects(signed('http://127.0.0.1:1/api/'), (e) => e instanceof authtoken.InvalidArgumentError && /refusing to send/.test(e.message));
  await assert.rejects(signed('ftp://127.0.0.1/'), authtoken.InvalidArgumentError);
  await assert.rejects(signed('/api/echo/', { headers: { authorization: 'Token mine' } }), authtoken.InvalidArgumentError);
  assert.equal(called, 0);
  assert.equal(await emulator.logins('tpstreams', username), 0);
  assert.throws(() => authtoken.fetch({}), TypeError);
});

test('axios: signs, resends once after a revoked token', async () => {
  const { client, username } = makeClient();
  const http = axios.create();
  const eject = authtoken.useAxios(http, client);
  let res = await http.get('/api/echo/', { params: { a: 1 } });
  assert.equal(res.status, 200);
  const first = res.data.headers.authorization;
  assert.equal(first, await client.authorizationHeader());
  assert.equal(res.data.query, 'a=1');

  await emulator.revoke('tpstreams', username);
  res = await http.post(`${client.baseUrl}/api/echo/`, { resent: true });
  assert.deepEqual(JSON.parse(res.data.body), { resent: true });
  assert.notEqual(res.data.headers.authorization, first);
  assert.equal(await emulator.logins('tpstreams', username), 2);

  await emulator.fault({ service: 'tpstreams', path: '/api/echo/', kind: 'status', status: 401, count: 2 });
  await assert.rejects(http.get('/api/echo/'), (e) => e.response?.status === 401);
  assert.equal(await emulator.logins('tpstreams', username), 3);

  // validateStatus accepting everything: a refusal still logs in again and resends.
  await emulator.revoke('tpstreams', username);
  res = await http.get('/api/echo/', { validateStatus: () => true });
  assert.equal(res.status, 200);
  assert.equal(await emulator.logins('tpstreams', username), 4);

  eject();
  res = await http.get(`${client.baseUrl}/api/echo/`, { validateStatus: () => true });
  assert.equal(res.status, 401, 'after eject nothing signs the request');
});

test('axios: Testpress 403 for a bad JWT; other origins refused', async () => {
  const { client, username } = makeClient('testpress');
  const http = axios.create({ baseURL: client.baseUrl });
  authtoken.useAxios(http, client);
  await client.authorizationHeader();
  await emulator.revoke('testpress', username);
  assert.equal((await http.get('/api/v2.5/exams/')).status, 200);
  assert.equal(await emulator.logins('testpress', username), 2);
  await assert.rejects(http.get('http://127.0.0.1:1/x'), authtoken.InvalidArgumentError);
  assert.throws(() => authtoken.useAxios({}, client), TypeError);
});
