/**
 * Progress for long-running commands (`npm start` seeding a new database,
 * `npm run seed`, `npm run soak`, an emulator run on its own): a cli-progress
 * bar on a terminal, or a few plain lines when output goes to a file or a CI
 * log (a bar redraws on a timer there, which a synchronous seed never lets
 * run, and its control characters clutter a log).
 */
import cliProgress from 'cli-progress';

/** `auto`: a bar on a terminal, nothing otherwise; `always`: a bar on a terminal, lines otherwise; `never`: nothing. */
export type ProgressMode = 'auto' | 'always' | 'never';
/** The name the emulators' SEED_PROGRESS setting uses. */
export type SeedProgressMode = ProgressMode;

export interface ProgressBarOptions {
  /**
   * What a line shows: cli-progress tokens (`{bar}`, `{percentage}`, `{value}`, `{total}`, `{eta}`)
   * and any payload key given to `update`. Outside a terminal `[{bar}] ` is left out.
   */
  format: string;
  total: number;
  /** Defaults to auto. */
  mode?: ProgressMode;
  /** Defaults to process.stderr, so progress never mixes with a command's real output. */
  stream?: NodeJS.WriteStream;
  /** Outside a terminal, how many lines a whole run prints (one per this fraction of the total). Defaults to 4. */
  lines?: number;
}

export interface ProgressBar {
  update(value: number, payload?: Record<string, string | number>): void;
  /** Ends the bar (leaving its last state on screen); safe to call twice. */
  stop(): void;
}

const NO_BAR: ProgressBar = { update() {}, stop() {} };

/** One bar: drawn in place on a terminal, a line per step of the total elsewhere. */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode ?? 'auto';
  const tty = Boolean(stream.isTTY);
  if (mode === 'never' || (mode === 'auto' && !tty)) return NO_BAR;
  if (tty) {
    const bar = new cliProgress.SingleBar({ format: options.format, hideCursor: true, stream, clearOnComplete: false }, cliProgress.Presets.shades_classic);
    bar.start(options.total, 0);
    let stopped = false;
    return {
      update(value, payload) {
        if (!stopped) bar.update(value, payload);
      },
      stop() {
        if (stopped) return;
        stopped = true;
        bar.stop();
      },
    };
  }
  // Private: a plain line whenever the value crosses the next step of the total (not at 0), and the last one.
  const steps = Math.max(1, options.lines ?? 4);
  let lastStep = 0;
  let last: { value: number; payload?: Record<string, string | number> } | undefined;
  let stopped = false;
  const write = (value: number, payload?: Record<string, string | number>) => stream.write(`${renderLine(options.format, value, options.total, payload)}\n`);
  return {
    update(value, payload) {
      if (stopped) return;
      last = { value, payload };
      const step = options.total > 0 ? Math.floor((value / options.total) * steps) : steps;
      if (step > lastStep) {
        lastStep = step;
        write(value, payload);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // The final state, unless the last line already showed it.
      if (last && lastStep < steps) write(last.value, last.payload);
    },
  };
}

// Private: a format without a terminal: no bar, tokens filled in.
function renderLine(format: string, value: number, total: number, payload: Record<string, string | number> = {}): string {
  const values: Record<string, string | number> = { value, total, percentage: total > 0 ? Math.floor((value / total) * 100) : 100, eta: '', ...payload };
  return format
    .replace(/\s*\[\{bar\}\]\s*/, ' ')
    .replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole))
    .replace(/ {2,}/g, ' ')
    .trim();
}

export interface SeedProgressDisplay {
  /** Pass as `onSeedProgress`; undefined when nothing is to be shown. The optional `system` replaces the display's own, for one display over both emulators. */
  onProgress: ((done: number, total: number, label: string, system?: string) => void) | undefined;
  /** Ends the current bar; safe to call when none was shown. */
  stop(): void;
}

/** A bar per seeding phase ("Seeding Odoo contacts [====] 40% 12000/30000"). */
export function createSeedProgressDisplay(system: string, mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): SeedProgressDisplay {
  if (mode === 'never' || (mode === 'auto' && !stream.isTTY)) return { onProgress: undefined, stop() {} };
  let bar: ProgressBar | undefined;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const onProgress = (done: number, total: number, label: string, phaseSystem?: string) => {
    const title = `${phaseSystem ?? system} ${label}`.trim();
    if (title !== current) {
      stop();
      current = title;
      bar = createProgressBar({ format: `Seeding ${title.padEnd(36)} [{bar}] {percentage}% {value}/{total}`, total, mode, stream });
    }
    bar?.update(done);
    if (done >= total) stop();
  };
  return { onProgress, stop };
}
