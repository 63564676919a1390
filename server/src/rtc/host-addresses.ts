import { isIPv4 } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';

/** `os.networkInterfaces()`: interface name → its addresses. */
export type NetworkInterfaces = NodeJS.Dict<readonly NetworkInterfaceInfo[]>;

export const LOOPBACK_IPV4 = '127.0.0.1';

/**
 * Interfaces no browser reaches the server through, skipped as Chromium and werift skip them: VPN
 * tunnels, and the virtual links of containers and virtual machines.
 */
const SKIPPED_INTERFACE_PREFIXES = ['ipsec', 'tun', 'utun', 'tap', 'vmnet', 'veth'] as const;

/**
 * The IPv4 addresses the server's WebRTC peers announce as host candidates, so the ones a browser
 * can send UDP to:
 *
 * - `RTC_HOST_ADDRESSES` when it is set (`configured`): exactly those, e.g. the public address of
 *   a server behind NAT, with the LAN address if players on the LAN should connect directly too.
 * - `HOST` on loopback (`127.x.x.x`, `localhost`, `::1`): 127.0.0.1 alone, since nothing off this
 *   machine can reach the server anyway.
 * - `HOST` a single IPv4 address: that address.
 * - `HOST` on all interfaces (`0.0.0.0`, `::`; also a host name or an IPv6 address): 127.0.0.1 and
 *   every IPv4 address of a non-internal interface (not link-local, not a tunnel or virtual link),
 *   so a phone on the same network plays over WebRTC.
 *
 * The server gathers on these addresses only (werift's own interface scan is off, see
 * `werift-peer.ts`), so this list is what the server logs at start and what browsers see.
 */
export function selectHostAddresses(
  host: string,
  configured: readonly string[] | undefined,
  interfaces: NetworkInterfaces,
): string[] {
  if (configured !== undefined && configured.length > 0) return [...new Set(configured)];
  if (isLoopbackHost(host)) return [LOOPBACK_IPV4];
  if (isIPv4(host) && host !== '0.0.0.0') return [host];
  return [LOOPBACK_IPV4, ...lanAddresses(interfaces).filter((address) => address !== LOOPBACK_IPV4)];
}

/** Whether the server listening on `host` is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'localhost' || name === '::1' || name === '[::1]' || (isIPv4(name) && name.startsWith('127.'));
}

/** The IPv4 addresses of the non-internal interfaces, in interface-name order, without duplicates. */
export function lanAddresses(interfaces: NetworkInterfaces): string[] {
  const addresses = new Set<string>();
  for (const name of Object.keys(interfaces).sort()) {
    if (SKIPPED_INTERFACE_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    for (const info of interfaces[name] ?? []) {
      if (info.internal || !isIPv4(info.address) || info.address.startsWith('169.254.')) continue;
      addresses.add(info.address);
    }
  }
  return [...addresses];
}
