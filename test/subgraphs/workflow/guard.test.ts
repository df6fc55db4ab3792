import { describe, expect, it } from 'vitest';
import { loadWorkflowConfig } from '../../../subgraphs/workflow/src/config.js';
import { normalizeSalesforceId } from '../../../lib/native/salesforceId.js';
import { parseApprovalId } from '../../../subgraphs/workflow/src/workflows/approvals.js';
import { nextCustomerNumber } from '../../../subgraphs/workflow/src/workflows/createCustomer.js';
import { WorkflowGuard, type CrossProcessLock } from '../../../subgraphs/workflow/src/workflows/guard.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A guard whose work counts its runs, as the DataLoader tests count batches. */
function countingGuard(options: Partial<ConstructorParameters<typeof WorkflowGuard<string>>[0]> = {}) {
  const runs: string[] = [];
  const guard = new WorkflowGuard<string>({ isFinal: (r) => r.startsWith('done'), resultTtlMs: 60_000, lockTtlMs: 1_000, ...options });
  const work = (key: string, result: string) => async () => {
    runs.push(key);
    await tick();
    return result;
  };
  return { guard, runs, work };
}

describe('WorkflowGuard', () => {
  it('runs concurrent identical requests once and gives each the same result', async () => {
    const { guard, runs, work } = countingGuard();
    const results = await Promise.all(Array.from({ length: 50 }, () => guard.run('q1', work('q1', 'done:S1'), (r) => `replay:${r}`)));
    expect(runs).toEqual(['q1']);
    expect(new Set(results)).toEqual(new Set(['done:S1']));
  });

  it('replays a final result to a later retry, but runs again after a non-final one', async () => {
    const { guard, runs, work } = countingGuard();
    expect(await guard.run('a', work('a', 'done:S1'), (r) => `replay:${r}`)).toBe('done:S1');
    expect(await guard.run('a', work('a', 'done:S2'), (r) => `replay:${r}`)).toBe('replay:done:S1');
    expect(await guard.run('b', work('b', 'incomplete'), (r) => `replay:${r}`)).toBe('incomplete');
    expect(await guard.run('b', work('b', 'done:S3'), (r) => `replay:${r}`)).toBe('done:S3');
    expect(runs).toEqual(['a', 'b', 'b']);
  });

  it('runs different keys in parallel', async () => {
    const { guard, work } = countingGuard();
    let inside = 0;
    let most = 0;
    const slow = (key: string) => async () => {
      inside++;
      most = Math.max(most, inside);
      await work(key, 'done')();
      inside--;
      return 'done';
    };
    await Promise.all(['x', 'y', 'z'].map((k) => guard.run(k, slow(k), (r) => r)));
    expect(most).toBe(3);
  });

  it('serialises exclusive work on one key without sharing results', async () => {
    const { guard } = countingGuard();
    const order: string[] = [];
    const job = (name: string) => async () => {
      order.push(`start ${name}`);
      await tick();
      order.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([guard.exclusive('n', job('1')), guard.exclusive('n', job('2'))]);
    expect(results).toEqual(['1', '2']);
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('takes and releases the cross-process lock around each run', async () => {
    const events: string[] = [];
    const crossProcess: CrossProcessLock = {
      acquire: async (key) => {
        events.push(`acquire ${key}`);
        return async () => void events.push(`release ${key}`);
      },
    };
    const { guard, work } = countingGuard({ crossProcess });
    await guard.run('k', work('k', 'done'), (r) => r);
    expect(events).toEqual(['acquire k', 'release k']);
  });

  it('runs nothing when the cross-process lock cannot be taken', async () => {
    const crossProcess: CrossProcessLock = { acquire: async () => Promise.reject(new Error('ECONNREFUSED')) };
    const { guard, runs, work } = countingGuard({ crossProcess });
    await expect(guard.run('k', work('k', 'done'), (r) => r)).rejects.toThrow(
      /Expected to take the cross-process lock for "k" in Redis, but it failed: ECONNREFUSED/,
    );
    expect(runs).toEqual([]);
  });

  it('forgets the oldest results beyond its bound', async () => {
    const { guard, runs, work } = countingGuard({ maxRemembered: 1 });
    await guard.run('a', work('a', 'done'), (r) => r);
    await guard.run('b', work('b', 'done'), (r) => r);
    await guard.run('a', work('a', 'done'), (r) => r);
    expect(runs).toEqual(['a', 'b', 'a']);
  });
});

describe('workflow helpers', () => {
  it('numbers customers after the highest C-number, keeping its width', () => {
    expect(nextCustomerNumber('C00215')).toBe('C00216');
    expect(nextCustomerNumber('C09999')).toBe('C10000');
    expect(nextCustomerNumber('C99999')).toBe('C100000');
    expect(nextCustomerNumber(null)).toBe('C00001');
  });

  it('reads approval ids that name their system, and refuses others with BAD_USER_INPUT', () => {
    expect(parseApprovalId('erp:approval.request:12')).toEqual({ system: 'ERP', requestId: 12 });
    expect(parseApprovalId('crm:04i5g0000000004AAA')).toEqual({ system: 'CRM', workitemId: '04i5g0000000004AAA' });
    expect(() => parseApprovalId('12')).toThrow(/Expected an approval id such as "erp:approval.request:12"/);
    try {
      parseApprovalId("crm:04i' OR Id != '");
    } catch (error) {
      expect((error as { extensions: { code: string } }).extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('turns a 15-character Salesforce id into its 18-character form', () => {
    expect(normalizeSalesforceId('0Q05g0000000001')).toBe('0Q05g0000000001CAA');
    expect(normalizeSalesforceId('0Q05g0000000001CAA')).toBe('0Q05g0000000001CAA');
  });

  it('reads its configuration with defaults and names a bad setting', () => {
    const config = loadWorkflowConfig({});
    expect(config.port).toBe(4003);
    expect(config.redis).toBeUndefined();
    expect(config.odoo.url).toBe('http://127.0.0.1:8069');
    expect(() => loadWorkflowConfig({ WORKFLOW_SUBGRAPH_PORT: 'x' })).toThrow(/WORKFLOW_SUBGRAPH_PORT/);
    expect(() => loadWorkflowConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
  });
});
