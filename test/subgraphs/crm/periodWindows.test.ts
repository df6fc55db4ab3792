import { describe, expect, it } from 'vitest';
import { periodWindows } from '../../../subgraphs/crm/src/connectors/areasConnector.js';

describe('periodWindows (pipeline aggregates cut under 2,000 groups)', () => {
  it('covers whole months from the first to the last close date', () => {
    expect(periodWindows('2026-01-15', '2026-04-02', 'MONTH', 2)).toEqual([
      ['2026-01-01', '2026-02-28'],
      ['2026-03-01', '2026-04-30'],
    ]);
  });

  it('aligns quarters and years, and crosses year ends', () => {
    expect(periodWindows('2026-11-30', '2027-02-01', 'QUARTER', 1)).toEqual([
      ['2026-10-01', '2026-12-31'],
      ['2027-01-01', '2027-03-31'],
    ]);
    expect(periodWindows('2024-02-29', '2026-01-01', 'YEAR', 5)).toEqual([['2024-01-01', '2026-12-31']]);
  });

  it('gives one window when everything fits', () => {
    expect(periodWindows('2026-05-05', '2026-05-06', 'MONTH', 100)).toEqual([['2026-05-01', '2026-05-31']]);
  });
});
