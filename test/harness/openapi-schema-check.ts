// Checks a value against a CRD's structural OpenAPI schema the way the API server's schema validation
// does (types, unknown fields, required, enum, bounds, patterns, lengths). CEL rules are not evaluated
// here: the kube tier sends the same objects to a real API server for those.
import type { JsonSchema } from '../../core/crd/schema-types.ts';

function typeErrors(schema: JsonSchema, value: unknown, path: string): string[] {
  if (schema['x-kubernetes-int-or-string'])
    return typeof value === 'string' || Number.isInteger(value) ? [] : [`${path}: not an int or string`];
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const ok =
    schema.type === undefined ||
    (schema.type === 'integer' ? Number.isInteger(value) : schema.type === actual) ||
    (schema.type === 'number' && actual === 'number');
  return ok ? [] : [`${path}: ${actual}, not ${schema.type}`];
}

function numberErrors(schema: JsonSchema, value: number, path: string): string[] {
  const errors: string[] = [];
  if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
  if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  return errors;
}

function stringErrors(schema: JsonSchema, value: string, path: string): string[] {
  const errors: string[] = [];
  if (schema.pattern && !new RegExp(schema.pattern).test(value))
    errors.push(`${path}: does not match pattern`);
  if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${path}: too long`);
  if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: too short`);
  return errors;
}

function boundErrors(schema: JsonSchema, value: unknown, path: string): string[] {
  const errors: string[] = [];
  if (schema.enum && !schema.enum.includes(value as string))
    errors.push(`${path}: ${String(value)} not in enum`);
  if (typeof value === 'number') errors.push(...numberErrors(schema, value, path));
  if (typeof value === 'string') errors.push(...stringErrors(schema, value, path));
  if (Array.isArray(value) && schema.maxItems !== undefined && value.length > schema.maxItems)
    errors.push(`${path}: more than ${schema.maxItems} items`);
  return errors;
}

function objectErrors(schema: JsonSchema, value: Record<string, unknown>, path: string): string[] {
  const errors = (schema.required ?? []).filter((k) => !(k in value)).map((k) => `${path}.${k}: required`);
  for (const [key, child] of Object.entries(value)) {
    const childSchema = schema.properties?.[key] ?? schema.additionalProperties;
    if (childSchema) errors.push(...schemaErrors(childSchema, child, `${path}.${key}`));
    else if (!schema['x-kubernetes-preserve-unknown-fields'] && schema.properties)
      errors.push(`${path}.${key}: unknown field`);
  }
  return errors;
}

/** Every way `value` breaks `schema`, each naming the path; empty when it conforms. */
export function schemaErrors(schema: JsonSchema, value: unknown, path = ''): string[] {
  const errors = [...typeErrors(schema, value, path), ...boundErrors(schema, value, path)];
  if (errors.length > 0) return errors;
  if (Array.isArray(value) && schema.items)
    return value.flatMap((item, i) => schemaErrors(schema.items as JsonSchema, item, `${path}[${i}]`));
  if (schema.type === 'object' && value !== null && typeof value === 'object')
    return objectErrors(schema, value as Record<string, unknown>, path);
  return [];
}
