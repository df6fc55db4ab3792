import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Customer, CustomerConnection } from './customer.js';
import { BillOfMaterials, BomComponent, Product, ProductConnection } from './product.js';
import { Query } from './query.js';
import { Invoice, SalesOrder, SalesOrderConnection, SalesOrderLine } from './salesOrder.js';
import { Employee, Opportunity } from './staff.js';

export const resolvers: Resolvers = {
  Query,
  Customer,
  CustomerConnection,
  Product,
  ProductConnection,
  BillOfMaterials,
  BomComponent,
  SalesOrder,
  SalesOrderLine,
  SalesOrderConnection,
  Invoice,
  Employee,
  Opportunity,
};
