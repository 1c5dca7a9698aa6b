import { describe, expect, it } from '@jest/globals';
import { HostGuard } from './host-guard.js';

describe('HostGuard', () => {
  const guard = new HostGuard([]);

  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::10.0.0.1', '64:ff9b::a00:5', '2002:a00:1::1', '2001:0:4136:e378::1', '[::1]'])('refuses %s', async (address) => {
    await expect(guard.resolve(address)).rejects.toMatchObject({ code: 'host_not_allowed' });
  });

  it.each(['8.8.8.8', '2a00:1450:4001::200e', '::ffff:8.8.8.8'])('lets %s through', async (address) => {
    await expect(guard.resolve(address)).resolves.toMatchObject({ address: address.replace(/^\[|\]$/g, '') });
  });

  it('allows listed addresses, ranges and names', async () => {
    const allowing = new HostGuard(['127.0.0.1', '10.0.0.0/8', 'localhost']);
    await expect(allowing.resolve('127.0.0.1')).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(allowing.resolve('10.200.0.7')).resolves.toMatchObject({ address: '10.200.0.7' });
    await expect(allowing.resolve('localhost')).resolves.toBeDefined();
    await expect(allowing.resolve('192.168.0.1')).rejects.toMatchObject({ code: 'host_not_allowed' });
  });

  it('names a host that does not resolve', async () => {
    await expect(guard.resolve('no-such-host.invalid')).rejects.toMatchObject({ code: 'host_not_found' });
  });
});
