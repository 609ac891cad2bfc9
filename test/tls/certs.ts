// A throwaway PKI made with the openssl CLI: a CA, a server certificate for 127.0.0.1/localhost,
// a client certificate, and a client certificate from a second CA the daemon does not trust.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const openssl = (...args: string[]) => run('openssl', args);

export interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client pair signed by another CA. */
  rogueCert: string;
  rogueKey: string;
}

async function key(path: string) {
  await openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path);
}

async function ca(dir: string, name: string) {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}.pem`);
  await key(keyPath);
  await openssl('req', '-x509', '-new', '-key', keyPath, '-subj', `/CN=${name}`, '-days', '2', '-out', certPath);
  return { keyPath, certPath };
}

async function leaf(dir: string, name: string, issuer: { keyPath: string; certPath: string }, extensions: string) {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}-cert.pem`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await key(keyPath);
  await writeFile(ext, extensions);
  await openssl('req', '-new', '-key', keyPath, '-subj', `/CN=${name}`, '-out', csr);
  await openssl('x509', '-req', '-in', csr, '-CA', issuer.certPath, '-CAkey', issuer.keyPath, '-set_serial', String(Date.now()), '-days', '2', '-extfile', ext, '-out', certPath);
  return { keyPath, certPath };
}

export async function makePki(dir: string): Promise<Pki> {
  const [good, rogue] = await Promise.all([ca(dir, 'ca'), ca(dir, 'rogue-ca')]);
  const [server, client, stranger] = await Promise.all([
    leaf(dir, 'server', good, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'),
    leaf(dir, 'client', good, 'extendedKeyUsage=clientAuth\n'),
    leaf(dir, 'rogue', rogue, 'extendedKeyUsage=clientAuth\n'),
  ]);
  return {
    dir,
    ca: good.certPath,
    serverCert: server.certPath,
    serverKey: server.keyPath,
    clientCert: client.certPath,
    clientKey: client.keyPath,
    rogueCert: stranger.certPath,
    rogueKey: stranger.keyPath,
  };
}
