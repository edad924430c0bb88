// `furnace mcp` as a command: its help and usage errors, and that stdout carries nothing but the
// protocol's JSON-RPC lines (initialize, tools/list) until the client closes stdin, when it exits 0.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { helpText } from '../../../cli/args.ts';
import { main } from '../../../cli/main.ts';
import { MCP_VERB } from '../../../cli/mcp/mcp-verb.ts';
import { runCli } from '../../harness/cli.ts';

describe('furnace mcp', () => {
  it('has --help and refuses a bad --ui or an argument with exit code 2', async () => {
    const help = await runCli(main, ['mcp', '--help']);
    assert.equal(help.code, 0);
    assert.equal(help.stdout, helpText(MCP_VERB));
    const badUi = await runCli(main, ['mcp', '--server', 'http://127.0.0.1:1', '--ui', 'not a url']);
    assert.equal(badUi.code, 2);
    assert.match(badUi.stderr, /--ui "not a url" is not a URL/);
    const extra = await runCli(main, ['mcp', 'shop']);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /'furnace mcp' takes no arguments; unexpected shop/);
    assert.match((await runCli(main, ['--help'])).stdout, /^ {2}mcp /m);
  });

  it('speaks only JSON-RPC on stdout and exits 0 when stdin closes', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    const exited = main(['mcp', '--server', 'http://127.0.0.1:1'], { stdin, stdout, stderr });
    const send = (message: object): boolean => stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    while (!out.includes('"id":2')) await once(stdout, 'data');
    stdin.end();
    assert.equal(await exited, 0);
    const lines = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; result: { tools?: { name: string }[] } });
    assert.deepEqual(
      lines.map((line) => line.id),
      [1, 2],
    );
    assert.deepEqual(
      lines[1]?.result.tools?.map((tool) => tool.name),
      ['list', 'record', 'summarize', 'compare', 'links'],
    );
  });
});
