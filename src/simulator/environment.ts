import { notFound } from './errors';
import { environmentId, normalizeLocation, sameName } from './ids';
import type { SimulatorSettings } from './options';
import type { RouteSpec } from './routing';

/** Where console logs go: the spec's 'log-analytics' (with the workspace), 'azure-monitor' or 'none'. */
function appLogsConfiguration(settings: SimulatorSettings): object {
  if (settings.logDestination === 'log-analytics') {
    return { destination: 'log-analytics', logAnalyticsConfiguration: { customerId: settings.workspaceId } };
  }
  return { destination: settings.logDestination };
}

/** The one managed environment, shaped like ManagedEnvironments_Get.json. */
export function environmentResource(settings: SimulatorSettings): object {
  const location = normalizeLocation(settings.location);
  return {
    id: environmentId(settings),
    name: settings.environment,
    type: 'Microsoft.App/managedEnvironments',
    location: settings.location,
    tags: {},
    properties: {
      provisioningState: 'Succeeded',
      defaultDomain: `${settings.environment}.${location}.azurecontainerapps.io`,
      staticIp: '127.0.0.1',
      appLogsConfiguration: appLogsConfiguration(settings),
      // A Consumption-only (legacy) environment has no workload profiles at all.
      ...(settings.environmentType === 'workload-profiles'
        ? { workloadProfiles: settings.workloadProfiles.map(({ name, workloadProfileType }) => ({ name, workloadProfileType })) }
        : {}),
      zoneRedundant: false,
    },
  };
}

export function environmentRoutes(settings: SimulatorSettings): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.App/managedEnvironments',
      operation: 'ManagedEnvironments_ListByResourceGroup',
      kind: 'read',
      audience: 'arm',
      handle: (c) => c.json({ value: [environmentResource(settings)] }),
    },
    {
      method: 'GET',
      path: '/subscriptions/:subscriptionId/providers/Microsoft.App/managedEnvironments',
      operation: 'ManagedEnvironments_ListBySubscription',
      kind: 'read',
      audience: 'arm',
      handle: (c) => c.json({ value: [environmentResource(settings)] }),
    },
    {
      method: 'GET',
      path: '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.App/managedEnvironments/:environmentName',
      operation: 'ManagedEnvironments_Get',
      kind: 'read',
      audience: 'arm',
      handle(c) {
        const name = c.req.param('environmentName')!;
        if (!sameName(name, settings.environment)) {
          throw notFound('ResourceNotFound', `The Resource 'Microsoft.App/managedEnvironments/${name}' under resource group '${settings.resourceGroup}' was not found.`);
        }
        return c.json(environmentResource(settings));
      },
    },
  ];
}
