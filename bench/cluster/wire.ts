/**
 * The bench's one bare Phoenix client is `support/phoenix-wire.ts`; this name stays only until the
 * abuse suite (`bench/abuse/`) imports that module instead.
 */
export { PhoenixWire as ClusterWire, type Reply } from '../support/phoenix-wire.ts';
