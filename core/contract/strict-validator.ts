// A route's validator that refuses a field its schema does not know (a 400 naming it, through
// http-errors.ts) instead of dropping it, which is what the server's default validator does with
// `additionalProperties: false`. Dropping is right for what recorders send (the server keeps only what it
// knows of a hostile answer) and wrong for what a user asks: a misspelt `selector.matchLabel` dropped
// leaves an empty selector, which selects every pod of the namespace.
import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

const ajv = new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: false, strict: false });

export const strictValidator: FastifySchemaCompiler<object> = ({ schema }) => ajv.compile(schema);
