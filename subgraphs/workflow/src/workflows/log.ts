import type { Logger } from '../../../../lib/observability/logger.js';
import { currentRequest } from '../../../../lib/observability/requestContext.js';

/** One structured line per workflow outcome, so the state of each system can be read from the logs alone. */
export type WorkflowLog = (level: 'info' | 'warn', workflow: string, fields: Record<string, unknown>) => void;

export const consoleLog: WorkflowLog = (level, workflow, fields) => {
  const line = JSON.stringify({ at: new Date().toISOString(), component: 'workflow', workflow, ...fields });
  if (level === 'warn') console.warn(line);
  else console.info(line);
};

/** A failure in one sentence, whatever was thrown. */
export function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The console log, keeping only lines at or above `level`. */
export function consoleLogAt(level: 'info' | 'warn' | 'off'): WorkflowLog {
  if (level === 'off') return () => {};
  return (lineLevel, workflow, fields) => {
    if (level === 'warn' && lineLevel === 'info') return;
    consoleLog(lineLevel, workflow, fields);
  };
}

/**
 * Outcome lines in the subgraph's structured log (lib/observability), keeping
 * only lines at or above `level`; each carries the request id of the mutation
 * that ran the workflow.
 */
export function structuredLogAt(logger: Logger, level: 'info' | 'warn' | 'off'): WorkflowLog {
  if (level === 'off') return () => {};
  return (lineLevel, workflow, fields) => {
    if (level === 'warn' && lineLevel === 'info') return;
    (currentRequest()?.logger ?? logger)[lineLevel]({ workflow, ...fields }, 'workflow outcome');
  };
}
