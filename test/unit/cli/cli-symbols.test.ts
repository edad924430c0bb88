// `furnace symbols`: its actions, their help, and the usage errors found before anything is sent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../../cli/main.ts';
import { helpText } from '../../../cli/args.ts';
import { SYMBOL_VERBS } from '../../../cli/verbs.ts';
import { runCli } from '../../harness/cli.ts';

const SERVER = ['--server', 'http://127.0.0.1:9'];

describe('furnace symbols', () => {
  it('names its actions without one, or with an unknown one (exit 2)', async () => {
    for (const argv of [['symbols'], ['symbols', 'push']]) {
      const result = await runCli(main, argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(
        result.stderr,
        /usage: furnace symbols upload <file> \| list \| delete <build-id> \| resymbolize/,
      );
    }
  });

  it('has --help for each action', async () => {
    for (const [action, spec] of Object.entries(SYMBOL_VERBS)) {
      const result = await runCli(main, ['symbols', action, '--help']);
      assert.equal(result.code, 0, action);
      assert.equal(result.stdout, helpText(spec));
    }
  });

  it('refuses a missing file, a build id that is not hex and a recording id that is no id before sending anything', async () => {
    const missing = await runCli(main, ['symbols', 'upload', '/nonexistent/app.debug', ...SERVER]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /\/nonexistent\/app\.debug is not a file/);
    const notHex = await runCli(main, ['symbols', 'delete', '../../etc', ...SERVER]);
    assert.equal(notHex.code, 2, notHex.stderr);
    assert.match(notHex.stderr, /is not a build id/);
    const notId = await runCli(main, ['symbols', 'resymbolize', '../x', ...SERVER]);
    assert.equal(notId.code, 1, notId.stderr);
    assert.match(notId.stderr, /which is not a recording id/);
  });
});
