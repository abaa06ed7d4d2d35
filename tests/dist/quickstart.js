// The Node.js install quickstart (README "Install"), as make test-dist runs it: the package
// installed from authtoken-node-VERSION.tgz into a fresh project, no repository. Prints one
// line: the scheme of the header, the status of a signed GET, the library's version. Against
// the emulator named by AUTHTOKEN_EMULATOR; the password comes from AUTHTOKEN_PASSWORD; the
// token is shared through AUTHTOKEN_CACHE_DIR with the other languages' quickstarts (no logout
// here: test-dist counts one login for all of them).
'use strict';

const authtoken = require('authtoken');

async function main() {
  const client = new authtoken.Client({
    provider: 'tpstreams',
    username: 'hari@example.com',
    organization_id: 'auhf2k',
    base_url: `${process.env.AUTHTOKEN_EMULATOR}/tpstreams`,
  });
  const scheme = (await client.authorizationHeader()).split(' ')[0];
  const status = (await client.get('/api/v1/auhf2k/assets/')).raiseForStatus().status;
  console.log(`node ${process.versions.node}: scheme ${scheme}, GET assets ${status}, authtoken ${authtoken.version}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
