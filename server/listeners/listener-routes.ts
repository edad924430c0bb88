// What a server module adds to the two API listeners: routes on the user listener (browsers, CLI,
// operator) and on the recorder listener (sidecars and agents). Each registrar gets its own encapsulated
// scope; every route in it declares its guard (auth/route-guard.ts).
import type { FastifyInstance } from 'fastify';

export type RouteRegistrar = (scope: FastifyInstance) => void | Promise<void>;

export interface ListenerRoutes {
  user?: RouteRegistrar;
  recorder?: RouteRegistrar;
}
