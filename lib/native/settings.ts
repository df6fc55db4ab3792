/**
 * How to reach the two native systems, read once from the settings catalog.
 * The ERP and workflow subgraphs both call Odoo, the CRM and workflow subgraphs
 * both call Salesforce: each reads the same settings, so each reads them here.
 */
import type { SettingsReader } from '../config/index.js';
import { readResilienceSettings } from '../resilience.js';
import type { OdooClientOptions, OdooConnection } from './odooClient.js';
import type { SalesforceClientOptions } from './salesforceClient.js';

/** `ODOO_URL`, `ODOO_DB`, `ODOO_LOGIN`, `ODOO_API_KEY`, `ODOO_TIMEOUT_MS`, `ODOO_RETRY_*`, `ODOO_BREAKER_*`. */
export type OdooConnectionSettings = OdooConnection & Required<Pick<OdooClientOptions, 'timeoutMs' | 'resilience'>>;

/** `SALESFORCE_LOGIN_URL`, `_API_VERSION`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_USERNAME`, `_PASSWORD`, `_TIMEOUT_MS`, `_RETRY_*`, `_BREAKER_*`. */
export type SalesforceConnectionSettings = Required<
  Pick<SalesforceClientOptions, 'loginUrl' | 'apiVersion' | 'clientId' | 'clientSecret' | 'username' | 'password' | 'timeoutMs' | 'resilience'>
>;

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
