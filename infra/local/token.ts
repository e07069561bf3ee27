import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localSigner } from './jwt';
import { LOCAL_STATE_DIR } from './paths';

/** `npm run token -- --sub <userId> [--scope "<scopes>"]`: a token the local gateway accepts. */
const { values } = parseArgs({
  options: { sub: { type: 'string' }, scope: { type: 'string' }, 'expires-in': { type: 'string', default: '12h' } },
});
if (!values.sub) {
  console.error('usage: npm run token -- --sub <userId> [--scope "<scopes>"] [--expires-in 12h]');
  process.exit(2);
}
const signer = await localSigner(join(LOCAL_STATE_DIR, 'signing-key.json'));
console.log(await signer.sign({ sub: values.sub, ...(values.scope ? { scope: values.scope } : {}), expiresIn: values['expires-in'] }));
