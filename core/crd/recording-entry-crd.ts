// The RecordingEntry CustomResourceDefinition: one catalog entry of a server that keeps its artifacts in
// a bucket (several replicas), in the recording's namespace, so that every replica lists and watches the
// same catalog and RBAC by namespace applies to it. Written by the server only; users read recordings
// through the server's API, never these objects. The entry is the server's own record as JSON text
// (`spec.record`), checked like a recording.json file when read back; the other fields are for kubectl.
import { API_GROUP, API_VERSION } from '../contract/names.ts';
import { RECORDING_ID_PATTERN, RECORDING_STATES } from '../contract/recording.ts';
import { customResourceDefinition, type CustomResourceDefinition } from './crd-object.ts';
import type { SchemaOf } from './schema-types.ts';

export const RECORDING_ENTRY_KIND = 'RecordingEntry';
export const RECORDING_ENTRY_PLURAL = 'recordingentries';
export const RECORDING_ENTRY_CRD_NAME = `${RECORDING_ENTRY_PLURAL}.${API_GROUP}`;
/**
 * The largest `spec.record`. A typical entry is 1 to 3 KiB; the server shortens the error text and the
 * warnings of an entry that would be larger (server/catalog/kube-entries.ts).
 */
export const MAX_ENTRY_RECORD_BYTES = 16 * 1024;
/**
 * The most RecordingEntry objects a server keeps (retention.maxCount is held to it): about 200 MiB of
 * etcd for entries of a real perf recording (nine artifacts), 1.6 GiB at the very worst (every entry at
 * MAX_ENTRY_RECORD_BYTES); a replica lists them all before it is ready and holds them in its heap, about
 * 1,000 bytes an entry, so 100,000 need a heap larger than the image's 128 MiB, and the server refuses
 * a retention.maxCount its heap cannot hold (server/config/config-storage.ts; docs/architecture.md,
 * "Catalog on shared engines"; docs/benchmarks.md, `bench:catalog`).
 */
export const MAX_SHARED_ENTRIES = 100_000;

export interface RecordingEntrySpec {
  /** The recording id (object names are derived from it: ids allow characters names do not). */
  id: string;
  pod: string;
  state: string;
  startedAt: string;
  /** The server's stored record (entry, owner, times, artifact keys) as JSON. */
  record: string;
}

const specSchema = {
  type: 'object',
  description: 'One catalog entry, as the Furnace server wrote it.',
  required: ['id', 'pod', 'state', 'startedAt', 'record'],
  properties: {
    id: { type: 'string', pattern: RECORDING_ID_PATTERN, maxLength: 128 },
    pod: { type: 'string', maxLength: 253 },
    state: { type: 'string', enum: RECORDING_STATES },
    startedAt: { type: 'string', format: 'date-time' },
    record: { type: 'string', maxLength: MAX_ENTRY_RECORD_BYTES },
  },
} as const satisfies SchemaOf<RecordingEntrySpec>;

export function buildRecordingEntryCrd(): CustomResourceDefinition {
  return customResourceDefinition({
    name: RECORDING_ENTRY_CRD_NAME,
    group: API_GROUP,
    version: API_VERSION,
    names: {
      kind: RECORDING_ENTRY_KIND,
      plural: RECORDING_ENTRY_PLURAL,
      singular: 'recordingentry',
      listKind: `${RECORDING_ENTRY_KIND}List`,
    },
    description:
      'A Furnace catalog entry (several server replicas keep the catalog here); written by the server only.',
    spec: specSchema,
    status: { type: 'object', description: 'Not used.', properties: {} },
    required: ['spec'],
    printerColumns: [
      { name: 'Recording', type: 'string', jsonPath: '.spec.id' },
      { name: 'Pod', type: 'string', jsonPath: '.spec.pod' },
      { name: 'State', type: 'string', jsonPath: '.spec.state' },
      { name: 'Started', type: 'date', jsonPath: '.spec.startedAt' },
    ],
  });
}
