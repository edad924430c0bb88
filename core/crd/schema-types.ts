// A structural OpenAPI v3 schema (the subset CRDs accept) and SchemaOf<T>, which ties a schema to a
// TypeScript type: every property of T needs a schema of the matching type, no schema property may be
// missing from T, and `required` lists only T's required properties (at least one when T has some).

export interface ValidationRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  default?: unknown;
  enum?: readonly (string | number)[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  maxProperties?: number;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema;
  items?: JsonSchema;
  required?: readonly string[];
  anyOf?: readonly JsonSchema[];
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: readonly string[];
  'x-kubernetes-validations'?: readonly ValidationRule[];
}

type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];

type ObjectSchemaOf<T> = Omit<JsonSchema, 'properties' | 'required'> & {
  type: 'object';
  properties: { [K in keyof T]-?: SchemaOf<NonNullable<T[K]>> };
} & ([RequiredKeys<T>] extends [never] ? { required?: never } : { required: readonly RequiredKeys<T>[] });

/** A schema whose shape matches T (a quantity is a string in TypeScript and int-or-string here). */
export type SchemaOf<T> = [T] extends [string]
  ? JsonSchema & ({ type: 'string' } | { 'x-kubernetes-int-or-string': true })
  : [T] extends [number]
    ? JsonSchema & { type: 'integer' | 'number' }
    : [T] extends [boolean]
      ? JsonSchema & { type: 'boolean' }
      : [T] extends [readonly (infer U)[]]
        ? JsonSchema & { type: 'array'; items: SchemaOf<U> }
        : string extends keyof T
          ? JsonSchema & { type: 'object'; additionalProperties: SchemaOf<T[string]> }
          : ObjectSchemaOf<T>;
