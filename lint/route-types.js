// @ts-check
// Route types come from the route's JSON schemas (server/listeners/typed-routes.ts), so a schema and its
// handler's types cannot disagree: a route method called with a hand-written generic is refused in server/.
// eslint.config.js applies it; test/unit/lint/route-types.test.ts lints a fixture with it.

/** The rule's options: any `x.get<…>(…)`, `x.put<…>(…)`… (Fastify's route shorthands and `route`). */
export const NO_HAND_TYPED_ROUTES = [
  'error',
  {
    selector:
      'CallExpression[typeArguments][callee.type="MemberExpression"][callee.property.name=/^(get|head|post|put|delete|patch|options|all|route)$/]',
    message:
      "A route's request types come from its schemas: typedRoutes(app) (server/listeners/typed-routes.ts), not a hand-written generic.",
  },
];
