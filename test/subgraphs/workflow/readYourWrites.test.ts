/** What a workflow mutation asks of the change followers when it ends (subgraphs/workflow/src/readYourWrites.ts). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CatchUpOutcome, CatchUpRequester } from '../../../lib/cache/catchUpRequests.js';
import { SalesforceError, SalesforceUnavailableError, type SalesforceClient } from '../../../lib/native/salesforceClient.js';
import { createCrm } from '../../../subgraphs/workflow/src/connectors/crm.js';
import { createReadYourWrites } from '../../../subgraphs/workflow/src/readYourWrites.js';

afterEach(() => vi.restoreAllMocks());

function requester(outcome: CatchUpOutcome = 'caught-up') {
  const asked: string[] = [];
  const fake: CatchUpRequester = { catchUp: async (write) => (asked.push(write), outcome), close: async () => {} };
  return { fake, asked };
}

describe('createReadYourWrites', () => {
  it("names a mutation's Salesforce calls, and asks the CRM to catch up with that name only when it wrote there", async () => {
    const [erp, crm] = [requester(), requester()];
    const writes = createReadYourWrites({ erp: erp.fake, crm: crm.fake, erpWaitMs: 2_000, crmWaitMs: 2_000 });
    expect(writes.callOptionsClient()).toBe('erp-crm-graph');
    let named = '';
    await writes.writing(async () => {
      named = writes.callOptionsClient();
      writes.crmWritten();
    });
    expect(named).toMatch(/^erp-crm-graph\/[0-9a-f-]{36}$/);
    expect(crm.asked).toEqual([named]);
    expect(erp.asked).toEqual(['']);

    await writes.writing(async () => 'read only');
    expect(crm.asked).toHaveLength(1);
    expect(erp.asked).toHaveLength(2);
  });

  it('catches up after a mutation that failed part-way, and passes its error on', async () => {
    const [erp, crm] = [requester(), requester()];
    const writes = createReadYourWrites({ erp: erp.fake, crm: crm.fake, erpWaitMs: 2_000, crmWaitMs: 2_000 });
    const failing = writes.writing(async () => {
      writes.crmWritten();
      throw new Error('the ERP refused the order');
    });
    await expect(failing).rejects.toThrow('the ERP refused the order');
    expect([erp.asked.length, crm.asked.length]).toEqual([1, 1]);
  });

  it('asks nothing when the waits are 0, and says which setting ran out when a follower does not answer in time', async () => {
    const [erp, crm] = [requester('timeout'), requester('timeout')];
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const off = createReadYourWrites({ erp: erp.fake, crm: crm.fake, erpWaitMs: 0, crmWaitMs: 0 });
    await off.writing(async () => off.crmWritten());
    expect([erp.asked, crm.asked]).toEqual([[], []]);
    expect(logged).not.toHaveBeenCalled();

    const on = createReadYourWrites({ erp: erp.fake, crm: crm.fake, erpWaitMs: 50, crmWaitMs: 70 });
    await on.writing(async () => on.crmWritten());
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/was not confirmed within 50 ms \(WORKFLOW_ERP_REFRESH_WAIT_MS\)/));
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/was not confirmed within 70 ms \(WORKFLOW_CRM_REFRESH_WAIT_MS\)/));
  });
});

describe("the workflow CRM connector's writes", () => {
  it('counts a write that may have happened, not one Salesforce refused', async () => {
    let written = 0;
    let failure: Error = new SalesforceError(400, 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'refused');
    const sf = { update: async () => Promise.reject(failure), upsert: async () => ({ id: '001000000000001AAA', success: true, created: true }) };
    const crm = createCrm(sf as unknown as SalesforceClient, { written: () => written++ });
    await expect(crm.setErpOrderNumber('Quote', '0Q0000000000001AAA', 'S00042')).rejects.toThrow('refused');
    expect(written).toBe(0);
    failure = new SalesforceUnavailableError('no answer');
    await expect(crm.setErpOrderNumber('Quote', '0Q0000000000001AAA', 'S00042')).rejects.toThrow('no answer');
    expect(written).toBe(1);
    await crm.upsertAccountByErpNumber('C00042', { Name: 'Acme' });
    expect(written).toBe(2);
  });
});
