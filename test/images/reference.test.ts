import { describe, expect, it } from 'vitest';
import { DockerError } from '../../src/errdefs';
import {
  familiarString, formatReference, parseReference, withDefaultTag, withDigest, withTag,
} from '../../src/images/reference';

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);

function rejects(input: string): string {
  try {
    parseReference(input);
  } catch (err) {
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).kind).toBe('invalidParameter');
    return (err as DockerError).message;
  }
  throw new Error(`${input} was accepted`);
}

describe('parseReference', () => {
  it.each([
    ['alpine', { domain: 'docker.io', path: 'library/alpine' }],
    ['alpine:latest', { domain: 'docker.io', path: 'library/alpine', tag: 'latest' }],
    ['docker.io/library/alpine', { domain: 'docker.io', path: 'library/alpine' }],
    ['index.docker.io/library/alpine', { domain: 'docker.io', path: 'library/alpine' }],
    ['library/alpine:3.20', { domain: 'docker.io', path: 'library/alpine', tag: '3.20' }],
    ['user/app', { domain: 'docker.io', path: 'user/app' }],
    ['ghcr.io/org/x:tag', { domain: 'ghcr.io', path: 'org/x', tag: 'tag' }],
    ['ghcr.io/org/team/x', { domain: 'ghcr.io', path: 'org/team/x' }],
    [`x@${DIGEST}`, { domain: 'docker.io', path: 'library/x', digest: DIGEST }],
    [`x:1@${DIGEST}`, { domain: 'docker.io', path: 'library/x', tag: '1', digest: DIGEST }],
    ['localhost:5000/x', { domain: 'localhost:5000', path: 'x' }],
    ['localhost/x:v1', { domain: 'localhost', path: 'x', tag: 'v1' }],
    ['myacr.azurecr.io/apps/web:2024.1_b-3', { domain: 'myacr.azurecr.io', path: 'apps/web', tag: '2024.1_b-3' }],
    ['a__b/c--d.e', { domain: 'docker.io', path: 'a__b/c--d.e' }],
  ])('%s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it('rejects malformed references with Docker wording', () => {
    expect(rejects('')).toBe('invalid reference format: repository name must have at least one component');
    expect(rejects('Alpine')).toBe('invalid reference format: repository name (library/Alpine) must be lowercase');
    expect(rejects('alpine:')).toBe('invalid reference format');
    expect(rejects('alpine:bad/tag')).toBe('invalid reference format');
    expect(rejects('-alpine')).toBe('invalid reference format');
    expect(rejects('alpine::1')).toBe('invalid reference format');
    expect(rejects('ghcr.io/')).toBe('invalid reference format');
    expect(rejects('a'.repeat(64).replace(/a/g, 'f'))).toBe(`invalid repository name (${'f'.repeat(64)}), cannot specify 64-byte hexadecimal strings`);
    expect(rejects('x@sha256:abc' + '0'.repeat(29))).toBe('invalid reference format: invalid checksum digest length');
    expect(rejects(`x@md5:${'0'.repeat(32)}`)).toBe('invalid reference format: unsupported digest algorithm md5');
    expect(rejects(`${'a/'.repeat(130)}b`)).toBe('invalid reference format: repository name must not be more than 255 characters');
  });
});

describe('formatting', () => {
  it('qualifies for storage and familiarises for display', () => {
    const cases: [string, string, string][] = [
      ['alpine', 'docker.io/library/alpine:latest', 'alpine:latest'],
      ['docker.io/library/alpine:3.20', 'docker.io/library/alpine:3.20', 'alpine:3.20'],
      ['user/app:1', 'docker.io/user/app:1', 'user/app:1'],
      ['docker.io/library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest'],
      ['ghcr.io/org/x', 'ghcr.io/org/x:latest', 'ghcr.io/org/x:latest'],
      ['localhost:5000/x:v2', 'localhost:5000/x:v2', 'localhost:5000/x:v2'],
      [`x@${DIGEST}`, `docker.io/library/x@${DIGEST}`, `x@${DIGEST}`],
    ];
    for (const [input, qualified, familiar] of cases) {
      const ref = withDefaultTag(parseReference(input));
      expect([formatReference(ref), familiarString(ref)]).toEqual([qualified, familiar]);
    }
  });

  it('replaces tags and digests like dockerd does for the pull `tag` parameter', () => {
    const ref = parseReference('alpine:3.19');
    expect(formatReference(withTag(ref, '3.20'))).toBe('docker.io/library/alpine:3.20');
    expect(formatReference(withDigest(ref, DIGEST))).toBe(`docker.io/library/alpine@${DIGEST}`);
    expect(() => withTag(ref, 'no/slash')).toThrow('invalid tag format: no/slash');
    expect(() => withTag(ref, '.dot')).toThrow('invalid tag format: .dot');
  });
});
