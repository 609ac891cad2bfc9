import type { NetworkRecord } from '../../networks/types';

/** Said in every network's inspect: what a network is here, and what it carries. */
export const NETWORK_NOTE =
  'Sockerless ACA keeps this network as a record: Azure Container Apps job executions have no network between them ' +
  'and the addresses shown are synthetic; containers with an agent reach each other by name, alias or short id ' +
  'over TCP, relayed by their agents through the daemon (no UDP, no ICMP).';

/** `GET /networks/{id}` and the items of `GET /networks` (which leave `Containers` empty, as dockerd does). */
export function renderNetwork(n: NetworkRecord, withContainers = true) {
  const prefix = n.IPAM.Config[0]?.Subnet.split('/')[1];
  const containers = withContainers
    ? Object.fromEntries(
        Object.values(n.Endpoints).map((e) => [
          e.ContainerID,
          { Name: e.Name, EndpointID: e.EndpointID, MacAddress: e.MacAddress, IPv4Address: e.IPAddress ? `${e.IPAddress}/${prefix}` : '', IPv6Address: '' },
        ]),
      )
    : {};
  return {
    Name: n.Name,
    Id: n.Id,
    Created: n.Created,
    Scope: 'local',
    Driver: n.Driver,
    EnableIPv4: n.Driver === 'bridge',
    EnableIPv6: n.EnableIPv6,
    IPAM: n.IPAM,
    Internal: n.Internal,
    Attachable: n.Attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: n.Options,
    Labels: n.Labels,
    // Not part of Docker's schema, so clients ignore it; the docker CLI's inspect shows it.
    Aca: { Connected: false, Note: NETWORK_NOTE },
  };
}
