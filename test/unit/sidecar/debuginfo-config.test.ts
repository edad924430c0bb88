// DEBUGINFOD_URLS read as every debuginfod client reads it (URLs separated by spaces), and refused with the
// variable, the value and what is allowed when an entry is not an http(s) URL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { readDebugInfoConfig } from '../../../sidecar/symbols/debuginfo-config.ts';

describe('debug info configuration', () => {
  it('takes the servers in order, without trailing slashes, with the default caps', () => {
    assert.deepEqual(
      readDebugInfoConfig({ DEBUGINFOD_URLS: ' https://debuginfod.debian.net/  http://127.0.0.1:8002 ' }),
      {
        urls: ['https://debuginfod.debian.net', 'http://127.0.0.1:8002'],
        maxBytes: 512 * 1024 * 1024,
        timeoutMs: 60_000,
      },
    );
    assert.deepEqual(readDebugInfoConfig({}).urls, []);
  });

  it('refuses a URL that is not http or https, and caps out of range', () => {
    assert.throws(
      () => readDebugInfoConfig({ DEBUGINFOD_URLS: 'https://ok.example file:///srv/debug' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.key === 'DEBUGINFOD_URLS' &&
        error.value === 'file:///srv/debug' &&
        /http:\/\/ or https:\/\//.test(error.allowed),
    );
    assert.throws(
      () => readDebugInfoConfig({ FURNACE_DEBUGINFO_TIMEOUT_SECONDS: '0' }),
      /FURNACE_DEBUGINFO_TIMEOUT_SECONDS.*from 1 to 3600/,
    );
  });
});
