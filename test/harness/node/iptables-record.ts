// iptables as iptables-save prints it, per family and table: what the kubelet and kube-proxy added while the
// node started (recorded in the node's state, removed by that record) and a comparable snapshot for tests.
import { execFileSync } from 'node:child_process';
import { run } from '../processes.ts';
import type { IptablesDelta, IptablesFamily } from './node-layout.ts';

export const FAMILIES: IptablesFamily[] = ['iptables', 'ip6tables'];

/** family → table → its chains and its rules (`-A ...` lines, counters dropped). */
export type IptablesSnapshot = Record<string, Record<string, { chains: string[]; rules: string[] }>>;

export async function snapshotIptables(): Promise<IptablesSnapshot> {
  const snapshot: IptablesSnapshot = {};
  for (const family of FAMILIES) {
    const { stdout } = await run(`${family}-save`, [], { maxBuffer: 64 * 1024 * 1024 }).catch(() => ({
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
      const was = before[family]?.[table] ?? { chains: [], rules: [] };
      const oldChains = new Set(was.chains);
      const oldRules = new Set(was.rules);
      const chains = now.chains.filter((c) => !oldChains.has(c));
      const rules = now.rules.filter((r) => !oldRules.has(r) && oldChains.has(r.split(' ')[1] ?? ''));
      if (chains.length > 0 || rules.length > 0) deltas.push({ family, table, chains, rules });
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
  // A rule elsewhere that jumps to a recorded chain must go before the chain can.
  const doomed = new Set(delta.chains.filter((c) => present.has(c)));
  for (const rule of current.rules) {
    const target = /-j (\S+)/.exec(rule)?.[1];
    const chain = rule.split(' ')[1] ?? '';
    if (target && doomed.has(target) && !doomed.has(chain) && !delta.rules.includes(rule)) {
      lines.push(rule.replace(/^-A /, '-D '));
    }
  }
  for (const chain of doomed) lines.push(`-F ${chain}`);
  for (const chain of doomed) lines.push(`-X ${chain}`);
  lines.push('COMMIT', '');
  if (lines.length <= 3) return;
  execFileSync(`${delta.family}-restore`, ['-w', '--noflush'], {
    input: lines.join('\n'),
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}
