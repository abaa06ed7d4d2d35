// The TypeScript example of docs/node.md (checked with `tsc --noEmit` by make lint-node; run it
// with any TypeScript runner). Against the emulator when AUTHTOKEN_EMULATOR is set.
import axios from 'axios';
import * as authtoken from 'authtoken';

async function main(): Promise<void> {
  const base = process.env.AUTHTOKEN_EMULATOR ?? 'https://app.tpstreams.com';
  const client = new authtoken.Client({
    provider: 'tpstreams',
    username: 'hari@example.com',
    password: process.env.AUTHTOKEN_PASSWORD,
    organization_id: 'auhf2k',
    base_url: process.env.AUTHTOKEN_EMULATOR ? `${base}/tpstreams` : undefined,
  });

  const header: string = await client.authorizationHeader();
  console.log('scheme', header.split(' ')[0]);

  const assets = await client.get('/api/v1/auhf2k/assets/', { query: { page: 1 } });
  const list: unknown[] = assets.raiseForStatus().json<unknown[]>();
  console.log('assets', assets.status, list.length, assets.headers.get('content-type'));

  const created = await client.post('/api/v1/auhf2k/assets/videos/', { json: { title: 'clip' } });
  console.log('created', created.status, created.text().length);

  const signedFetch = authtoken.fetch(client);
  const viaFetch: Response = await signedFetch('/api/v1/auhf2k/assets/');
  console.log('fetch', viaFetch.status);

  const http = axios.create({ baseURL: client.baseUrl });
  const eject = authtoken.useAxios(http, client);
  const viaAxios = await http.get<unknown[]>('/api/v1/auhf2k/assets/');
  console.log('axios', viaAxios.status);
  eject();

  try {
    await client.get('https://elsewhere.example.com/');
  } catch (e) {
    if (e instanceof authtoken.InvalidArgumentError) {
      const code: number = e.code;
      console.log('refused another origin', code, e.kind);
    } else if (e instanceof authtoken.AuthTokenError) {
      console.log(e.status, e.serverMessage, e.errorCode, e.retryAfter);
    }
  }
  const cls: typeof authtoken.AuthTokenError = authtoken.errorClass(3);
  console.log(cls.name, authtoken.version, authtoken.configKeys().length);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
