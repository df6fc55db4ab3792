/**
 * Per-request DataLoaders for the integration areas and reports. Aggregates
 * are keyed by period and subject: every load made while resolving one level
 * of a query becomes one `read_group` per distinct period, whatever the
 * number of subjects.
 *
 * These are not cached across requests: totals change with every invoice,
 * and each costs a single call anyway.
 */
import DataLoader from 'dataloader';
import type { ErpConnector } from './connectors/erpConnector.js';
import type { MonthAmount, Period, SalesTeamRecord, SalesTotals, StockQuantRecord, TicketRecord } from './connectors/erpAreas.js';
import type { EmployeeRecord } from './connectors/erpConnector.js';

export interface PeriodKey<K> {
  period: Period;
  key: K;
}

export interface AreaLoaders {
  /** The company currency, in which every ERP total is kept. */
  companyCurrency: () => Promise<string>;
  salesTeams: () => Promise<SalesTeamRecord[]>;
  quantsByProductId: DataLoader<number, StockQuantRecord[]>;
  employeesByManagerId: DataLoader<number, EmployeeRecord[]>;
  invoicedTargetByUserId: DataLoader<PeriodKey<number>, number, string>;
  invoicedByUserId: DataLoader<PeriodKey<number>, number, string>;
  invoicedByTeamId: DataLoader<PeriodKey<number>, number, string>;
  monthlyInvoicedByUserId: DataLoader<PeriodKey<number>, MonthAmount[], string>;
  monthlyInvoicedByTeamId: DataLoader<PeriodKey<number>, MonthAmount[], string>;
  monthlyTargetByUserId: DataLoader<PeriodKey<number>, MonthAmount[], string>;
  invoicedByPartnerId: DataLoader<PeriodKey<number>, number, string>;
  salesByPartnerId: DataLoader<PeriodKey<number>, SalesTotals, string>;
  unitsSoldByProductId: DataLoader<PeriodKey<number>, number, string>;
  ticketsByCaseId: DataLoader<string, TicketRecord[]>;
  ticketsByPartnerId: DataLoader<number, TicketRecord[]>;
  ticketCountByProductId: DataLoader<number, number>;
  /** Rolled-up BOM cost per product id, shared by every field of the request that needs it. */
  rolledUpCosts: Map<number, Promise<number | null>>;
}

/** From the beginning to the end of (Odoo's) time: a period left open. */
export const ALL_TIME: Period = { from: '0001-01-01', to: '9999-12-31' };

export function createAreaLoaders(connector: ErpConnector): AreaLoaders {
  return {
    companyCurrency: once(() => connector.companyCurrency()),
    salesTeams: once(() => connector.salesTeams()),
    quantsByProductId: new DataLoader((ids) => connector.quantsByProductId(ids)),
    employeesByManagerId: new DataLoader((ids) => connector.employeesByManagerId(ids)),
    invoicedTargetByUserId: periodLoader((period, ids) => connector.invoicedTargetByUserId(period, ids)),
    invoicedByUserId: periodLoader((period, ids) => connector.invoicedByUserId(period, ids)),
    invoicedByTeamId: periodLoader((period, ids) => connector.invoicedByTeamId(period, ids)),
    monthlyInvoicedByUserId: periodLoader((period, ids) => connector.monthlyInvoicedByUserId(period, ids)),
    monthlyInvoicedByTeamId: periodLoader((period, ids) => connector.monthlyInvoicedByTeamId(period, ids)),
    monthlyTargetByUserId: periodLoader((period, ids) => connector.monthlyTargetByUserId(period, ids)),
    invoicedByPartnerId: periodLoader((period, ids) => connector.invoicedByPartnerId(period, ids)),
    salesByPartnerId: periodLoader((period, ids) => connector.salesByPartnerId(period, ids)),
    unitsSoldByProductId: periodLoader((period, ids) => connector.unitsSoldByProductId(period, ids)),
    ticketsByCaseId: new DataLoader((ids) => connector.ticketsByCaseId(ids)),
    ticketsByPartnerId: new DataLoader((ids) => connector.ticketsByPartnerId(ids)),
    ticketCountByProductId: new DataLoader((ids) => connector.ticketCountByProductId(ids)),
    rolledUpCosts: new Map(),
  };
}

export function periodCacheKey(period: Period, key: string | number): string {
  return `${period.from}|${period.to}|${key}`;
}

// Private: one batch call per distinct period among the keys, results put back in key order.
function periodLoader<K extends string | number, V>(batch: (period: Period, keys: K[]) => Promise<V[]>): DataLoader<PeriodKey<K>, V, string> {
  return new DataLoader<PeriodKey<K>, V, string>(
    async (requests) => {
      const byPeriod = new Map<string, { period: Period; positions: number[] }>();
      requests.forEach((r, i) => {
        const id = `${r.period.from}|${r.period.to}`;
        const group = byPeriod.get(id) ?? { period: r.period, positions: [] };
        group.positions.push(i);
        byPeriod.set(id, group);
      });
      const results: (V | Error)[] = new Array(requests.length);
      await Promise.all(
        [...byPeriod.values()].map(async ({ period, positions }) => {
          const values = await batch(
            period,
            positions.map((i) => requests[i]!.key),
          );
          positions.forEach((position, k) => (results[position] = values[k]!));
        }),
      );
      return results;
    },
    { cacheKeyFn: (r) => periodCacheKey(r.period, r.key) },
  );
}

// Private: a value read at most once per request, and only if some field needs it.
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= read());
}
