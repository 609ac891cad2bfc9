import type { AgentLink } from './link';

/**
 * Joins a connection one agent accepted for a peer (its `dial`, session `cs` of the caller's
 * numbering) to a port stream the daemon opens on the peer's agent (`portOpen`, session `ps`).
 * Frames pass through as they are, the session renumbered: each agent's sequence numbers and
 * acknowledgements reach the other, so flow control is the two agents' own (the daemon holds
 * nothing beyond what its WebSockets have in flight). A `portEnd` each way ends it; a
 * `portClose` or either connection's loss aborts it on both sides.
 */
export function relayPort(caller: AgentLink, cs: number, callee: AgentLink, port: number): void {
  const ps = callee.allocateSession();
  const ended = { caller: false, callee: false };
  const finish = () => {
    caller.unbindRelay(cs);
    callee.unbindRelay(ps);
  };
  caller.bindRelay(cs, {
    data: (frame) => callee.sendData({ ...frame, session: ps }),
    control: (msg) => {
      if (msg.t === 'portOpened') return;
      callee.send({ ...msg, s: ps });
      if (msg.t === 'portClose') return finish();
      if (msg.t === 'portEnd') ended.caller = true;
      if (ended.caller && ended.callee) finish();
    },
    lost: () => {
      callee.send({ t: 'portClose', s: ps, error: 'the connecting container\'s agent disconnected' });
      finish();
    },
  });
  callee.bindRelay(ps, {
    data: (frame) => caller.sendData({ ...frame, session: cs }),
    control: (msg) => {
      caller.send({ ...msg, s: cs });
      if (msg.t === 'portClose') return finish();
      if (msg.t === 'portEnd') ended.callee = true;
      if (ended.caller && ended.callee) finish();
    },
    lost: () => {
      caller.send({ t: 'portClose', s: cs, error: 'the peer\'s agent disconnected' });
      finish();
    },
  });
  callee.send({ t: 'portOpen', s: ps, port });
}
