/**
 * Native-call costs shared by the small- and large-seed report suites
 * (areas-crm.test.ts, reports-large.test.ts), so both hold the same numbers.
 */

/**
 * The calls of one Salesforce Bulk API 2.0 query job over `object`: create it,
 * poll it once (the emulator completes a job before its first poll), read its
 * one result set. Against a real org a job may need more polls.
 */
export function bulkQueryJob(object: string): Record<string, number> {
  return { [`${object}.bulkQuery`]: 1, [`${object}.bulkQueryStatus`]: 1, [`${object}.bulkQueryResults`]: 1 };
}

/** The identity report's bulk job: every ERP number the CRM holds, for `missingFromCrm`. */
export const IDENTITY_BULK_JOB = bulkQueryJob('Account');

/** Campaign ROI's bulk job: the members of every asked campaign that reach an ERP customer. */
export const TOUCHED_BULK_JOB = bulkQueryJob('CampaignMember');
