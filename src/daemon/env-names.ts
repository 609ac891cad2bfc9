// Azure Container Apps refuses a job whose environment has a variable name it does not accept
// (`ContainerAppInvalidEnvVarName`: "allowed characters are 'a-z, A-Z, 0-9 and _'"), and the
// whole start fails. Docker accepts any name without '=': Java images often use
// `spring.profiles.active`. Where the agent runs, such variables travel to it in one secret and
// it sets them for the user's process; where none runs, `docker create` refuses them.
import type { JobSpec } from '../aca/cloud';

/** The names ACA accepts in a container's `env`. */
const AZURE_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variable the agent reads the carried variables from (a JSON object, name to value). */
export const CARRIED_ENV = 'SOCKERLESS_CARRIED_ENV';
const CARRIED_SECRET = 'sockerless-carried-env';

export function isAzureEnvName(name: string): boolean {
  return AZURE_ENV_NAME.test(name);
}

/** The names in `NAME=value` entries that ACA would refuse. */
export function refusedEnvNames(env: readonly string[]): string[] {
  return env.flatMap((kv) => {
    const eq = kv.indexOf('=');
    const name = eq < 0 ? kv : kv.slice(0, eq);
    return name !== '' && !isAzureEnvName(name) ? [name] : [];
  });
}

/**
 * Docker's 400 for a create whose variables ACA would refuse, when no agent will run to carry
 * them; undefined when there is none.
 */
export function refusedEnvMessage(env: readonly string[]): string | undefined {
  const names = refusedEnvNames(env);
  if (names.length === 0) return undefined;
  const list = names.map((n) => `'${n}'`).join(', ');
  return (
    `invalid environment variable name${names.length > 1 ? 's' : ''} ${list}: Azure Container Apps accepts only names of ` +
    `letters, digits and '_' not starting with a digit, and no agent runs here to set ${names.length > 1 ? 'them' : 'it'} ` +
    `inside the container (configure SOCKERLESS_AGENT_IMAGE, or rename the variable)`
  );
}

/**
 * The job with the variables ACA refuses moved out of `env` into one secret the agent reads
 * (`SOCKERLESS_CARRIED_ENV`), so they reach the user's process and not the job's definition.
 */
export function carryRefusedEnv(spec: JobSpec): JobSpec {
  const refused = spec.env.filter((e) => !isAzureEnvName(e.name));
  if (refused.length === 0) return spec;
  const secrets = new Map((spec.secrets ?? []).map((s) => [s.name, s.value]));
  const carried: Record<string, string> = {};
  const usedSecrets = new Set<string>();
  for (const e of refused) {
    if ('secretRef' in e) {
      carried[e.name] = secrets.get(e.secretRef) ?? '';
      usedSecrets.add(e.secretRef);
    } else {
      carried[e.name] = e.value;
    }
  }
  const stillReferenced = new Set(spec.env.flatMap((e) => (isAzureEnvName(e.name) && 'secretRef' in e ? [e.secretRef] : [])));
  return {
    ...spec,
    env: [...spec.env.filter((e) => isAzureEnvName(e.name)), { name: CARRIED_ENV, secretRef: CARRIED_SECRET }],
    secrets: [
      ...(spec.secrets ?? []).filter((s) => !usedSecrets.has(s.name) || stillReferenced.has(s.name)),
      { name: CARRIED_SECRET, value: JSON.stringify(carried) },
    ],
  };
}
