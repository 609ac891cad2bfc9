// The agent's one user resolution (src/agent/user.ts), used by piped and PTY sessions alike.
import { mkdirSync, mkdtempSync, rmSync, } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveUser, userFor, UserError } from '../../src/agent/user';

describe('resolveUser without /etc/passwd (an image with none)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sockerless-nouser-'));
  mkdirSync(join(root, 'etc'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('root and numeric ids need no files; a name does', () => {
    expect(resolveUser(root, 'root')).toEqual({ uid: 0, gid: 0, home: '/root' });
    expect(resolveUser(root, '1000:1000')).toEqual({ uid: 1000, gid: 1000, home: '/' });
    expect(resolveUser(root, 'app')).toBe('unable to find user app: no matching entries in passwd file');
  });
});

describe('userFor (resolved in the agent\'s own /)', () => {
  it('throws runc\'s text as a UserError for an unknown user or group', () => {
    expect(() => userFor('no-such-user-here', {})).toThrow(UserError);
    expect(() => userFor('no-such-user-here', {})).toThrow('unable to find user no-such-user-here: no matching entries in passwd file');
    expect(() => userFor('0:no-such-group-here', {})).toThrow('unable to find group no-such-group-here: no matching entries in group file');
  });

  it('nothing asked: no ids, the env untouched', () => {
    const env = { A: '1' };
    expect(userFor(undefined, env)).toEqual({ env });
  });

  it.runIf(process.getuid?.() === 0)('as root: switches to another user, whose home replaces root\'s HOME but not an image\'s', () => {
    const home = (resolveUser('/', '4242') as { home: string }).home;
    expect(userFor('4242:4243', { HOME: '/root' })).toEqual({ user: { uid: 4242, gid: 4243 }, env: { HOME: home } });
    expect(userFor('4242', {})).toEqual({ user: { uid: 4242, gid: 0 }, env: { HOME: home } });
    expect(userFor('4242', { HOME: '/srv/app' }).env).toEqual({ HOME: '/srv/app' });
    // Already that user: nothing to switch.
    expect(userFor('0', {})).toEqual({ env: { HOME: '/root' } });
  });
});
