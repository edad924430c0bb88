// The routes of a workload's recordings over time: pinning a baseline and comparing for regressions.
import type { FastifyInstance } from 'fastify';
import { registerBaselineRoutes } from './baseline-routes.ts';
import type { Catalog } from './catalog-store.ts';
import { registerRegressionRoutes } from './regression-routes.ts';

export function registerWorkloadRoutes(app: FastifyInstance, catalog: Catalog): void {
  registerBaselineRoutes(app, catalog);
  registerRegressionRoutes(app, catalog);
}
