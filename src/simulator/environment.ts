import { notFound } from './errors';
import { environmentId, normalizeLocation, sameName } from './ids';
import type { SimulatorSettings } from './options';
import type { RouteSpec } from './routing';

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
      appLogsConfiguration: {
        destination: 'log-analytics',
        logAnalyticsConfiguration: { customerId: settings.workspaceId },
      },
      workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
      zoneRedundant: false,
    },
  };
}

export function environmentRoutes(settings: SimulatorSettings): RouteSpec[] {
  return [
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
