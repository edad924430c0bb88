// Local mode's pins made under a key that is not the program recorded: a release before keyed local mode's
// baselines like a cluster's (`deployment/<hostname>`), and such a pin matches no later recording now that
// local mode keys a baseline by the program recorded (core/compare/recorded-program.ts). When the server
// opens its catalog in local mode (server/modules/state-modules.ts), each such pin is moved to its
// recording's program key. One pin per program and namespace: a pin already under the program key was made
// after the old-key ones, so it stays and they are dropped; of several old-key pins of one program, the
// most recently started recording keeps its pin. An entry that names no program keeps its pin (it is
// matched by its pod's name, as in a cluster). Running it again changes nothing. Never called in a cluster.
import { recordedProgramOf } from '../../core/compare/recorded-program.ts';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import type { Catalog } from './catalog-contract.ts';

/** A pin moved to its program's key. */
export interface PinRekey {
  id: string;
  namespace: string;
  from: string;
  to: string;
}

/** A pin removed because another recording is the baseline of the same program. */
export interface PinDrop {
  id: string;
  namespace: string;
  from: string;
  /** The program key the pin would have moved to. */
  program: string;
  /** The recording that stays that program's baseline. */
  kept: string;
}

export interface PinKeyPlan {
  rekey: PinRekey[];
  drop: PinDrop[];
}

interface Pinned {
  entry: CatalogEntry;
  pin: string;
  program: string;
}

const newestFirst = (a: Pinned, b: Pinned): number =>
  Date.parse(b.entry.startedAt) - Date.parse(a.entry.startedAt) || b.entry.id.localeCompare(a.entry.id);

/** The pinned entries that name a program, grouped by namespace and program key. */
function pinsByProgram(entries: Iterable<CatalogEntry>): Map<string, Pinned[]> {
  const groups = new Map<string, Pinned[]>();
  for (const entry of entries) {
    const pin = entry.baselineOf;
    const program = recordedProgramOf(entry)?.key;
    if (pin === undefined || program === undefined) continue;
    const group = `${entry.namespace}\n${program}`;
    groups.set(group, [...(groups.get(group) ?? []), { entry, pin, program }]);
  }
  return groups;
}

/** Which pins of local mode's catalog move to their program's key, and which are dropped. Pure. */
export function planLocalPinKeys(entries: Iterable<CatalogEntry>): PinKeyPlan {
  const plan: PinKeyPlan = { rekey: [], drop: [] };
  for (const pins of pinsByProgram(entries).values()) {
    const old = pins.filter((p) => p.pin !== p.program).sort(newestFirst);
    if (old.length === 0) continue;
    const current = pins.filter((p) => p.pin === p.program).sort(newestFirst)[0];
    const winner = current ?? old[0];
    if (!winner) continue;
    if (!current) {
      const { entry, pin, program } = winner;
      plan.rekey.push({ id: entry.id, namespace: entry.namespace, from: pin, to: program });
    }
    for (const { entry, pin, program } of old)
      if (entry.id !== winner.entry.id)
        plan.drop.push({
          id: entry.id,
          namespace: entry.namespace,
          from: pin,
          program,
          kept: winner.entry.id,
        });
  }
  return plan;
}

export interface PinLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * Applies planLocalPinKeys to the catalog, dropping before moving (a stop between the two leaves at most
 * old-key pins, which the next start moves); one log line per pin changed. Resolves with the plan.
 */
export async function rekeyLocalPins(catalog: Catalog, log: PinLog): Promise<PinKeyPlan> {
  const plan = planLocalPinKeys(catalog.entries({}));
  for (const { id, namespace, from, program, kept } of plan.drop) {
    await catalog.setBaselineOf(id, undefined);
    log.warn(
      { recording: id, namespace, from, program, kept },
      `baseline pin dropped: recording ${id} was pinned as ${from}, and ${kept} is the newer baseline of ${program} (local mode keys a baseline by the program recorded)`,
    );
  }
  for (const { id, namespace, from, to } of plan.rekey) {
    await catalog.setBaselineOf(id, to);
    log.info(
      { recording: id, namespace, from, to },
      `baseline pin re-keyed: recording ${id} was pinned as ${from} and is now the baseline of ${to} (local mode keys a baseline by the program recorded)`,
    );
  }
  return plan;
}
