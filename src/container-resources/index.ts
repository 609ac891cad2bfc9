export { ContainerResources } from './resources';
export type { ContainerResourcesApi, NetworkView, NewContainer, PreparedCreate } from './resources';
