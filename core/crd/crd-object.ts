// One apiextensions.k8s.io/v1 CustomResourceDefinition from a spec and a status schema: a single served
// and stored version, the status subresource, printer columns.
import type { JsonSchema } from './schema-types.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CrdNames {
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: JsonSchema };
  subresources: { status: Record<string, never> };
  additionalPrinterColumns: PrinterColumn[];
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: CrdNames;
    scope: 'Namespaced';
    versions: CrdVersion[];
  };
}

export interface CrdSource {
  name: string;
  group: string;
  version: string;
  names: CrdNames;
  description: string;
  spec: JsonSchema;
  status: JsonSchema;
  printerColumns: PrinterColumn[];
  /** Required top-level fields besides apiVersion/kind/metadata. */
  required?: string[];
}

export function customResourceDefinition(source: CrdSource): CustomResourceDefinition {
  const root: JsonSchema = {
    type: 'object',
    description: source.description,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: source.spec,
      status: source.status,
    },
    ...(source.required ? { required: source.required } : {}),
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: source.name, labels: { 'app.kubernetes.io/name': 'furnace' } },
    spec: {
      group: source.group,
      names: source.names,
      scope: 'Namespaced',
      versions: [
        {
          name: source.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: root },
          subresources: { status: {} },
          additionalPrinterColumns: source.printerColumns,
        },
      ],
    },
  };
}
