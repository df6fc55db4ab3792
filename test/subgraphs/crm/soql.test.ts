import { describe, expect, it } from 'vitest';
import { normalizeSalesforceId } from '../../../lib/native/salesforceId.js';
import { soqlId, soqlLike, soqlList, soqlString } from '../../../subgraphs/crm/src/connectors/soql.js';
import { normalizeSalesforceId as emulatorNormalize, salesforceId } from '../../../emulators/seed/salesforceId.js';

describe('SOQL literals', () => {
  it('keeps a quote-breaking value inside one literal', () => {
    expect(soqlString("' OR Name != '")).toBe("'\\' OR Name != \\''");
    expect(soqlString('a\\b')).toBe("'a\\\\b'");
    expect(soqlString('line\nnext\r\t\b\f"x"')).toBe('\'line\\nnext\\r\\t\\b\\f\\"x\\"\'');
    expect(soqlString("\\' OR Id != '")).toBe("'\\\\\\' OR Id != \\''");
  });

  it('refuses control characters SOQL cannot express instead of sending them', () => {
    expect(() => soqlString('a\u0000b')).toThrow(/U\+0000, for which SOQL has no escape sequence/);
  });

  it('escapes LIKE wildcards only when asked for literal text', () => {
    expect(soqlLike('100%_off')).toBe("'100\\%\\_off'");
    expect(soqlLike("O'Br%", { suffix: '%' })).toBe("'O\\'Br\\%%'");
  });

  it('accepts ids only in id shape, and lists only prepared literals', () => {
    const id = salesforceId('Account', 42);
    expect(soqlId(id.slice(0, 15))).toBe(`'${id}'`);
    expect(() => soqlId("001' OR Id != '")).toThrow(/Expected a 15- or 18-character Salesforce id/);
    expect(soqlList(['1', '2'])).toBe('(1,2)');
    expect(() => soqlList([])).toThrow(/at least one value/);
  });
});

describe('Salesforce ids', () => {
  it('normalises 15-character ids exactly as Salesforce (and the emulator) does', () => {
    for (let n = 1; n < 5000; n += 37) {
      const id18 = salesforceId('Account', n);
      expect(normalizeSalesforceId(id18.slice(0, 15))).toBe(id18);
      expect(normalizeSalesforceId(id18)).toBe(id18);
      expect(normalizeSalesforceId(id18.slice(0, 15) + id18.slice(15).toLowerCase())).toBe(id18);
    }
    for (const bad of ['', '001', '001!5g00000000AB', `${salesforceId('Account', 3).slice(0, 15)}ZZZ`, 'x'.repeat(16)]) {
      expect(normalizeSalesforceId(bad)).toBe(emulatorNormalize(bad));
      expect(normalizeSalesforceId(bad)).toBeNull();
    }
  });
});
