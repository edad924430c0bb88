// A process that compacts the continuous windows under a data directory once, as the leader's chore does
// (server/continuous/compact-windows.ts), then exits: what a fault test kills midway.
// Usage: node --import tsx test/harness/compact-windows-child.ts <dataDir> <now ms>
import { compactWindows } from '../../server/continuous/compact-windows.ts';
import { filesystemWindows } from '../../server/continuous/window-store.ts';

const [dataDir, now] = process.argv.slice(2);
if (dataDir === undefined || now === undefined)
  throw new Error('usage: compact-windows-child.ts <dataDir> <now ms>');
const levels = [
  { resolution: 60, afterMs: 3_600_000 },
  { resolution: 600, afterMs: 24 * 3_600_000 },
];
const result = await compactWindows({
  windows: filesystemWindows(dataDir),
  levels,
  frequency: 19,
  now: Number(now),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
