/**
 * One more replica in an OS process of its own, for the scale-out tests: its
 * own subgraphs and gateway over native systems and a Redis that another
 * process already serves (ODOO_URL, SALESFORCE_LOGIN_URL and REDIS_URL in the
 * environment), every server on port 0. Prints `READY <gateway url>` once it
 * listens; SIGTERM stops it.
 *
 *   node --import tsx test/helpers/replicaProcess.ts
 */
import { startStack } from '../../scripts/stack.js';

const stack = await startStack({ ephemeralPorts: true, env: process.env });
console.log(`READY ${stack.gateway.url}`);
process.on('SIGTERM', () => void stack.stop().then(() => process.exit(0)));
