/**
 * Read your writes for the workflow's mutations (lib/cache/catchUpRequests.ts). Each mutation runs in
 * a scope that names its Salesforce calls (`Sforce-Call-Options: client=erp-crm-graph/<id>`, which the
 * change events of its writes carry in `changeOrigin`) and notes whether it wrote there. When it ends,
 * whatever its outcome (a refused or failed run can still have written part of its work), the ERP
 * subgraph is asked to poll and, after Salesforce writes, the CRM subgraph to publish those writes'
 * change events; the answer waits for both, each at most its setting, so the caller's next read
 * through the graph sees what it wrote.
 *
 * The resolvers call `writing` inside the run that requests with the same key share (workflows/guard.ts),
 * so a request that joins a run answers after the same waits.
 */
import { randomUUID } from 'node:crypto';
import { AsyncLocal } from '../../../lib/asyncLocal.js';
import type { CatchUpRequester } from '../../../lib/cache/catchUpRequests.js';
import { CALL_OPTIONS_CLIENT } from '../../../lib/native/salesforceClient.js';
import { currentRequest } from '../../../lib/observability/requestContext.js';

interface MutationWrites {
  /** The client name this mutation's Salesforce calls give. */
  client: string;
  wroteCrm: boolean;
}

export interface ReadYourWrites {
  /** Runs a mutation, then waits for the caches to drop what it wrote. */
  writing<T>(work: () => Promise<T>): Promise<T>;
  /** The client name for the Salesforce call being made now (SalesforceClientOptions.callOptionsClient). */
  callOptionsClient(): string;
  /** Notes that the mutation under way wrote to Salesforce. */
  crmWritten(): void;
}

export function createReadYourWrites(options: {
  erp: CatchUpRequester;
  crm: CatchUpRequester;
  /** WORKFLOW_ERP_REFRESH_WAIT_MS, WORKFLOW_CRM_REFRESH_WAIT_MS: 0 neither asks nor waits. */
  erpWaitMs: number;
  crmWaitMs: number;
}): ReadYourWrites {
  // One slot of the process's shared storage: on Node 20 each storage of its own costs every promise.
  const scope = new AsyncLocal<MutationWrites>('mutation writes');

  /** Asks one follower to catch up; the mutation's own answer stands whatever happens here: a stale read is the worst outcome. */
  const catchUp = async (requester: CatchUpRequester, write: string, waitMs: number, what: { setting: string; waitedFor: string; until: string }) => {
    if (waitMs === 0) return;
    let problem: string;
    try {
      if ((await requester.catchUp(write, waitMs)) !== 'timeout') return;
      problem = `${what.waitedFor} was not confirmed within ${waitMs} ms (${what.setting})`;
    } catch (error) {
      problem = `asking for ${what.waitedFor} failed (${(error as Error).message})`;
    }
    const message = `After this mutation ${problem}: cached data may show the state before it until ${what.until}.`;
    const logger = currentRequest()?.logger;
    if (logger) logger.warn(message);
    else console.error(message);
  };

  return {
    async writing(work) {
      const writes: MutationWrites = { client: `${CALL_OPTIONS_CLIENT}/${randomUUID()}`, wroteCrm: false };
      try {
        return await scope.run(writes, work);
      } finally {
        await Promise.all([
          catchUp(options.erp, '', options.erpWaitMs, {
            setting: 'WORKFLOW_ERP_REFRESH_WAIT_MS',
            waitedFor: "the ERP subgraph's change poll",
            until: 'the next poll',
          }),
          writes.wroteCrm &&
            catchUp(options.crm, writes.client, options.crmWaitMs, {
              setting: 'WORKFLOW_CRM_REFRESH_WAIT_MS',
              waitedFor: "the CRM subgraph's handling of its Salesforce writes' change events",
              until: 'their events arrive',
            }),
        ]);
      }
    },
    callOptionsClient: () => scope.getStore()?.client ?? CALL_OPTIONS_CLIENT,
    crmWritten() {
      const writes = scope.getStore();
      if (writes) writes.wroteCrm = true;
    },
  };
}
