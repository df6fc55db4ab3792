/**
 * A seed progress display for an emulator's entry point: a cli-progress bar
 * per seeding phase on a terminal, or a line per quarter of each phase when
 * output goes to a file or CI log and progress was asked for anyway (a bar
 * redraws on a timer there, which a synchronous seed never lets run).
 */
import cliProgress from 'cli-progress';

export type SeedProgressMode = 'auto' | 'always' | 'never';

export interface SeedProgressDisplay {
  /** Pass as `onSeedProgress`; undefined when nothing is to be shown. */
  onProgress: ((done: number, total: number, label: string) => void) | undefined;
  /** Ends the current bar; safe to call when none was shown. */
  stop(): void;
}

export function createSeedProgressDisplay(system: string, mode: SeedProgressMode, stream: NodeJS.WriteStream = process.stderr): SeedProgressDisplay {
  const tty = Boolean(stream.isTTY);
  if (mode === 'never' || (mode === 'auto' && !tty)) return { onProgress: undefined, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  let current = '';
  let lastQuarter = -1;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const onProgress = (done: number, total: number, label: string) => {
    if (label !== current) {
      stop();
      current = label;
      lastQuarter = -1;
      if (tty) {
        bar = new cliProgress.SingleBar(
          { format: `Seeding ${system} ${label.padEnd(26)} [{bar}] {percentage}% {value}/{total}`, hideCursor: true, stream },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
    }
    if (bar) {
      bar.update(done);
      if (done >= total) stop();
      return;
    }
    const quarter = total > 0 ? Math.floor((done / total) * 4) : 4;
    if (quarter > lastQuarter) {
      lastQuarter = quarter;
      stream.write(`Seeding ${system} ${label}: ${done}/${total}\n`);
    }
  };
  return { onProgress, stop };
}
