import type { ContainerSpec, JobBody } from '../job-schema';
import type { OperationError } from '../operations';
import { imageRegistry, pullFailure, type PrivateRegistry } from '../registry-access';
import { ArmError } from './arm-error';

/**
 * Refusals ACA finds while provisioning what ARM accepted: an image the environment may not pull
 * with the job's credentials, and (see quota.ts) the environment's core quota. Azure reports
 * them both ways: a synchronous 400 `InvalidParameterValueInContainerTemplate` ("The following
 * field(s) are either invalid or missing. Field 'template.containers.<name>.image' is invalid
 * with details: 'Invalid value: "<image>": GET https:?scope=…: UNAUTHORIZED: authentication
 * required…'", Azure/container-apps-deploy-action#85), or a write accepted and its operation
 * ended Failed with `ContainerAppOperationError` "Failed to provision revision for container app
 * '…'. Error details: The following field(s) are either invalid or missing. …"
 * (Azure-Samples/call-center-voice-agent-accelerator#3). Which one a job PUT or Jobs_Start gets
 * is not published: the simulator refuses synchronously where writes complete in their first
 * answer (instant latency) and through the operation where writes are operations (realistic
 * latency, the azure profile).
 */

interface RegistryEntry {
  server?: string;
  identity?: string;
}

/**
 * The first container (init containers first) whose image sits in a private registry the job's
 * password credentials do not open. A managed identity's missing grant is not found here: that
 * one fails the executions' pulls (registry-access.ts).
 */
export function imageAccessError(containers: readonly ContainerSpec[], body: JobBody, privateRegistries: readonly PrivateRegistry[]): ArmError | undefined {
  const { registries = [] } = body.properties.configuration as { registries?: RegistryEntry[] };
  for (const c of containers) {
    const host = imageRegistry(c.image);
    const entry = registries.find((r) => r.server !== undefined && imageRegistry(`${r.server}/x`) === host);
    if (entry?.identity !== undefined) continue;
    if (pullFailure(c, body, privateRegistries) === undefined) continue;
    const repository = c.image.slice(c.image.indexOf('/') + 1).replace(/[@:][^/]*$/, '');
    const details =
      `The following field(s) are either invalid or missing. Field 'template.containers.${c.name}.image' is invalid with details: ` +
      `'Invalid value: "${c.image}": GET https:?scope=repository%3A${repository}%3Apull&service=${host}: UNAUTHORIZED: authentication required';.`;
    return new ArmError(400, 'InvalidParameterValueInContainerTemplate', details, `template.containers.${c.name}.image`);
  }
  return undefined;
}

/** The same refusal as the Failed status of the operation that accepted the write. */
export function provisioningFailure(what: string, refused: ArmError): OperationError {
  return { code: 'ContainerAppOperationError', message: `Failed to provision ${what}. Error details: ${refused.message}` };
}
