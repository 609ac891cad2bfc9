import { checkName, generateName } from '../../../daemon/names';
import { refusedEnvMessage } from '../../../daemon/env-names';
import { invalidParameter, notFound } from '../../../errdefs';
import { decodeRegistryAuth } from '../../../images/credentials';
import { readBody } from '../../body';
import { checkLabels } from '../../validate';
import { containerInput } from './create';
import { createBody } from './create-body';
import { answer, type ContainerRoutes, type ContainersContext } from './deps';
import { checkCreate } from './host-config';

const PORTS_WITHOUT_AGENT =
  'published ports are carried by the in-job agent, and containers started now get none (SOCKERLESS_AGENT=off, or no callback address): the ports will not be published';

/** `POST /containers/create`. */
export async function postContainersCreate(c: ContainersContext, d: ContainerRoutes) {
  const { backend } = d;
  const body = await readBody(c, createBody);
  checkLabels(body.Labels);
  const image = d.images.peek(body.Image);
  if (!image) throw notFound(`No such image: ${body.Image}`);
  const requested = c.req.query('name');
  const name = requested ? checkName(requested) : generateName(backend.nameTaken);
  if (!name) throw invalidParameter(`Invalid container name (${requested}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const input = containerInput(body, name, image);
  // Variables ACA refuses can only reach the process through the agent.
  const refusedEnv = d.hostConfig && !backend.agentRuns() ? refusedEnvMessage(body.Env ?? []) : undefined;
  if (refusedEnv) throw invalidParameter(refusedEnv);
  const warnings = d.hostConfig ? checkCreate(input.hostConfig, d.hostConfig.defaults, d.hostConfig.limits) : [];
  const registryAuth = decodeRegistryAuth(c.req.header('x-registry-auth'));
  const prepared = d.resources.prepare(input, body, image.Config.Volumes);
  const ports = backend.portBindings(input);
  if (ports.error) throw invalidParameter(ports.error);
  warnings.push(...ports.warnings);
  if (ports.bindings.length && !backend.agentRuns()) warnings.push(PORTS_WITHOUT_AGENT);
  const reply = await backend.create(input);
  if (reply.outcome !== 'created') return answer(c, reply);
  prepared.commit();
  d.hostConfig?.registries.rememberForContainer(input.id, registryAuth);
  return c.json({ Id: input.id, Warnings: [...prepared.warnings, ...warnings] }, 201);
}
