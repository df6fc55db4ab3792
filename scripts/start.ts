/**
 * `npm start`: the whole product on its embedded defaults — both emulators
 * (seeded on first start into the git-ignored data/ folder), both subgraphs and
 * the gateway. Ctrl-C stops everything.
 */
import { startStack } from './stack.js';
import { bannerInput, formatBanner } from './banner.js';
import { loadGatewayConfig } from '../gateway/src/config.js';
import { describeAccess } from '../gateway/src/auth/banner.js';
import { readSettings } from '../lib/config/index.js';
import { createSeedProgressDisplay } from '../lib/progress.js';

// The embedded default asks for bearer tokens (signed with the public development
// secret; a ready token is printed below) unless AUTH_MODE says otherwise.
const env: NodeJS.ProcessEnv = { ...process.env };
const settings = readSettings(env);
if (!settings.isSet('AUTH_MODE') && !settings.production) env.AUTH_MODE = 'hs256';

// A first start seeds both emulators' databases: a bar per phase (SEED_PROGRESS).
const progress = createSeedProgressDisplay('', settings.get('SEED_PROGRESS'));
console.log('Starting the emulators, the subgraphs and the gateway…');
// One process: its own metrics (memory, event loop, GC) are served once, on the gateway's /metrics.
const stack = await startStack({ env, warn: (line) => console.warn(line), onSeedProgress: progress.onProgress, observability: { processMetrics: true } }).catch(
  (error: unknown) => {
    progress.stop();
    console.error(`Could not start: ${(error as Error).message}`);
    process.exit(1);
  },
);
progress.stop();

const gatewayConfig = loadGatewayConfig(env);
console.log(`\n${formatBanner(bannerInput(stack, gatewayConfig.explorer))}\n\nPress Ctrl-C to stop.`);
console.log(await describeAccess(gatewayConfig, stack.gateway.url.replace('127.0.0.1', 'localhost')));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    void stack.stop().then(() => process.exit(0));
  });
}
