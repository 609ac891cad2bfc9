import { describe, expect, it } from 'vitest';
import { armBudgetFor, DEFAULT_ARM_RATES, formatArmRates, parseArmRates, TokenBucket } from '../../src/aca/arm-budget';

describe('ARM budget', () => {
  it('lets a burst through at once, then hands out tokens at the rate, first come first served', async () => {
    const bucket = new TokenBucket({ perSecond: 50, burst: 3 });
    const order: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 8 }, (_, i) => bucket.take().then(() => order.push(i))));
    const elapsed = performance.now() - t0;
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // 5 tokens beyond the burst at 50/s take about 100 ms; not a timing assertion on speed, a floor.
    expect(elapsed).toBeGreaterThanOrEqual(80);
  });

  it('a throttled answer pauses every request of its kind for the Retry-After', async () => {
    const bucket = new TokenBucket({ perSecond: 1000, burst: 100 });
    bucket.pause(150);
    const t0 = performance.now();
    await bucket.take();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('an aborted wait leaves the queue and rejects with the reason', async () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 });
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    expect(bucket.waiting).toBe(1);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(bucket.waiting).toBe(0);
  });

  it('parses SOCKERLESS_ARM_BUDGET', () => {
    expect(parseArmRates(undefined)).toEqual(DEFAULT_ARM_RATES);
    expect(parseArmRates('off')).toBe('off');
    expect(parseArmRates('reads=5/10')).toEqual({ reads: { perSecond: 5, burst: 10 }, writes: DEFAULT_ARM_RATES.writes });
    expect(parseArmRates('writes=0.5/2, reads=5/10')).toEqual({ reads: { perSecond: 5, burst: 10 }, writes: { perSecond: 0.5, burst: 2 } });
    expect(() => parseArmRates('reads=fast')).toThrow(/SOCKERLESS_ARM_BUDGET/);
    expect(() => parseArmRates('writes=0/10')).toThrow(/above 0/);
  });

  it('one budget per subscription: a second client with the same rates shares it, one with other rates is refused', () => {
    const key = 'subscription sub-a at https://arm.test';
    const first = armBudgetFor(key, DEFAULT_ARM_RATES);
    expect(armBudgetFor(key, { reads: { ...DEFAULT_ARM_RATES.reads }, writes: { ...DEFAULT_ARM_RATES.writes } })).toBe(first);
    const slower = { reads: { perSecond: 5, burst: 10 }, writes: DEFAULT_ARM_RATES.writes };
    expect(() => armBudgetFor(key, slower)).toThrow(
      'the ARM budget of subscription sub-a at https://arm.test already runs at reads=20/200,writes=8/150; a second client of it asked for reads=5/10,writes=8/150',
    );
    expect(armBudgetFor(key, DEFAULT_ARM_RATES).rates).toEqual(DEFAULT_ARM_RATES);
    // Another subscription has its own budget, at its own rates.
    const other = armBudgetFor('subscription sub-b at https://arm.test', slower);
    expect(other).not.toBe(first);
    expect(other.rates).toEqual(slower);
  });

  it('writes rates back in the syntax SOCKERLESS_ARM_BUDGET parses', () => {
    const rates = { reads: { perSecond: 2.5, burst: 7 }, writes: { perSecond: 1, burst: 3 } };
    expect(formatArmRates(rates)).toBe('reads=2.5/7,writes=1/3');
    expect(parseArmRates(formatArmRates(rates))).toEqual(rates);
  });
});
