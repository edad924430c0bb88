// The server as a table of modules: one line each. A module names what it needs (server-base.ts lists
// what each provides); the runner starts them in the order the needs make and stops them in reverse.
import {
  agentModule,
  catalogModule,
  clusterModule,
  podWatchModule,
  recordersModule,
} from './state-modules.ts';
import { sharedModule, tlsModule } from './state-modules.ts';
import { localSidecarModule, listenersModule, webhookModule } from './listener-modules.ts';
import type { Module } from './server-base.ts';
import { authModule, recordingsModule, registrationModule, uiModule } from './route-modules.ts';
import {
  continuousModule,
  leaderModule,
  sinksModule,
  slotsModule,
  symbolsModule,
  watchMetricsModule,
} from './work-modules.ts';

export const SERVER_MODULES: readonly Module[] = [
  tlsModule, // the serving certificate, re-read when its files change
  clusterModule, // the Kubernetes API (none in local mode)
  catalogModule, // recordings and their artifacts; retention and orphans (leader)
  recordersModule, // registries of sidecars and agents, token reviews, the replicas' key
  sharedModule, // several replicas: registrations, sessions and selections in Leases
  podWatchModule, // the pods of opted-in namespaces; deleted pods' registrations go
  agentModule, // agent mode: node agents and the pods they record; their registration
  leaderModule, // who leads the single-writer chores (the Lease)
  slotsModule, // several replicas: start slots as Leases; expired ones collected (leader)
  continuousModule, // continuous profiling's selections, windows and routes; their retention (leader)
  watchMetricsModule, // a cluster: watching Recordings' status for metrics and the sinks' labels
  sinksModule, // finished recordings pushed to sinks (leader)
  authModule, // who callers are: bearer tokens, the oauth-proxy's headers, sessions
  registrationModule, // sidecars register and renew (recorder listener)
  recordingsModule, // the proxy to recorders, start slots, the catalog's routes and uploads
  symbolsModule, // symbol files uploaded to namespaces, read by their recorders; their retention (leader)
  uiModule, // the web UI, sign-in and the recording form's reads
  listenersModule, // the user and the recorder API listeners
  webhookModule, // the admission webhook's listener (a cluster)
  localSidecarModule, // local mode's sidecar process
];
