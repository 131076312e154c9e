// A loopback TCP proxy whose connections can be frozen: `freeze()` makes every connection open at that moment
// half-open in both directions (nothing more is forwarded, nothing is closed), as a Wi-Fi hand-over or a NAT
// that dropped its mapping leaves a socket; connections made afterwards are forwarded normally.
import net from 'node:net';

export async function startFreezingProxy(targetPort) {
  const pairs = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    const pair = { client, upstream, frozen: false };
    pairs.add(pair);
    const forward = (from, to) => from.on('data', (chunk) => { if (!pair.frozen) to.write(chunk); });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => { pairs.delete(pair); client.destroy(); upstream.destroy(); };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', () => { if (!pair.frozen) end(); });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    /** Freezes every connection open now; returns how many. */
    freeze() {
      let n = 0;
      for (const pair of pairs) if (!pair.frozen) { pair.frozen = true; n++; }
      return n;
    },
    close() {
      for (const pair of pairs) { pair.client.destroy(); pair.upstream.destroy(); }
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
