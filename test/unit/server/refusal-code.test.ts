// The code of a recorder's refusal goes into an audit line: it is the recorder's text, so hostile. What
// reaches the line is printable and bounded, or nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusalCodeOf } from '../../../server/proxy/answer-schema.ts';

const answer = (body: unknown) => Buffer.from(JSON.stringify(body));

describe('refusalCodeOf', () => {
  it('keeps a code as the recorder gave it, and only the code', () => {
    assert.equal(
      refusalCodeOf(answer({ code: 'ERR_RECORDING_RUNNING', message: 'busy' })),
      'ERR_RECORDING_RUNNING',
    );
  });

  it('gives nothing for an answer without a code, with one that is not text, or that is not JSON', () => {
    assert.equal(refusalCodeOf(answer({ message: 'busy' })), undefined);
    assert.equal(refusalCodeOf(answer({ code: 7, message: 'busy' })), undefined);
    assert.equal(refusalCodeOf(answer({ code: '\n\u0000\u202e', message: 'busy' })), undefined);
    assert.equal(refusalCodeOf(Buffer.from('<html>')), undefined);
  });

  it('drops control, format and separator characters, lone surrogates included', () => {
    const forged = 'ERR_X\r\n{"audit":{}}\u001b[2J\u200b\u202e\u2028\u2029\ud800';
    assert.equal(refusalCodeOf(answer({ code: forged, message: '' })), 'ERR_X{"audit":{}}[2J');
  });

  it('keeps at most 64 characters of a longer code, whole characters only', () => {
    const long = `ERR_${'🔥'.repeat(100)}`;
    const kept = refusalCodeOf(answer({ code: long, message: '' }));
    assert.equal(kept, `ERR_${'🔥'.repeat(60)}…`);
    assert.equal([...(kept ?? '')].length, 65);
  });
});
