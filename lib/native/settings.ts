/**
 * How to reach the two native systems, read once from the settings catalog.
 * The ERP and workflow subgraphs both call Odoo, the CRM and workflow subgraphs
 * both call Salesforce: each reads the same settings, so each reads them here.
 */
import type { SettingsReader } from '../config/index.js';
import { readResilienceSettings, type ResilienceSettings } from '../resilience.js';

export interface OdooConnectionSettings {
  /** Base URL of the Odoo server (`ODOO_URL`). Defaults to http://127.0.0.1:8069. */
  url: string;
  /** Database name (`ODOO_DB`). Defaults to odoo. */
  db: string;
  /** Login of the integration user (`ODOO_LOGIN`). Defaults to admin. */
  login: string;
  /** That user's API key (`ODOO_API_KEY`). Never logged. Defaults to the emulator's development key. */
  apiKey: string;
  /** Time allowed for one Odoo HTTP exchange, in milliseconds (`ODOO_TIMEOUT_MS`). Defaults to 30000. */
  timeoutMs: number;
  /** Retries of reads and the circuit breaker (`ODOO_RETRY_*`, `ODOO_BREAKER_*`; lib/resilience.ts). */
  resilience: ResilienceSettings;
}

export interface SalesforceConnectionSettings {
  /** Where OAuth tokens are requested (`SALESFORCE_LOGIN_URL`; a real org uses https://login.salesforce.com or its My Domain). Defaults to http://127.0.0.1:8070, the emulator. */
  loginUrl: string;
  /** REST API version (`SALESFORCE_API_VERSION`), e.g. `60.0`. Defaults to 60.0. */
  apiVersion: string;
  /** Connected app consumer key (`SALESFORCE_CLIENT_ID`). Defaults to erp-crm-graph. */
  clientId: string;
  /** Connected app consumer secret (`SALESFORCE_CLIENT_SECRET`). Never logged. Defaults to dev-secret. */
  clientSecret: string;
  /** Integration user (`SALESFORCE_USERNAME`). Defaults to integration@example.com. */
  username: string;
  /** Its password, with the security token appended for a real org (`SALESFORCE_PASSWORD`). Never logged. Defaults to dev-password. */
  password: string;
  /** Time allowed for one Salesforce HTTP exchange, in milliseconds (`SALESFORCE_TIMEOUT_MS`). Defaults to 30000. */
  timeoutMs: number;
  /** Retries of reads and the circuit breaker (`SALESFORCE_RETRY_*`, `SALESFORCE_BREAKER_*`; lib/resilience.ts). */
  resilience: ResilienceSettings;
}

export function readOdooConnection(s: SettingsReader): OdooConnectionSettings {
  return {
    url: s.get('ODOO_URL'),
    db: s.get('ODOO_DB'),
    login: s.get('ODOO_LOGIN'),
    // A secret: the reader never quotes it in an error.
    apiKey: s.get('ODOO_API_KEY'),
    timeoutMs: s.get('ODOO_TIMEOUT_MS'),
    resilience: readResilienceSettings(s, 'ODOO'),
  };
}

export function readSalesforceConnection(s: SettingsReader): SalesforceConnectionSettings {
  return {
    loginUrl: s.get('SALESFORCE_LOGIN_URL'),
    apiVersion: s.get('SALESFORCE_API_VERSION'),
    clientId: s.get('SALESFORCE_CLIENT_ID'),
    clientSecret: s.get('SALESFORCE_CLIENT_SECRET'),
    username: s.get('SALESFORCE_USERNAME'),
    password: s.get('SALESFORCE_PASSWORD'),
    timeoutMs: s.get('SALESFORCE_TIMEOUT_MS'),
    resilience: readResilienceSettings(s, 'SALESFORCE'),
  };
}
