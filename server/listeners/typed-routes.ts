// Routes whose request types come from their JSON schemas: a schema written `as const` types
// `request.params`, `query` and `body` (json-schema-to-ts's FromSchema, as
// @fastify/type-provider-json-schema-to-ts does), so a schema and its handler's types cannot disagree.
// Replies stay as the handlers type them: response schemas are serializers here, and the domain types
// they serialize live with their concepts in core/.
import type { FastifyInstance, FastifyTypeProvider } from 'fastify';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

export interface RequestSchemaProvider extends FastifyTypeProvider {
  validator: this['schema'] extends JSONSchema ? FromSchema<this['schema']> : unknown;
  serializer: unknown;
}

export function typedRoutes(app: FastifyInstance) {
  return app.withTypeProvider<RequestSchemaProvider>();
}
