/**
 * `npm run soak -- [--minutes N | --seconds N] [--concurrency C] [--faults]
 * [--data-dir DIR] [--size small|large] [--json FILE]`: starts the whole stack
 * on free loopback ports, drives a steady mixed load of the example queries
 * for the given time (2 minutes unless told), shows progress (elapsed,
 * requests, errors by code, RSS), stops by itself and prints a summary.
 * `--faults` cycles emulator faults (scripts/soakRunner.ts, FAULT_CYCLE).
 * Not part of CI: it is for watching memory and error rates over time.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isSeedSize } from '../emulators/seed/world.js';
import { formatSoakSummary, runSoak } from './soakRunner.js';

const USAGE = 'Usage: npm run soak -- [--minutes N | --seconds N] [--concurrency C] [--faults] [--data-dir DIR] [--size small|large] [--json FILE]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let args: { minutes?: string; seconds?: string; concurrency?: string; faults: boolean; 'data-dir'?: string; size?: string; json?: string; help: boolean };
try {
  args = parseArgs({
    options: {
      minutes: { type: 'string' },
      seconds: { type: 'string' },
      concurrency: { type: 'string' },
      faults: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      size: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values as typeof args;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

// Private: a positive number given on the command line.
function positive(flag: string, value: string | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    fail(`Expected --${flag} to be a positive ${integer ? 'whole number' : 'number'}, but got ${JSON.stringify(value)}.`);
  return n;
}

if (args.minutes !== undefined && args.seconds !== undefined) fail('Expected --minutes or --seconds, but got both.');
const durationSeconds = args.seconds !== undefined ? positive('seconds', args.seconds, 0) : Math.round(positive('minutes', args.minutes, 2) * 60);
const concurrency = positive('concurrency', args.concurrency, 8, true);
if (args.size !== undefined && !isSeedSize(args.size)) fail(`Expected --size to be small or large, but got ${JSON.stringify(args.size)}.`);

console.log(`Starting the stack on loopback for a ${durationSeconds} s soak run…`);
const summary = await runSoak({
  durationSeconds,
  concurrency,
  faults: args.faults,
  dataDir: args['data-dir'] ? resolve(args['data-dir']) : undefined,
  seedSize: args.size as 'small' | 'large' | undefined,
  // Progress lines even in a log file: a soak run is watched, or read afterwards.
  progress: 'always',
  log: (line) => console.log(`  ${line}`),
}).catch((error: unknown) => {
  console.error(`The soak run failed: ${(error as Error).message}`);
  process.exit(1);
});
console.log(`\n${formatSoakSummary(summary)}`);
if (args.json) {
  writeFileSync(resolve(args.json), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`Summary written to ${resolve(args.json)}.`);
}
