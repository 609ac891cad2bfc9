// ACA's (Kubernetes') rules for command/args against an image's ENTRYPOINT/CMD, and USER lookup as runc does it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerArgv, imageEnv, resolveUser } from '../../src/simulator/images/container-plan';

const config = { Entrypoint: ['/entry', '-e'], Cmd: ['default-cmd'] };

describe('containerArgv', () => {
  it.each([
    ['neither: ENTRYPOINT + CMD', undefined, undefined, ['/entry', '-e', 'default-cmd']],
    ['args only: ENTRYPOINT + args', undefined, ['a1'], ['/entry', '-e', 'a1']],
    ['command only: CMD dropped too', ['/own'], undefined, ['/own']],
    ['command and args', ['/own'], ['a1', 'a2'], ['/own', 'a1', 'a2']],
    ['empty lists count as absent', [], [], ['/entry', '-e', 'default-cmd']],
  ])('%s', (_, command, args, expected) => {
    expect(containerArgv(command as string[] | undefined, args as string[] | undefined, config)).toEqual(expected);
  });

  it('an image with neither ENTRYPOINT nor CMD and no command gives nothing to run', () => {
    expect(containerArgv(undefined, undefined, { Entrypoint: null, Cmd: null })).toEqual([]);
  });
});

describe('imageEnv', () => {
  it('reads NAME=value entries, values may hold =, later entries win, malformed ones are skipped', () => {
    expect(imageEnv({ Env: ['A=1', 'B=x=y', 'A=2', 'broken', '=nameless'] })).toEqual({ A: '2', B: 'x=y' });
  });
});

describe('resolveUser', () => {
  const root = mkdtempSync(join(tmpdir(), 'sockerless-user-'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nstaff:x:50:\n');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['', { uid: 0, gid: 0, home: '/root' }],
    ['app', { uid: 1000, gid: 1001, home: '/home/app' }],
    ['1000', { uid: 1000, gid: 1001, home: '/home/app' }],
    ['app:staff', { uid: 1000, gid: 50, home: '/home/app' }],
    ['app:7', { uid: 1000, gid: 7, home: '/home/app' }],
    ['4242', { uid: 4242, gid: 0, home: '/' }],
    ['4242:4242', { uid: 4242, gid: 4242, home: '/' }],
  ])('%j', (user, expected) => {
    expect(resolveUser(root, user)).toEqual(expected);
  });

  it('an unknown name or group is an error in runc words', () => {
    expect(resolveUser(root, 'nobody-here')).toBe('unable to find user nobody-here: no matching entries in passwd file');
    expect(resolveUser(root, 'app:nogroup')).toBe('unable to find group nogroup: no matching entries in group file');
  });
});
