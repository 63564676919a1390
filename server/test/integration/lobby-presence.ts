import { PresenceEvent, Topic } from '@starcatch/shared';
import {
  type Channel,
  type ClientSockets,
  join,
  Presence,
  type PresenceEntries,
  recordSyncs,
  type Socket,
} from './phoenix-client.ts';

/** A signed-in guest's socket, as the game client opens it: the session token in the `token` param. */
export function openAs(clients: ClientSockets, socketUrl: string, token: string): Promise<Socket> {
  return clients.open(socketUrl, { params: { token } });
}

export interface LobbyView {
  readonly channel: Channel;
  readonly presence: Presence;
  /** What each `onSync` reported, in order. */
  readonly syncs: PresenceEntries[];
}

/** Joins `lobby` with a phoenix.js `Presence` attached before the join, as an app must. */
export async function joinLobby(socket: Socket): Promise<LobbyView> {
  const channel = socket.channel(Topic.lobby);
  const presence = new Presence(channel, { events: { state: PresenceEvent.state, diff: PresenceEvent.diff } });
  const syncs = recordSyncs(presence);
  await join(channel);
  return { channel, presence, syncs };
}

/** `key → number of metas`: the headcount an assertion usually wants. */
export function metaCounts(entries: PresenceEntries | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [key, metas] of Object.entries(entries ?? {})) counts[key] = metas.length;
  return counts;
}

/** The phx_refs of one key's metas, sorted. */
export function refsOf(entries: PresenceEntries | undefined, key: string): string[] {
  return (entries?.[key] ?? []).map((meta) => meta.phx_ref).sort();
}
