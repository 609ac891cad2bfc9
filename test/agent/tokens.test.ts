import { describe, expect, it } from 'vitest';
import { AgentTokens } from '../../src/daemon/agent/tokens';

describe('agent tokens', () => {
  it('accept only the token minted for the container, refuse wrong, missing, empty or other containers\' tokens', () => {
    const tokens = new AgentTokens();
    const a = tokens.mint('a');
    const b = tokens.mint('b');
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(40);
    expect(tokens.check('a', a)).toBe(true);
    expect(tokens.check('a', b)).toBe(false);
    expect(tokens.check('a', undefined)).toBe(false);
    expect(tokens.check('a', '')).toBe(false);
    expect(tokens.check('a', a + 'x')).toBe(false);
    expect(tokens.check('nobody', a)).toBe(false);
  });

  it('a new start replaces the token: the previous execution\'s agent is refused', () => {
    const tokens = new AgentTokens();
    const first = tokens.mint('a');
    const second = tokens.mint('a');
    expect(tokens.check('a', first)).toBe(false);
    expect(tokens.check('a', second)).toBe(true);
    tokens.revoke('a');
    expect(tokens.check('a', second)).toBe(false);
  });
});
