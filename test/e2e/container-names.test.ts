// Issue 20 item 3: a container on a user network reaches another container of that network by
// name, alias or short id, through the two agents (the caller's resolves the name to a loopback
// address it listens on; the daemon relays each connection to the callee's agent). Real docker
// CLI; busybox's httpd serves inside the callee, GNU wget fetches in the caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { IS_ROOT } from '../simulator/isolation-support';
import { agentConnected } from './agent-helpers';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  await d.cli(['pull', 'alpine']);
}, 60_000);
afterAll(async () => {
  await d?.close();
});

/** A web server on port 80 of the container whose index says `text`. */
const web = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} >/www/index.html && exec busybox httpd -f -p 80 -h /www`];

/** Resolves once the container's own server answers inside it (so a miss later is the names' fault, not a slow start). */
const serving = (id: string) => servingOn(d, id);
async function servingOn(on: TestDaemon, id: string): Promise<void> {
  await agentConnected(on, id);
  for (let i = 0; i < 200; i++) {
    const r = await on.cli(['exec', id, 'wget', '-qO-', 'http://127.0.0.1:80/']);
    if (r.code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server in ${id} never answered`);
}

const ok = (args: string[]) => okOn(d, args);
const okOn = async (on: TestDaemon, args: string[]) => {
  const r = await on.cli(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
};

/** `wget` in `id` until it answers (a server seen listening reaches the caller's agent within about a second). */
async function fetchFromOn(on: TestDaemon, id: string, url: string): Promise<string> {
  let last = '';
  for (let i = 0; i < 60; i++) {
    const r = await on.cli(['exec', id, 'wget', '-qO-', '-T', '5', url]);
    if (r.code === 0) return r.stdout;
    last = r.stderr;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wget ${url} never answered: ${last}`);
}

// The caller's agent writes /etc/hosts and listens on loopback addresses as the replica's init,
// which the simulator gives it in its own namespaces (root only).
describe.skipIf(!IS_ROOT)('container names between containers of a user network', () => {
  it('docker run --rm on the network fetches http://web:80/ by container name; a name on another network does not resolve', { timeout: 120_000 }, async () => {
    await ok(['network', 'create', 'names-n']);
    await ok(['network', 'create', 'names-other']);
    const webId = await ok(['run', '-d', '--network', 'names-n', '--name', 'web', '--expose', '80', 'alpine', ...web('hello-from-web')]);
    const hiddenId = await ok(['run', '-d', '--network', 'names-other', '--name', 'hidden', '--expose', '80', 'alpine', ...web('hidden')]);
    await serving(webId);
    await serving(hiddenId);

    const got = await d.cli(['run', '--rm', '--network', 'names-n', 'alpine', 'wget', '-qO-', 'http://web:80/']);
    expect(got.stderr).toBe('');
    expect(got).toMatchObject({ code: 0, stdout: 'hello-from-web\n' });

    // In one more container: the hosts file, the short id (Docker's DNS answers it too), and
    // `hidden`, which runs, but on another network: its name means nothing here.
    const script = `cat /etc/hosts; echo ---; wget -qO- http://${webId.slice(0, 12)}:80/; echo ---; wget -nv -O- -T 3 http://hidden:80/ 2>&1; echo "exit=$?"`;
    const more = await d.cli(['run', '--rm', '--network', 'names-n', 'alpine', 'sh', '-c', script]);
    const [hosts, byId, refused] = more.stdout.split('---\n');
    expect(hosts).toMatch(/^127\.\d+\.\d+\.\d+\tweb( |$)/m);
    expect(hosts).not.toMatch(/hidden/);
    expect(byId).toBe('hello-from-web\n');
    expect(refused).toMatch(/unable to resolve host address|bad address|Name or service not known/i);
    expect(refused).not.toMatch(/exit=0/);

    // On the default bridge there are no names at all, as under dockerd.
    const bridge = await d.cli(['run', '--rm', 'alpine', 'wget', '-qO-', '-T', '3', 'http://web:80/']);
    expect(bridge.code).not.toBe(0);

    await ok(['rm', '-f', webId, hiddenId]);
    await ok(['network', 'rm', 'names-n', 'names-other']);
  });

  it('a relayed stream carries more than the flow-control window, with half-close both ways', { timeout: 120_000 }, async () => {
    await ok(['network', 'create', 'names-flow']);
    // Upper-cases what it reads; after the client's FIN it writes "bye" and closes.
    const echo = `require('net').createServer({allowHalfOpen:true},s=>{s.on('data',b=>s.write(b.toString().toUpperCase()));s.on('end',()=>s.end('bye'))}).listen(7000,()=>console.log('listening'))`;
    const echoId = await ok(['run', '-d', '--network', 'names-flow', '--name', 'names-echo', '--expose', '7000', 'alpine', 'node', '-e', echo]);
    await agentConnected(d, echoId);
    // 3 MiB out, then FIN; counts what comes back until the server closes.
    const client = `const s=require('net').connect({host:'names-echo',port:7000,allowHalfOpen:true},()=>s.end(Buffer.alloc(3*1024*1024,'a')));let n=0,tail='';s.on('data',b=>{n+=b.length;tail=(tail+b.toString()).slice(-3)});s.on('error',e=>{console.error(e.message);process.exit(2)});s.on('close',()=>console.log(n,tail))`;
    let got = { code: -1, stdout: '', stderr: '' };
    for (let i = 0; i < 100 && got.stdout.trim() !== `${3 * 1024 * 1024 + 3} bye`; i++) {
      got = await d.cli(['run', '--rm', '--network', 'names-flow', 'alpine', 'node', '-e', client]);
      if (got.code !== 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(got).toMatchObject({ code: 0, stdout: `${3 * 1024 * 1024 + 3} bye\n` });
    await ok(['rm', '-f', echoId]);
    await ok(['network', 'rm', 'names-flow']);
  });

  it('by default the agent listens only on ports peers declare: a container\'s own undeclared server keeps its port', { timeout: 120_000 }, async () => {
    await ok(['network', 'create', 'names-own']);
    const peerId = await ok(['run', '-d', '--network', 'names-own', '--name', 'names-peer80', 'alpine', ...web('peer')]);
    await serving(peerId);
    const selfId = await ok(['run', '-d', '--network', 'names-own', '--name', 'names-self80', 'alpine', ...web('self')]);
    await serving(selfId);
    // Its own httpd on port 80 bound (nothing of its agent's was in the way), and answers.
    expect((await d.cli(['exec', selfId, 'wget', '-qO-', 'http://127.0.0.1:80/'])).stdout).toBe('self\n');
    // The peer's name resolves, but its undeclared port 80 is not carried: the name's loopback
    // address is the container's own, where its own wildcard-bound httpd answers.
    expect((await d.cli(['exec', selfId, 'cat', '/etc/hosts'])).stdout).toMatch(/\tnames-peer80( |$)/m);
    expect((await d.cli(['exec', selfId, 'wget', '-qO-', '-T', '3', 'http://names-peer80:80/'])).stdout).toBe('self\n');
    await ok(['rm', '-f', peerId, selfId]);
    await ok(['network', 'rm', 'names-own']);
  });
});

describe.skipIf(!IS_ROOT)('SOCKERLESS_PEER_PORTS=listening: the ports peers\' servers listen on too', () => {
  let l: TestDaemon;
  beforeAll(async () => {
    l = await startTestDaemon({ env: { SOCKERLESS_PEER_PORTS: 'listening' } });
    await l.cli(['pull', 'alpine']);
  }, 60_000);
  afterAll(async () => {
    await l?.close();
  });

    it('reaches a container by its --network-alias on a port it never declared, started after the caller (and from one connected later), and loses it when it stops', { timeout: 120_000 }, async () => {
      await okOn(l, ['network', 'create', 'names-alias']);
      const callerId = await okOn(l, ['run', '-d', '--network', 'names-alias', 'alpine', 'sleep', '300']);
      await agentConnected(l, callerId);
      // No --expose: the callee's agent reports the ports its servers listen on (SOCKERLESS_PEER_PORTS=listening).
      const svcId = await okOn(l, ['run', '-d', '--network', 'names-alias', '--network-alias', 'svc', '--name', 'names-svc', 'alpine', ...web('via-alias')]);
      await servingOn(l, svcId);

      expect(await fetchFromOn(l, callerId, 'http://svc:80/')).toBe('via-alias\n');
      expect(await fetchFromOn(l, callerId, 'http://names-svc/')).toBe('via-alias\n');
      // Many connections at once, each its own relayed stream.
      const many = await l.cli(['exec', callerId, 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do wget -qO- http://svc/ & done; wait']);
      expect(many.stdout).toBe('via-alias\n'.repeat(8));

      // A running container connected to the network later gets the names then (`docker network connect`).
      const outsiderId = await okOn(l, ['run', '-d', 'alpine', 'sleep', '300']);
      await agentConnected(l, outsiderId);
      expect((await l.cli(['exec', outsiderId, 'wget', '-qO-', '-T', '3', 'http://svc:80/'])).code).not.toBe(0);
      await okOn(l, ['network', 'connect', 'names-alias', outsiderId]);
      expect(await fetchFromOn(l, outsiderId, 'http://svc:80/')).toBe('via-alias\n');
      await okOn(l, ['rm', '-f', outsiderId]);

      await okOn(l, ['stop', '-t', '1', svcId]);
      for (let i = 0; i < 100; i++) {
        const hosts = await l.cli(['exec', callerId, 'cat', '/etc/hosts']);
        if (!/\bsvc\b/.test(hosts.stdout)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const gone = await l.cli(['exec', callerId, 'wget', '-qO-', '-T', '3', 'http://svc:80/']);
      expect(gone.code).not.toBe(0);

      await okOn(l, ['rm', '-f', callerId, svcId]);
      await okOn(l, ['network', 'rm', 'names-alias']);
    });
});
