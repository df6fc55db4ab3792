import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Customer, CustomerConnection } from './customer.js';
import { BillOfMaterials, BomComponent, Product, ProductConnection } from './product.js';
import { Query } from './query.js';
import { Invoice, SalesOrder, SalesOrderConnection, SalesOrderLine } from './salesOrder.js';
import { Employee, Opportunity } from './staff.js';
import { ProductFigures, StockLevel } from './productFigures.js';
import { Campaign, CustomerProfitability, IdentityReport, MonthlyResult, ReportQuery, RepPerformance, SalesPerformance, TeamPerformance } from './reports.js';
import { Case, CustomerService, ServiceQuery, ServiceTicket } from './service.js';
import { EmployeeAreas, SalesTeam, teamsQuery } from './staffAreas.js';

export const resolvers: Resolvers = {
  // The integration areas add fields to the core types from their own files.
  Query: { ...Query, ...ServiceQuery, ...ReportQuery, ...teamsQuery },
  Customer: { ...Customer, ...CustomerService },
  CustomerConnection,
  Product: { ...Product, ...ProductFigures },
  ProductConnection,
  StockLevel,
  BillOfMaterials,
  BomComponent,
  SalesOrder,
  SalesOrderLine,
  SalesOrderConnection,
  Invoice,
  Employee: { ...Employee, ...EmployeeAreas },
  Opportunity,
  SalesTeam,
  Case,
  ServiceTicket,
  SalesPerformance,
  RepPerformance,
  TeamPerformance,
  MonthlyResult,
  CustomerProfitability,
  Campaign,
  IdentityReport,
};
