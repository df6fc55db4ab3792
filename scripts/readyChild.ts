/**
 * A TypeScript entry point run in a Node process of its own (the benchmark's
 * gateways, the scale-out tests' second replica): ready once it prints
 * `READY <url>` on standard output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../lib/subgraphSchemas.js';

export interface ReadyChild {
  url: string;
  child: ChildProcess;
}

export function spawnReady(options: {
  /** The entry point and its arguments, run with `node --import tsx`. */
  args: string[];
  /** Node's own flags, before `--import tsx`. */
  nodeArgs?: string[];
  env: NodeJS.ProcessEnv;
  /** What the process is, for error messages ("the stock gateway"). */
  label: string;
  timeoutMs?: number;
}): Promise<ReadyChild> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', ...options.args], {
    cwd: repoRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Expected ${options.label} to print READY within ${timeoutMs / 1000} s, but it printed: ${output.slice(-500)}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      const ready = /READY (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ url: ready[1]!, child });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.label} exited with code ${code}: ${output.trim().split('\n').slice(-6).join(' | ')}`));
    });
  });
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export function stopChild(child: ChildProcess | undefined, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}
