// The routes of a workload's recordings over time: pinning a baseline and comparing for regressions.
import type { FastifyInstance } from 'fastify';
import { registerBaselineRoutes } from './baseline-routes.ts';
import type { Catalog } from './catalog-store.ts';
import { registerRegressionRoutes } from './regression-routes.ts';
import type { WorkloadNaming } from './workload-naming.ts';

/** `workloads`: what a recording is a recording of, a pod's workload in a cluster or a program in local mode. */
export function registerWorkloadRoutes(
  app: FastifyInstance,
  catalog: Catalog,
  workloads: WorkloadNaming,
): void {
  registerBaselineRoutes(app, catalog, workloads);
  registerRegressionRoutes(app, catalog, workloads);
}
