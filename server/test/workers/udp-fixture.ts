/**
 * Two cluster workers, each binding three UDP sockets on port 0 the way werift does, after
 * `bindUdpExclusively` when `EXCLUSIVE=1`; each worker prints `{"ports":[...]}`.
 */
import cluster from 'node:cluster';
import { createSocket } from 'node:dgram';
import { bindUdpExclusively } from '../../src/workers.ts';

if (cluster.isPrimary) {
  for (let i = 0; i < 2; i++) cluster.fork();
} else {
  if (process.env.EXCLUSIVE === '1') bindUdpExclusively();
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const socket = createSocket('udp4');
    const forms = [
      () => socket.bind({ address: '127.0.0.1' }),
      () => socket.bind(0, '127.0.0.1'),
      () => socket.bind({ port: 0, address: '127.0.0.1' }),
    ];
    forms[i]?.();
    await new Promise((resolve) => socket.once('listening', resolve));
    ports.push(socket.address().port);
  }
  console.log(JSON.stringify({ ports }));
  // Both workers hold their sockets until both have printed.
  setTimeout(() => process.exit(0), 500);
}
