/**
 * `npm start`: the whole product on its embedded defaults — both emulators
 * (seeded on first start into the git-ignored data/ folder), both subgraphs and
 * the gateway. Ctrl-C stops everything.
 */
import { SingleBar, Presets } from 'cli-progress';
import { startStack } from './stack.js';
import { loadGatewayConfig } from '../gateway/src/config.js';
import { describeAccess } from '../gateway/src/auth/banner.js';

// The embedded default asks for bearer tokens (signed with the public development
// secret; a ready token is printed below) unless AUTH_MODE says otherwise.
const env: NodeJS.ProcessEnv = { ...process.env };
if (!env.AUTH_MODE?.trim() && env.NODE_ENV !== 'production') env.AUTH_MODE = 'hs256';

let bar: SingleBar | undefined;
let barLabel = '';
const stack = await startStack({
  env,
  log: (line) => console.log(line),
  onSeedProgress: (done, total, label) => {
    if (label !== barLabel) {
      bar?.stop();
      barLabel = label;
      bar = new SingleBar({ format: `Seeding ${label.padEnd(28)} [{bar}] {percentage}% {value}/{total}`, hideCursor: true }, Presets.shades_classic);
      bar.start(total, 0);
    }
    bar?.update(done);
    if (done >= total) {
      bar?.stop();
      bar = undefined;
    }
  },
}).catch((error: unknown) => {
  bar?.stop();
  console.error(`Could not start: ${(error as Error).message}`);
  process.exit(1);
});

const explorer = stack.gateway.url.replace(/\/graphql$/, '/');
console.log(`
  GraphQL endpoint:  ${stack.gateway.url.replace('127.0.0.1', 'localhost')}
  Schema explorer:   ${explorer.replace('127.0.0.1', 'localhost')}
  Emulator data:     ${stack.dataDir}

Press Ctrl-C to stop.`);
console.log(await describeAccess(loadGatewayConfig(env), stack.gateway.url.replace('127.0.0.1', 'localhost')));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    void stack.stop().then(() => process.exit(0));
  });
}
