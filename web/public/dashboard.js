// Who's online: the demo app's channels, their members with metadata, and the app's counters, refreshed every
// second from GET /demo/stats (the protocol has no app-wide presence feed to subscribe to). Text only, never markup.
import { $, setStatus } from '/assets/demo.js';

const REFRESH_MS = 1000;

function peerLabel(peer) {
  const m = peer.metadata ?? {};
  const name = m.name ?? m.username ?? peer.peerId;
  return `${m.avatar ? `${m.avatar} ` : ''}${name}${m.role ? ` (${m.role})` : ''}`;
}

function render(stats) {
  $('connections').textContent = String(stats.usage.connections);
  $('peak').textContent = String(stats.usage.peakConnections);
  $('message-count').textContent = String(stats.usage.messages);
  $('opened').textContent = String(stats.usage.connectionsOpened);
  const rows = stats.channels.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.channel = c.channel;
    const name = document.createElement('td');
    name.textContent = c.channel;
    const count = document.createElement('td');
    count.className = 'count';
    count.textContent = String(c.members);
    const peers = document.createElement('td');
    const list = document.createElement('ul');
    for (const p of c.peers) {
      const li = document.createElement('li');
      li.className = 'peer';
      li.textContent = peerLabel(p);
      list.append(li);
    }
    peers.append(list);
    tr.append(name, count, peers);
    return tr;
  });
  $('channels').tBodies[0].replaceChildren(...rows);
}

async function refresh() {
  try {
    const res = await fetch('/demo/stats', { cache: 'no-store' });
    if (!res.ok) throw new Error(`stats: ${res.status}`);
    render(await res.json());
    setStatus(`Live · ${new Date().toLocaleTimeString()}`, 'ok');
  } catch (err) {
    setStatus(`Not reachable (${err.message})`, 'bad');
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
