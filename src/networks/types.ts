// Networks as plain JSON records, so the store can be persisted and restored as is.

/** A container's place on a network. Addresses are synthetic: nothing routes them on ACA. */
export interface EndpointRecord {
  ContainerID: string;
  /** The container's name without its leading slash. */
  Name: string;
  EndpointID: string;
  MacAddress: string;
  /** Without prefix length; empty on `host` and `none`. */
  IPAddress: string;
  Aliases: string[];
}

export interface IpamConfig {
  Subnet: string;
  Gateway: string;
  IPRange?: string;
}

export interface NetworkRecord {
  Id: string;
  Name: string;
  /** ISO time. */
  Created: string;
  Driver: string;
  Internal: boolean;
  Attachable: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string>; Config: IpamConfig[] };
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** `bridge`, `host` and `none`: they exist from the start and cannot be removed. */
  Predefined: boolean;
  /** By container id. */
  Endpoints: Record<string, EndpointRecord>;
}

/** `POST /networks/create`, validated. */
export interface NetworkSpec {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string>; Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string }> };
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** Publishes a Docker event for a network (`create`, `connect`, `disconnect`, `destroy`). */
export type NetworkAnnounce = (action: string, network: NetworkRecord, extra?: Record<string, string>) => void;
