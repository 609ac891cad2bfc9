import { describe, expect, it } from 'vitest';
import { ChangeGate } from '../../src/aca/change-gate';

describe('ChangeGate', () => {
  it('wakes a sleeper at the next hint instead of waiting out the interval', async () => {
    const gate = new ChangeGate();
    const slept = gate.sleep(60_000, new AbortController().signal);
    gate.notify();
    await expect(slept).resolves.toBeUndefined();
  });

  it('remembers a hint that arrived before the sleep', async () => {
    const gate = new ChangeGate();
    gate.notify();
    await expect(gate.sleep(60_000, new AbortController().signal)).resolves.toBeUndefined();
  });

  it('forgets hints older than the last reset', async () => {
    const gate = new ChangeGate();
    gate.notify();
    gate.reset();
    let woke = false;
    const slept = gate.sleep(20, new AbortController().signal).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    await slept;
    expect(woke).toBe(true);
  });

  it('rejects with the abort reason and removes its listener', async () => {
    const gate = new ChangeGate();
    const controller = new AbortController();
    const reason = new Error('container removed');
    const slept = gate.sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
    await expect(gate.sleep(10, controller.signal)).rejects.toBe(reason);
  });
});
