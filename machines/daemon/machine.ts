import { enqueueActions, setup } from 'xstate';
import { containerMachine } from '../container/machine';
import type { ContainerInput, Reply } from '../container/types';

export interface DaemonContext {
  /** Container name (with its leading slash, as Docker stores it) → container id. */
  names: Record<string, string>;
}

export type DaemonEvent =
  | { type: 'CREATE'; rid: string; input: ContainerInput }
  | { type: 'RENAME'; rid: string; id: string; name: string };

type Enqueue = (action: { type: 'reply'; params: Reply }) => void;
const reply = (enqueue: unknown, params: Reply) => (enqueue as Enqueue)({ type: 'reply', params });

const conflictMessage = (name: string, id: string) =>
  `Conflict. The container name "${name}" is already in use by container "${id}". ` +
  'You have to remove (or rename) that container to be able to reuse that name.';

const isChildDone = (type: string) => type.startsWith('xstate.done.actor.');

/**
 * The root actor: owns the container name registry and spawns one container actor per
 * container, with `systemId` = container id so every route finds it with `system.get(id)`.
 */
export const daemonMachine = setup({
  types: { context: {} as DaemonContext, events: {} as DaemonEvent },
  actors: { container: containerMachine },
  actions: {
    reply: (_, _reply: Reply) => {},
    create: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CREATE') return;
      const { id, name } = event.input;
      const holder = context.names[name];
      if (holder) return reply(enqueue, { rid: event.rid, outcome: 'conflict', body: { message: conflictMessage(name, holder) } });
      enqueue.spawnChild('container', { id, systemId: id, input: event.input });
      // Names are updated in place: copying the registry on every create would make 10k creates quadratic.
      enqueue.assign({ names: ({ context: c }) => Object.assign(c.names, { [name]: id }) });
      reply(enqueue, { rid: event.rid, outcome: 'created' });
    }),
    rename: enqueueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'RENAME') return;
      const holder = context.names[event.name];
      if (holder && holder !== event.id) return reply(enqueue, { rid: event.rid, outcome: 'conflict', body: { message: conflictMessage(event.name, holder) } });
      const child = system.get(event.id);
      const old = child?.getSnapshot().context.name as string | undefined;
      if (!child || old === undefined) return reply(enqueue, { rid: event.rid, outcome: 'notFound', body: { message: `No such container: ${event.id}` } });
      enqueue.assign({
        names: ({ context: c }) => {
          delete c.names[old];
          c.names[event.name] = event.id;
          return c.names;
        },
      });
      enqueue.sendTo(child, { type: 'RENAME', name: event.name } as { type: string });
      reply(enqueue, { rid: event.rid, outcome: 'noContent' });
    }),
    /** A container reached `removed`: forget its name and let its actor go. */
    forget: enqueueActions(({ event, enqueue }) => {
      const { id, name } = (event as unknown as { output: { id: string; name: string } }).output;
      enqueue.stopChild(id);
      enqueue.assign({
        names: ({ context: c }) => {
          if (c.names[name] === id) delete c.names[name];
          return c.names;
        },
      });
    }),
  },
}).createMachine({
  id: 'daemon',
  context: { names: {} },
  on: {
    CREATE: { actions: 'create' },
    RENAME: { actions: 'rename' },
    '*': { guard: ({ event }) => isChildDone(event.type), actions: 'forget' },
  },
});
