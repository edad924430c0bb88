// A leader-election candidate as its own process, for the kube tier: it campaigns for a Lease with the
// real elector and runs one counting chore while it leads, printing `leading`, `following` and
// `chore <identity>` lines. A test kills it (SIGKILL: no release) or stops it (SIGTERM: it releases).
// Environment: KUBECONFIG, LEASE_NAMESPACE, LEASE_NAME, LEASE_IDENTITY, LEASE_TIMING (JSON ElectionTiming),
// CHORE_EVERY_MS.
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeRequest } from '../../kube/kube-request.ts';
import { createLeaseClient } from '../../kube/leases/lease-client.ts';
import { startLeaderElection, type ElectionTiming } from '../../kube/leases/leader-election.ts';
import { startChores } from '../../server/leader/chores.ts';

const kc = new KubeConfig();
kc.loadFromDefault();
const identity = process.env.LEASE_IDENTITY ?? 'candidate';
const say = (line: string) => process.stdout.write(`${line}\n`);
const log = {
  info: (_obj: object, msg: string) => say(`info ${msg}`),
  warn: (_obj: object, msg: string) => say(`warn ${msg}`),
};
const leadership = startLeaderElection({
  leases: createLeaseClient(createKubeRequest(kc), process.env.LEASE_NAMESPACE ?? 'default'),
  name: process.env.LEASE_NAME ?? 'leader',
  identity,
  timing: JSON.parse(process.env.LEASE_TIMING ?? '{}') as ElectionTiming,
  log,
});
leadership.onChange((leading) => say(leading ? 'leading' : 'following'));
const chores = startChores({
  leadership,
  chores: [
    {
      name: 'count',
      everyMs: Number(process.env.CHORE_EVERY_MS ?? 200),
      run: () => Promise.resolve(say(`chore ${identity}`)),
    },
  ],
  log,
});
process.once('SIGTERM', () => {
  void chores
    .stop()
    .then(() => leadership.stop())
    .then(() => {
      say('released');
      process.exit(0);
    });
});
say('started');
