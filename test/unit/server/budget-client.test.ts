// Whose review budget an address spends: an IPv6 client's /64, an IPv4 address as it is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetClient } from '../../../server/kube/budget-client.ts';

describe('budgetClient', () => {
  it('keeps IPv4 addresses and names the /64 of IPv6 ones, in every spelling', () => {
    const cases: [string, string][] = [
      ['203.0.113.9', '203.0.113.9'],
      ['2001:db8:0:7::1', '2001:db8:0:7::/64'],
      ['2001:0db8:0000:0007:ffff:1:2:3', '2001:db8:0:7::/64'],
      ['2001:DB8:0:7:a::1', '2001:db8:0:7::/64'],
      ['::1', '0:0:0:0::/64'],
      ['fe80::1%eth0', 'fe80:0:0:0::/64'],
      ['::ffff:198.51.100.7', '198.51.100.7'],
      ['::ffff:c633:6407', '198.51.100.7'],
      ['64:ff9b::203.0.113.9', '64:ff9b:0:0::/64'],
      ['unknown', 'unknown'],
    ];
    for (const [address, client] of cases) assert.equal(budgetClient(address), client, address);
  });
});
