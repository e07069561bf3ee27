import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { localIssuer, localSigner } from './jwt';
import { LOCAL_STATE_DIR } from './paths';

/** `npm run token -- --sub <userId> [--scope "<scopes>"]`: a token the local gateway accepts. */
const { values } = parseArgs({
  options: { sub: { type: 'string' }, scope: { type: 'string' }, 'expires-in': { type: 'string', default: '12h' } },
});
if (!values.sub) {
  console.error('usage: npm run token -- --sub <userId> [--scope "<scopes>"] [--expires-in 12h]');
  process.exit(2);
}
// The issuer is the running stack's identity provider; `npm start` writes where it is.
const localFile = join(LOCAL_STATE_DIR, 'local.json');
const issuer = existsSync(localFile)
  ? (JSON.parse(readFileSync(localFile, 'utf8')) as { issuer: string }).issuer
  : localIssuer(`http://127.0.0.1:${process.env.GUESTPASS_API_PORT ?? 3000}`);
const signer = await localSigner(join(LOCAL_STATE_DIR, 'signing-key.json'), issuer);
console.log(await signer.sign({ sub: values.sub, ...(values.scope ? { scope: values.scope } : {}), expiresIn: values['expires-in'] }));
