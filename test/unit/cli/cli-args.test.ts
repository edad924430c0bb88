// The cluster verbs' argument parsing, durations, help texts and progress line, without a cluster.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { helpText, parseArgs, parseDuration, UsageError } from '../../../cli/args.ts';
import { main } from '../../../cli/main.ts';
import { createProgress, describeProgress } from '../../../cli/progress.ts';
import { startBody } from '../../../cli/record.ts';
import { VERBS } from '../../../cli/verbs.ts';
import { runCli } from '../../harness/cli.ts';

const record = VERBS.record;

describe('furnace argument parsing', () => {
  it('reads long and short options with separate or attached values, and positionals', () => {
    const parsed = parseArgs(record, [
      '-n',
      'shop',
      'web-1',
      '--container=app',
      '-d2m',
      '--profiler',
      'auto',
      '-o',
      'out',
    ]);
    assert.deepEqual(parsed, {
      options: { namespace: 'shop', container: 'app', duration: '2m', profiler: 'auto', output: 'out' },
      positionals: ['web-1'],
    });
    assert.deepEqual(parseArgs(VERBS.list, ['-A', '--kubeconfig', '/k', '--context=dev']).options, {
      'all-namespaces': true,
      kubeconfig: '/k',
      context: 'dev',
    });
  });

  it('refuses unknown options, missing values and values on flags, naming them', () => {
    assert.throws(
      () => parseArgs(record, ['--durations', '3s']),
      /unknown option --durations for 'furnace record'/,
    );
    assert.throws(() => parseArgs(record, ['-x']), /unknown option -x/);
    assert.throws(() => parseArgs(record, ['pod', '-n']), /option -n needs a value \(NS\)/);
    assert.throws(() => parseArgs(record, ['-n', '--container', 'x']), /option -n needs a value/);
    assert.throws(() => parseArgs(VERBS.list, ['--pods=yes']), /option --pods takes no value/);
  });

  it('parses durations as seconds: 30s, 2m, 1h, 1m30s, 90', () => {
    assert.deepEqual(['30s', '2m', '1h', '1m30s', '90'].map(parseDuration), [30, 120, 3600, 90, 90]);
    for (const bad of ['', '0s', 's', '3x', '-5s', '1.5m', 'm30'])
      assert.throws(() => parseDuration(bad), UsageError, bad);
  });

  it('builds the start request from what the user gave only', () => {
    assert.deepEqual(startBody({ parsed: parseArgs(record, ['pod']) }), { durationSeconds: 30 });
    assert.deepEqual(
      startBody({
        parsed: parseArgs(record, ['pod', '-c', 'app', '-d', '5s', '-F', '199', '--profiler', 'pprof']),
      }),
      { durationSeconds: 5, container: 'app', frequency: 199, profiler: 'pprof' },
    );
    assert.throws(
      () => startBody({ parsed: parseArgs(record, ['pod', '--profiler', 'gdb']) }),
      /not one of perf, pprof, bpftrace, auto/,
    );
    assert.throws(
      () => startBody({ parsed: parseArgs(record, ['pod', '-F', 'fast']) }),
      /not a positive integer/,
    );
  });

  it('sends --call-graph auto, fp or dwarf, and refuses another', () => {
    for (const mode of ['auto', 'fp', 'dwarf'])
      assert.equal(startBody({ parsed: parseArgs(record, ['pod', '--call-graph', mode]) }).callGraph, mode);
    assert.equal(
      startBody({ parsed: parseArgs(record, ['pod']) }).callGraph,
      undefined,
      "the server's default",
    );
    assert.throws(
      () => startBody({ parsed: parseArgs(record, ['pod', '--call-graph', 'lbr']) }),
      /call graph "lbr" is not one of auto, fp, dwarf/,
    );
  });

  it('takes --profile offcpu (the server checks it goes with the profiler) and refuses an unknown type', () => {
    assert.deepEqual(startBody({ parsed: parseArgs(record, ['pod', '--profile', 'offcpu', '-d', '10s']) }), {
      durationSeconds: 10,
      profile: 'offcpu',
    });
    assert.throws(
      () => startBody({ parsed: parseArgs(record, ['pod', '--profile', 'trace']) }),
      /profile "trace" is not one of cpu, offcpu, wall, heap, goroutine, allocs, mutex, block/,
    );
  });

  it('reads a bpftrace program from --program, which implies the bpftrace profiler and refuses another', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'furnace-cli-program-'));
    const file = join(dir, 'count.bt');
    await writeFile(file, 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }\n');
    assert.deepEqual(startBody({ parsed: parseArgs(record, ['pod', '--program', file]) }), {
      durationSeconds: 30,
      profiler: 'bpftrace',
      bpftrace: { program: 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }\n' },
    });
    assert.throws(
      () => startBody({ parsed: parseArgs(record, ['pod', '--profiler', 'perf', '--program', file]) }),
      /--program is a bpftrace program: it does not go with --profiler perf/,
    );
    assert.throws(
      () => startBody({ parsed: parseArgs(record, ['pod', '--program', join(dir, 'missing.bt')]) }),
      /cannot read the bpftrace program .*missing\.bt/,
    );
  });
});

describe('furnace help', () => {
  it('has --help for every cluster verb, listing each of its options, with exit code 0', async () => {
    for (const [name, spec] of Object.entries(VERBS)) {
      const result = await runCli(main, [name, '--help']);
      assert.equal(result.code, 0, name);
      assert.equal(result.stdout, helpText(spec));
      assert.match(result.stdout, new RegExp(`^usage: furnace ${name}`));
      for (const option of [...spec.options, { name: 'kubeconfig' }, { name: 'context' }])
        assert.ok(result.stdout.includes(`--${option.name}`), `${name} --help names --${option.name}`);
    }
  });

  it('lists the new verbs beside the offline ones', async () => {
    const result = await runCli(main, ['--help']);
    for (const verb of [
      'inject',
      'collapse-perf',
      'flamegraph',
      'record',
      'list',
      'get',
      'download',
      'open',
      'ui',
    ])
      assert.match(result.stdout, new RegExp(`^  ${verb} `, 'm'), verb);
  });

  it('refuses an unknown option or a missing pod with exit code 2 and a message, before reading any kubeconfig', async () => {
    const unknown = await runCli(main, ['record', 'web-1', '--tail']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "furnace record: unknown option --tail for 'furnace record' (see --help)\n");
    const missing = await runCli(main, ['record', '-n', 'shop']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /'furnace record' needs <pod>/);
    const extra = await runCli(main, ['get', 'a', 'b']);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /unexpected b/);
  });
});

describe('the progress line', () => {
  function collect(tty: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
    const stream: PassThrough & { isTTY?: boolean } = new PassThrough();
    if (tty) stream.isTTY = true;
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString() };
  }

  it('rewrites one line with \\r on a terminal', () => {
    const out = collect(true);
    const progress = createProgress(out.stream);
    progress.update('a: recording (record) 10%');
    progress.update('a: recording (record) 10%');
    progress.update('a: processing (render) 90%');
    progress.done();
    assert.equal(out.text(), '\ra: recording (record) 10%\x1b[K\ra: processing (render) 90%\x1b[K\n');
  });

  it('writes plain lines, once per change, elsewhere', () => {
    const out = collect(false);
    const progress = createProgress(out.stream);
    progress.update('x 10%');
    progress.update('x 10%');
    progress.update('x 20%');
    progress.done();
    assert.equal(out.text(), 'x 10%\nx 20%\n');
    assert.equal(
      describeProgress({ state: 'recording', stage: 'record', progress: 0.456 }),
      'recording (record) 46%',
    );
  });
});
