import type { Logger } from '@starcatch/phoenix';
import { z } from 'zod';
import type { ClusterNodes } from './cluster-nodes.ts';
import type { NodeBus } from './node-bus.ts';

/** What an operator can do to the sockets and peers of one process. */
export interface NodeOperations {
  /** Closes every WebRTC peer of the user held here; returns how many. */
  closePeersOf(userId: string): number;
  /** Closes every socket with this id connected here (code 1001); returns how many. */
  disconnect(socketId: string): number;
}

const CLOSE_PEERS = 'operator.close_peers';
const DISCONNECT = 'operator.disconnect';
const UserRequest = z.object({ userId: z.string() });
const SocketRequest = z.object({ socketId: z.string() });

/**
 * Operator actions across the cluster: each is asked of every live node (this one directly) and
 * the counts are added up. A node that does not answer in time is logged and counted as 0.
 */
export class ClusterOperations {
  readonly #bus: NodeBus;
  readonly #nodes: ClusterNodes;
  readonly #logger: Logger;

  constructor(bus: NodeBus, nodes: ClusterNodes, local: NodeOperations, logger: Logger) {
    this.#bus = bus;
    this.#nodes = nodes;
    this.#logger = logger;
    bus.onRequest(CLOSE_PEERS, (body) => local.closePeersOf(UserRequest.parse(body).userId));
    bus.onRequest(DISCONNECT, (body) => local.disconnect(SocketRequest.parse(body).socketId));
  }

  closePeersOf(userId: string): Promise<number> {
    return this.#everywhere(CLOSE_PEERS, { userId });
  }

  disconnect(socketId: string): Promise<number> {
    return this.#everywhere(DISCONNECT, { socketId });
  }

  async #everywhere(kind: string, body: Record<string, unknown>): Promise<number> {
    const answers = await Promise.allSettled(this.#nodes.alive().map((node) => this.#bus.request(node, kind, body)));
    let total = 0;
    for (const answer of answers) {
      if (answer.status === 'fulfilled' && typeof answer.value === 'number') total += answer.value;
      else if (answer.status === 'rejected') this.#logger.warn({ err: answer.reason, kind }, 'a node did not answer');
    }
    return total;
  }
}
