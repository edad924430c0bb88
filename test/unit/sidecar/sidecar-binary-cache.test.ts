import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseExecutableMappings } from '../../../sidecar/symbols/binary-cache.ts';

// /proc/PID/maps of a small C program (with a deleted library and anonymous and special mappings).
const MAPS = `55daa944a000-55daa944b000 r--p 00000000 00:27 2                          /tmp/hx
55daa944b000-55daa944c000 r-xp 00001000 00:27 2                          /tmp/hx
55daa944c000-55daa944d000 r--p 00002000 00:27 2                          /tmp/hx
55daaa1f2000-55daaa213000 rw-p 00000000 00:00 0                          [heap]
7fd8bdde8000-7fd8bde0e000 r--p 00000000 fe:00 326269                     /usr/lib/x86_64-linux-gnu/libc.so.6
7fd8bde0e000-7fd8bdf64000 r-xp 00026000 fe:00 326269                     /usr/lib/x86_64-linux-gnu/libc.so.6
7fd8bdf90000-7fd8bdf92000 r-xp 00000000 fe:00 401100                     /opt/app/lib/libold.so (deleted)
7fd8bdfc0000-7fd8bdfc2000 r-xp 00000000 00:00 0
7fd8bdfdb000-7fd8bdfdd000 r-xp 00000000 00:00 0                          [vdso]
7fd8bdfde000-7fd8bdfdf000 r-xp 00001000 fe:00 326250                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7ffc0b6f4000-7ffc0b715000 rw-p 00000000 00:00 0                          [stack]
`;

describe('executable mappings', () => {
  it('lists each file-backed executable mapping once, without deleted files or special mappings', () => {
    assert.deepEqual(parseExecutableMappings(MAPS), [
      '/tmp/hx',
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
    ]);
  });
});
