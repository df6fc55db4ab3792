/**
 * Salesforce answers REST errors as a JSON array of `{message, errorCode, fields?}`;
 * clients such as jsforce read `errorCode` from the first element. Throwing a
 * SalesforceError anywhere below the HTTP layer produces exactly that shape.
 */
export class SalesforceError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = 'SalesforceError';
  }

  toBody(): { message: string; errorCode: string; fields?: string[] }[] {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) }];
  }
}

export const notFound = () => new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');

export const invalidField = (message: string, fields?: string[]) => new SalesforceError(400, 'INVALID_FIELD', message, fields);

export const malformedQuery = (message: string) => new SalesforceError(400, 'MALFORMED_QUERY', message);

export const jsonParserError = (message: string) => new SalesforceError(400, 'JSON_PARSER_ERROR', message);
