// The code mappings of a process whose main thread has exited, written into perf.data as MMAP2 events
// (perf-data-mmaps.ts): the layout perf reads. A small perf.data made here stands in for perf record's
// (header, one attr, data, feature sections); test/process/zombie-leader-record.test.ts runs real perf.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addMmapEvents, parseMapsForPerf } from '../../../sidecar/profilers/perf/perf-data-mmaps.ts';

const MAPS = [
  '55d0a000-55d0b000 r--p 00000000 08:01 42 /opt/spin',
  '55d0b000-55d0c000 r-xp 00001000 08:01 42 /opt/spin',
  '7f0000000000-7f0000001000 rwxp 00000000 00:00 0 ',
  '7f1000000000-7f1000180000 r-xp 00028000 fe:0a 1234 /usr/lib/libc.so.6',
  '7ffd000000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]',
].join('\n');

/** A perf.data: one attr (TID, TIME, ID, CPU and PERIOD samples, sample_id_all), a 16-byte event, two features. */
function smallPerfData(): Buffer {
  const header = Buffer.alloc(104);
  header.write('PERFILE2', 0, 'latin1');
  header.writeBigUInt64LE(104n, 8);
  header.writeBigUInt64LE(136n, 16); // attr_size: perf_event_attr (120) + its ids section
  header.writeBigUInt64LE(104n, 24);
  header.writeBigUInt64LE(136n, 32);
  header.writeBigUInt64LE(240n, 40); // data offset
  header.writeBigUInt64LE(16n, 48); // data size
  header[72] = 0b110; // features 1 and 2
  const attr = Buffer.alloc(136);
  attr.writeUInt32LE(120, 4);
  attr.writeBigUInt64LE((1n << 1n) | (1n << 2n) | (1n << 6n) | (1n << 7n) | (1n << 8n), 24);
  attr.writeBigUInt64LE(1n << 18n, 40);
  const event = Buffer.alloc(16, 7);
  const table = Buffer.alloc(32);
  table.writeBigUInt64LE(288n, 0);
  table.writeBigUInt64LE(8n, 8);
  table.writeBigUInt64LE(296n, 16);
  table.writeBigUInt64LE(8n, 24);
  return Buffer.concat([header, attr, event, table, Buffer.from('AAAAAAAABBBBBBBB')]);
}

describe('code mappings written into perf.data', () => {
  it("takes each file's executable mappings, as perf synthesizes them", () => {
    const mappings = parseMapsForPerf(MAPS);
    assert.deepEqual(
      mappings.map((m) => [m.path, m.start.toString(16), m.offset, m.major, m.minor, m.inode, m.prot]),
      [
        ['/opt/spin', '55d0b000', 0x1000n, 8, 1, 42n, 5],
        ['/usr/lib/libc.so.6', '7f1000000000', 0x28000n, 0xfe, 0x0a, 1234n, 5],
      ],
    );
  });

  it('leaves perf.data as perf wrote it when the edit fails part-way (its feature table cut off)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'perf-mmaps-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'perf.data');
    const cut = smallPerfData().subarray(0, 256); // header, attr and data: the table the edit rewrites is gone
    await writeFile(file, cut);
    await assert.rejects(
      addMmapEvents(file, [{ pid: 4100, threads: [4101], maps: MAPS }]),
      /perf\.data ends at/,
    );
    assert.deepEqual(await readFile(file), cut, 'the samples perf wrote are untouched');
    assert.deepEqual(await readdir(dir), ['perf.data'], 'no half-edited copy is left beside it');
  });

  it('inserts MMAP2 events at the start of the data and moves the feature sections along', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'perf-mmaps-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'perf.data');
    await writeFile(file, smallPerfData());
    assert.equal(await addMmapEvents(file, [{ pid: 4100, threads: [4101], maps: MAPS }]), 2);
    const data = await readFile(file);
    // /opt/spin: 72 bytes, the name padded to 16, a sample_id of TID, TIME, ID and CPU (32).
    const first = 72 + 16 + 32;
    const second = 72 + 24 + 32;
    assert.equal(data.readBigUInt64LE(48), BigInt(16 + first + second));
    assert.equal(data.readUInt32LE(240), 10, 'PERF_RECORD_MMAP2');
    assert.equal(data.readUInt16LE(246), first);
    assert.deepEqual([data.readUInt32LE(248), data.readUInt32LE(252)], [4101, 4101], 'the live thread');
    assert.equal(data.readBigUInt64LE(256), 0x55d0b000n);
    assert.equal(data.readBigUInt64LE(264), 0x1000n, 'length');
    assert.equal(data.toString('utf8', 240 + 72, 240 + 72 + 9), '/opt/spin');
    assert.equal(data.readUInt16LE(240 + first + 6), second);
    assert.deepEqual(data.subarray(240 + first + second, 256 + first + second), Buffer.alloc(16, 7));
    const tableAt = 256 + first + second;
    const offsets = [Number(data.readBigUInt64LE(tableAt)), Number(data.readBigUInt64LE(tableAt + 16))];
    assert.deepEqual(
      offsets.map((at) => data.toString('latin1', at, at + 8)),
      ['AAAAAAAA', 'BBBBBBBB'],
    );
  });

  it("carries a file's build id instead of its device and inode when one was read", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'perf-mmaps-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'perf.data');
    await writeFile(file, smallPerfData());
    const buildId = '0123456789abcdef0123456789abcdef01234567';
    const buildIds = new Map([['/opt/spin', buildId]]);
    assert.equal(await addMmapEvents(file, [{ pid: 4100, threads: [4101], maps: MAPS, buildIds }]), 2);
    const data = await readFile(file);
    assert.equal(
      data.readUInt16LE(244),
      2 | (1 << 14),
      'PERF_RECORD_MISC_USER | PERF_RECORD_MISC_MMAP_BUILD_ID',
    );
    assert.equal(data.readUInt8(240 + 40), 20);
    assert.equal(data.toString('hex', 240 + 44, 240 + 64), buildId);
    const second = 240 + 72 + 16 + 32;
    assert.equal(data.readUInt16LE(second + 4), 2, 'libc: no build id read, device and inode');
    assert.equal(data.readBigUInt64LE(second + 48), 1234n);
  });

  it('leaves perf.data as it was when no mapping is executable and file-backed', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'perf-mmaps-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'perf.data');
    await writeFile(file, smallPerfData());
    assert.equal(
      await addMmapEvents(file, [
        { pid: 4100, threads: [4101], maps: '7f0000000000-7f0000001000 rwxp 0 00:00 0 \n' },
      ]),
      0,
    );
    assert.deepEqual(await readFile(file), smallPerfData());
  });
});
