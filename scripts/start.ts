/**
 * `npm start`: the whole product on its embedded defaults — both emulators
 * (seeded on first start into the git-ignored data/ folder), both subgraphs and
 * the gateway. Ctrl-C stops everything.
 */
import { SingleBar, Presets } from 'cli-progress';
import { startStack } from './stack.js';

let bar: SingleBar | undefined;
let barLabel = '';
const stack = await startStack({
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

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    void stack.stop().then(() => process.exit(0));
  });
}
