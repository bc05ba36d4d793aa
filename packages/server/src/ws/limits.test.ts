import { describe, expect, it } from 'vitest';
import { SocketLimits } from './limits.js';

describe('SocketLimits', () => {
  const limits = () =>
    new SocketLimits({ perUser: 1000, perAddress: 3, attachmentsPerUserPerSession: 4, userFramesPerSecond: 100 });

  it('counts one IPv6 /64 as one address: rotating through its addresses gets no more sockets', () => {
    const l = limits();
    for (let i = 1; i <= 3; i++) expect(l.admit(`user-${i}`, `2001:db8:1:2::${i}`).ok).toBe(true);
    expect(l.admit('user-4', '2001:db8:1:2:ffff:ffff:ffff:ffff')).toMatchObject({
      ok: false,
      message: expect.stringContaining('address') as unknown,
    });
    // Another /64, and an IPv4 client, have budgets of their own.
    expect(l.admit('user-5', '2001:db8:1:3::1').ok).toBe(true);
    expect(l.admit('user-6', '203.0.113.7').ok).toBe(true);
  });

  it('counts an IPv4 client the same whether the socket reports it as IPv4 or IPv4-mapped IPv6', () => {
    const l = limits();
    expect(l.admit('a', '203.0.113.7').ok).toBe(true);
    expect(l.admit('b', '::ffff:203.0.113.7').ok).toBe(true);
    const third = l.admit('c', '::ffff:cb00:7107');
    expect(third.ok).toBe(true);
    expect(l.admit('d', '203.0.113.7').ok).toBe(false);
    // A released place is free again, under the same key.
    if (third.ok) third.release();
    expect(l.admit('d', '203.0.113.7').ok).toBe(true);
  });
});
