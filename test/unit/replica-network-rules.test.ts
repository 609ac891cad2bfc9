// The nftables rules that give a replica in its own network namespace the daemon's TCP ports on its loopback.
import { describe, expect, it } from 'vitest';

import { loopbackRules } from '../../src/simulator/isolation/replica-network';

describe('loopbackRules', () => {
  it('DNATs only the given ports of 127.0.0.1 to the host loopback and rewrites their source on tap0', () => {
    const rules = loopbackRules([2375, 40123]);
    expect(rules).toContain('ip daddr 127.0.0.1 tcp dport { 2375, 40123 } dnat to 10.0.2.2;');
    expect(rules).toContain('oifname "tap0" ip saddr 127.0.0.1 snat to 10.0.2.100;');
  });

  it('leaves out ports that are not TCP port numbers, and gives no rules for none', () => {
    expect(loopbackRules([0, -1, 70000, 1.5, Number.NaN])).toBe('');
    expect(loopbackRules([])).toBe('');
    expect(loopbackRules([0, 8080])).toContain('tcp dport { 8080 }');
  });
});
