// One pass of bringing the cluster in line with a Furnace that is not being deleted: certificates, plan,
// apply in order, prune what is no longer planned, check the server, write the status.
import { randomBytes, X509Certificate } from 'node:crypto';
import type { KubernetesObject, V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import { type OperatorContext, type ReconcileOutcome } from '../controller.ts';
import { RESOURCES } from '../resources.ts';
import { decideCertificates } from './certificates.ts';
import { furnaceNames, servingDnsNames, type FurnaceNames } from './furnace-names.ts';
import {
  detectPlatform,
  listOptedInNamespaces,
  readClusterNetworks,
  readRequestHeaderSource,
  readServiceCa,
  readStoredCertificates,
  readStoredSharedKey,
} from './furnace-inputs.ts';
import type { FurnaceSettings } from './furnace-settings.ts';
import { furnaceStatus, sameStatus, type ConditionFact } from './furnace-status.ts';
import type { Furnace } from '../../core/crd/resources.ts';
import { planFurnace, plannedResources, type PlannedCertificates, type Platform } from './plan.ts';
import { decideSharedKey } from './plan-shared-key.ts';
import { checkReadiness } from './readiness.ts';
import { serverUrls } from './server-urls.ts';

/** A ready Furnace is still looked at this often (renewals come sooner when due). */
const READY_RECHECK_MS = 5 * 60_000;

interface CertificateOutcome {
  planned: PlannedCertificates;
  fact: ConditionFact;
  nextRenewalAt?: number;
}

async function certificatesFor(
  context: OperatorContext,
  settings: FurnaceSettings,
  platform: Platform,
  names: FurnaceNames,
): Promise<CertificateOutcome> {
  if (platform === 'openshift') {
    const bundlePem = await readServiceCa(context.applier, names);
    return {
      planned: { bundlePem },
      fact: bundlePem
        ? { ok: true, reason: 'ServiceCA', message: 'the OpenShift service CA signs the serving certificate' }
        : {
            ok: false,
            reason: 'WaitingForServiceCA',
            message: `waiting for the service CA in ConfigMap ${names.serviceCa}`,
          },
    };
  }
  const stored = await readStoredCertificates(context.applier, names);
  const decision = await decideCertificates(
    stored,
    servingDnsNames(names, settings.extraDnsNames),
    settings.certificates,
    context.now(),
  );
  const { ca, serving, bundlePem } = decision.certificates;
  if (decision.renewed.length > 0)
    context.log.info(
      { furnace: names.server, namespace: names.namespace, renewed: decision.renewed },
      'certificates issued',
    );
  const until = new X509Certificate(serving.certPem).validTo;
  return {
    planned: { ca, serving, bundlePem },
    fact: {
      ok: true,
      reason: decision.renewed.length > 0 ? 'Issued' : 'Valid',
      message: `serving certificate valid until ${until}; renewed ${new Date(decision.nextRenewalAt).toISOString()} at the latest`,
    },
    nextRenewalAt: decision.nextRenewalAt,
  };
}

function webhookFact(
  applied: V1MutatingWebhookConfiguration | undefined,
  bundlePem: string,
  platform: Platform,
): ConditionFact {
  const caBundle = applied?.webhooks?.[0]?.clientConfig.caBundle ?? '';
  const name = applied?.metadata?.name ?? '';
  if (!applied)
    return { ok: false, reason: 'NotApplied', message: 'the webhook configuration was not applied' };
  if (platform === 'kubernetes' && Buffer.from(caBundle, 'base64').toString('utf8') !== bundlePem)
    return { ok: false, reason: 'CaBundleMismatch', message: `${name} does not carry the current CA bundle` };
  if (caBundle === '')
    return { ok: false, reason: 'WaitingForCaBundle', message: `${name} has no caBundle yet` };
  return { ok: true, reason: 'Applied', message: `${name} sends opted-in pods to the server` };
}

/** Applies the plan in order and deletes what is no longer in it; answers the objects as stored. */
async function applyPlan(
  context: OperatorContext,
  furnace: Furnace,
  planned: KubernetesObject[],
): Promise<KubernetesObject[]> {
  const applied: KubernetesObject[] = [];
  for (const object of planned) applied.push(await context.applier.apply(object));
  const namespace = furnace.metadata.namespace ?? '';
  const deleted = await context.applier.prune(
    plannedResources(namespace),
    furnace.metadata.uid ?? '',
    planned,
  );
  if (deleted.length > 0)
    context.log.info(
      { namespace: furnace.metadata.namespace, furnace: furnace.metadata.name, deleted },
      'deleted objects no longer planned',
    );
  return applied;
}

/** The next look: soon while the server is not ready, and never later than the next certificate renewal. */
function nextLook(
  ready: boolean,
  settings: FurnaceSettings,
  nextRenewalAt: number | undefined,
  now: number,
): number {
  const untilRenewal = nextRenewalAt === undefined ? Infinity : Math.max(1000, nextRenewalAt - now);
  return Math.min(ready ? READY_RECHECK_MS : settings.readyPollMs, untilRenewal);
}

/** OpenShift with a Route and no spec.trustedProxies: the cluster network, which the router connects from. */
async function routerNetworks(
  context: OperatorContext,
  furnace: Furnace,
  platform: Platform,
): Promise<{ clusterNetworks?: string[] }> {
  if (platform !== 'openshift' || furnace.spec.route?.enabled === false || furnace.spec.trustedProxies)
    return {};
  const clusterNetworks = await readClusterNetworks(context.request);
  if (clusterNetworks.length === 0)
    context.log.warn(
      { namespace: furnace.metadata.namespace, furnace: furnace.metadata.name },
      'the cluster network (networks.config.openshift.io cluster) could not be read: the server ignores X-Forwarded-For, so every user behind the Route shares one budget of failed token reviews; set spec.trustedProxies',
    );
  return { clusterNetworks };
}

export async function convergeFurnace(
  context: OperatorContext,
  settings: FurnaceSettings,
  furnace: Furnace,
): Promise<ReconcileOutcome> {
  const key = { namespace: furnace.metadata.namespace ?? '', name: furnace.metadata.name ?? '' };
  const names = furnaceNames(key.namespace, key.name);
  const platform = settings.platform ?? (await detectPlatform(context.request));
  const certificates = await certificatesFor(context, settings, platform, names);
  const requestHeader = await readRequestHeaderSource(context.applier);
  if (!requestHeader)
    context.log.info(
      { namespace: key.namespace, furnace: key.name },
      'no request-header CA in kube-system/extension-apiserver-authentication (no aggregation layer): no APIService, kubectl furnace is unavailable',
    );
  const planned = planFurnace({
    furnace,
    platform,
    certificates: certificates.planned,
    optedInNamespaces: await listOptedInNamespaces(context.applier, furnace.spec.webhook?.namespaceSelector),
    ...(settings.webhookUrl ? { webhookUrl: settings.webhookUrl } : {}),
    ...(requestHeader ? { requestHeader } : {}),
    sharedKey: decideSharedKey(await readStoredSharedKey(context.applier, names), () => randomBytes(32)),
    ...(await routerNetworks(context, furnace, platform)),
  });
  const applied = await applyPlan(context, furnace, planned);
  const webhook = applied.find(
    (o): o is V1MutatingWebhookConfiguration => o.kind === 'MutatingWebhookConfiguration',
  );
  const urls = serverUrls(furnace, platform, names, applied);
  const readiness = await checkReadiness({
    url: urls.readiness,
    caPem: certificates.planned.bundlePem,
    ...(settings.serverAddress ? { address: settings.serverAddress } : {}),
  });
  const status = furnaceStatus(
    furnace.status,
    {
      generation: furnace.metadata.generation ?? 0,
      url: urls.user,
      conditions: {
        Accepted: {
          ok: true,
          reason: 'ClusterFurnace',
          message: `the one Furnace of the cluster: ${key.namespace}/${key.name}, in the operator's namespace`,
        },
        Ready: {
          ok: readiness.ready,
          reason: readiness.ready ? 'ServerReady' : 'ServerNotReady',
          message: readiness.message,
        },
        WebhookReady: webhookFact(webhook, certificates.planned.bundlePem, platform),
        CertificateReady: certificates.fact,
      },
    },
    new Date(context.now()),
  );
  if (!sameStatus(furnace.status, status)) await context.applier.patchStatus(RESOURCES.Furnace, key, status);
  return { requeueAfterMs: nextLook(readiness.ready, settings, certificates.nextRenewalAt, context.now()) };
}
