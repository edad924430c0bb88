import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkUserRequest,
  isJsonContentType,
  isLoopbackHost,
  isPreflightedContentType,
} from '../../../core/contract/request-guard.ts';

describe('user listener request guard', () => {
  it('takes loopback literals and localhost with any port, and no name a DNS answer could point anywhere', () => {
    for (const host of [
      '127.0.0.1',
      '127.0.0.1:8080',
      '127.3.2.1:1',
      'localhost:8080',
      'LOCALHOST',
      '[::1]',
      '[::1]:8080',
      'f0123abcd.localhost:8080',
    ])
      assert.equal(isLoopbackHost(host), true, host);
    for (const host of [
      undefined,
      '',
      'localhost.attacker.example',
      'a.b.localhost:8080',
      'f0123.localhost.attacker.example',
      '127.0.0.1.nip.io:8080',
      'evil.example:8080',
      '[::1]evil.example',
      '[::ffff:127.0.0.1]:8080',
      '127.0.0.1:8080:9090',
      '0.0.0.0:8080',
    ])
      assert.equal(isLoopbackHost(host), false, String(host));
  });

  it('knows JSON content types, with parameters and in any case', () => {
    for (const type of [
      'application/json',
      'Application/JSON; charset=utf-8',
      'application/merge-patch+json',
    ])
      assert.equal(isJsonContentType(type), true, type);
    for (const type of [
      undefined,
      '',
      'text/plain',
      'application/jsonx',
      'text/json',
      'application/x-www-form-urlencoded',
    ])
      assert.equal(isJsonContentType(type), false, String(type));
  });

  it('takes a file upload as application/octet-stream, which no form or no-cors fetch can send, and no form type', () => {
    assert.equal(isPreflightedContentType('application/octet-stream'), true);
    assert.equal(isPreflightedContentType('application/json'), true);
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded'])
      assert.equal(isPreflightedContentType(type), false, type);
    const upload = { method: 'POST', host: 'furnace.example', contentType: 'application/octet-stream' };
    assert.equal(checkUserRequest(upload, { loopbackOnly: false }), undefined);
    const multipart = { ...upload, contentType: 'multipart/form-data; boundary=x' };
    assert.equal(checkUserRequest(multipart, { loopbackOnly: false })?.code, 'ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('checks Host and Origin only in loopback-only mode, and the content type of state changes always', () => {
    const foreign = { method: 'GET', host: 'evil.example' };
    assert.equal(checkUserRequest(foreign, { loopbackOnly: false }), undefined);
    assert.equal(checkUserRequest(foreign, { loopbackOnly: true })?.code, 'ERR_FORBIDDEN');
    const form = { method: 'POST', host: 'furnace.example', contentType: 'text/plain' };
    assert.equal(checkUserRequest(form, { loopbackOnly: false })?.code, 'ERR_UNSUPPORTED_MEDIA_TYPE');
    const remove = { method: 'DELETE', host: '127.0.0.1:8080' };
    assert.equal(checkUserRequest(remove, { loopbackOnly: true }), undefined, 'a DELETE has no body to type');
    const secure = {
      method: 'POST',
      host: 'localhost:8443',
      protocol: 'https' as const,
      origin: 'https://localhost:8443',
    };
    assert.equal(
      checkUserRequest({ ...secure, contentType: 'application/json' }, { loopbackOnly: true }),
      undefined,
    );
    const refused = checkUserRequest({ ...secure, origin: 'http://localhost:8443' }, { loopbackOnly: true });
    assert.equal(refused?.code, 'ERR_FORBIDDEN');
    assert.match(refused?.message ?? '', /Origin http:\/\/localhost:8443 is refused/);
  });
});
