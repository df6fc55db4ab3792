/** The two ways a Salesforce call fails (see salesforceClient.ts). */

/** Salesforce refused a call and said why. */
export class SalesforceError extends Error {
  override readonly name = 'SalesforceError';
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields: string[] = [],
  ) {
    super(message);
  }
}

/** Salesforce could not be reached or did not answer in its protocol. */
export class SalesforceUnavailableError extends Error {
  override readonly name = 'SalesforceUnavailableError';
  /** How long Salesforce asked us to wait, from `Retry-After` (429, 503). */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}
