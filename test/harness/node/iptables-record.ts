// iptables as iptables-save prints it, per family and table: what the kubelet and kube-proxy added while the
// node started (recorded in the node's state, removed by that record) and a comparable snapshot for tests.
import { execFileSync } from '../child-processes.ts';
import { run } from '../processes.ts';
import type { IptablesDelta, IptablesFamily, IptablesSnapshot } from './node-layout.ts';

export type { IptablesSnapshot };

export const FAMILIES: IptablesFamily[] = ['iptables', 'ip6tables'];
/** Each family's dump and restore tools, spelled out: test/commands.tsv lists every command by its name. */
const TOOLS: Record<IptablesFamily, { save: string; restore: string }> = {
  iptables: { save: 'iptables-save', restore: 'iptables-restore' },
  ip6tables: { save: 'ip6tables-save', restore: 'ip6tables-restore' },
};
const BUILT_IN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

export async function snapshotIptables(): Promise<IptablesSnapshot> {
  const snapshot: IptablesSnapshot = {};
  for (const family of FAMILIES) {
    const { stdout } = await run(TOOLS[family].save, [], { maxBuffer: 64 * 1024 * 1024 }).catch(() => ({
      stdout: '',
    }));
    const tables: IptablesSnapshot[string] = {};
    let table = '';
    for (const line of stdout.split('\n')) {
      if (line.startsWith('*')) {
        table = line.slice(1);
        tables[table] = { chains: [], rules: [] };
      } else if (line.startsWith(':')) {
        tables[table]?.chains.push(line.slice(1).split(' ')[0] ?? '');
      } else if (line.startsWith('-A ')) {
        tables[table]?.rules.push(line.replace(/^\[\d+:\d+\] /, ''));
      }
    }
    snapshot[family] = tables;
  }
  return snapshot;
}

/** What `after` has that `before` lacks: new chains, and new rules in the chains `before` had. */
export function iptablesDelta(before: IptablesSnapshot, after: IptablesSnapshot): IptablesDelta[] {
  const deltas: IptablesDelta[] = [];
  for (const family of FAMILIES) {
    for (const [table, now] of Object.entries(after[family] ?? {})) {
      const was = before[family]?.[table];
      const oldChains = new Set(was?.chains ?? []);
      const oldRules = new Set(was?.rules ?? []);
      const chains = now.chains.filter((c) => !oldChains.has(c) && !BUILT_IN.has(c));
      const rules = now.rules.filter(
        (r) =>
          !oldRules.has(r) && (oldChains.has(r.split(' ')[1] ?? '') || BUILT_IN.has(r.split(' ')[1] ?? '')),
      );
      if (chains.length > 0 || rules.length > 0 || !was)
        deltas.push({ family, table, chains, rules, newTable: !was });
    }
  }
  return deltas;
}

/** Removes what a delta recorded: its rules in older chains, then its chains (flushed first). */
export async function removeDelta(delta: IptablesDelta): Promise<void> {
  const current = (await snapshotIptables())[delta.family]?.[delta.table] ?? { chains: [], rules: [] };
  const present = new Set(current.chains);
  const rules = new Set(current.rules);
  const lines = [`*${delta.table}`];
  for (const rule of delta.rules) if (rules.has(rule)) lines.push(rule.replace(/^-A /, '-D '));
  const doomed = new Set(delta.chains.filter((c) => present.has(c)));
  lines.push(...jumpsInto(doomed, current.rules, delta.rules).map((rule) => rule.replace(/^-A /, '-D ')));
  for (const chain of doomed) lines.push(`-F ${chain}`);
  for (const chain of doomed) lines.push(`-X ${chain}`);
  lines.push('COMMIT', '');
  if (lines.length > 3) {
    execFileSync(TOOLS[delta.family].restore, ['-w', '--noflush'], {
      input: lines.join('\n'),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  }
  if (delta.newTable) await removeEmptyTable(delta);
}

/** Rules outside the doomed chains that jump into one of them (they must go before the chain can). */
function jumpsInto(doomed: Set<string>, rules: string[], recorded: string[]): string[] {
  return rules.filter((rule) => {
    const target = /-j (\S+)/.exec(rule)?.[1];
    const chain = rule.split(' ')[1] ?? '';
    return target !== undefined && doomed.has(target) && !doomed.has(chain) && !recorded.includes(rule);
  });
}

/**
 * A table that appeared with the node goes once only its built-in chains are left and they are empty. Only the
 * nf_tables backend can remove a table (a legacy table is the kernel's and iptables-save lists it regardless).
 */
async function removeEmptyTable(delta: IptablesDelta): Promise<void> {
  const { stdout: version } = await run(delta.family, ['-V']);
  if (!version.includes('nf_tables')) return;
  const left = (await snapshotIptables())[delta.family]?.[delta.table];
  if (!left || left.rules.length > 0 || left.chains.some((c) => !BUILT_IN.has(c))) return;
  await run('nft', ['delete', 'table', delta.family === 'iptables' ? 'ip' : 'ip6', delta.table]);
}
