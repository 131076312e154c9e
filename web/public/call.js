// A WebRTC call on the official SDK's MeteredPeer: every peer in the room gets an RTCPeerConnection whose offer,
// answer and ICE candidates travel only through Switchboard (direct `send` frames). On each connection the page
// opens a data channel (negotiated, id 0, so both sides create the same one) and, when a camera exists, sends
// its video. Strings from other peers are set as text. With `?relay=1` in the URL every connection goes through the
// TURN server that Switchboard injects into the welcome (iceTransportPolicy "relay"), to check a TURN set-up.
import { MeteredPeer } from '/assets/realtime.mjs';
import { $, setStatus, mintToken, tokenProvider, serverUrl, promptCloseWebSocket } from '/assets/demo.js';

const channels = new Map(); // peerId → RTCDataChannel
const names = new Map(); // peerId → display name
const pcs = new Map(); // peerId → RTCPeerConnection, kept for diagnostics
const events = []; // { at, what, name }: presence and connection changes, for the page's diagnostics and tests
window.switchboardCall = { channels, pcs, routes, events };
const note = (what, name = '') => events.push({ at: Date.now(), what, name });

const params = new URLSearchParams(location.search);
const relayOnly = params.get('relay') === '1';
// How long the SDK waits for any frame before it takes the socket for dead and reconnects (?watchdog=MS). A call
// wants it well under the server's keepalive (a dead socket is reaped 10 to 40 s after its last frame), so that
// after a network drop the peer is back with the same peerId before the room is told it left.
const watchdog = Number(params.get('watchdog') ?? 6000);
// The SDK hands its RTCConfiguration (with the welcome's iceServers) to this factory.
const rtcPeerConnectionFactory = relayOnly
  ? (config) => new RTCPeerConnection({ ...config, iceTransportPolicy: 'relay' })
  : undefined;

/** How the connection to a peer runs: the local candidate type of the selected pair (host, srflx or relay). */
async function routes() {
  const out = {};
  for (const [peerId, pc] of pcs) {
    const stats = await pc.getStats();
    for (const report of stats.values()) {
      if (report.type === 'transport' && report.selectedCandidatePairId) {
        const pair = stats.get(report.selectedCandidatePairId);
        out[names.get(peerId) ?? peerId] = stats.get(pair.localCandidateId)?.candidateType;
      }
    }
  }
  return out;
}

function line(text, cls = 'system') {
  const li = document.createElement('li');
  li.className = cls;
  li.textContent = text;
  $('messages').append(li);
}

function renderPeers() {
  const items = [...names].map(([peerId, name]) => {
    const li = document.createElement('li');
    li.dataset.peerId = peerId;
    const open = channels.get(peerId)?.readyState === 'open';
    li.textContent = `${name} — ${open ? 'data channel open' : 'connecting…'}`;
    li.className = open ? 'peer open' : 'peer';
    return li;
  });
  $('peers').replaceChildren(...items);
}

/**
 * Our half of the call with `peer` on its current RTCPeerConnection: the data channel and our camera (see join).
 * Runs again after a connection-reset, when the SDK has swapped in a fresh connection after our signalling socket
 * dropped (what was made on the old one is gone with it).
 */
function attach(peer, stream) {
  openChannel(peer, { reopenOnClose: true });
  if (stream) {
    for (const track of stream.getTracks()) peer.pc.addTrack(track, stream);
  }
  renderPeers();
}

/** Shows `peer`'s video when its tracks arrive on the current connection. */
function watchVideo(peer) {
  peer.pc.addEventListener('track', (e) => {
    let video = document.querySelector(`video[data-peer="${CSS.escape(peer.id)}"]`);
    if (!video) {
      video = document.createElement('video');
      video.dataset.peer = peer.id;
      video.autoplay = true;
      video.playsInline = true;
      $('videos').append(video);
    }
    video.srcObject = e.streams[0];
  });
}

/**
 * Starts the call with `remote` on its current connection: its video is shown as soon as it arrives, and our half
 * (attach: data channel and tracks, which make the connection negotiate) is set up at once on the impolite side
 * of the pair (and after a connection-reset) and, on the polite side, once the connection is up. Both sides
 * setting up at once (each sees the other join at the same moment) makes both offer; the SDK's perfect
 * negotiation resolves that collision, but not always (a call could stay without any ICE candidate). The polite
 * side's tracks then renegotiate, with no collision.
 */
function connect(remote, stream, { reset = false } = {}) {
  names.set(remote.id, String(remote.metadata?.name ?? remote.id));
  pcs.set(remote.id, remote.pc);
  watchVideo(remote);
  renderPeers();
  // After a connection-reset only this side has a new connection: it must offer, and the other side is not
  // setting anything up, so there is no collision.
  if (!remote.polite || reset) {
    attach(remote, stream);
    return;
  }
  const onState = ({ to }) => {
    if (to !== 'connected') return;
    remote.off('state-change', onState);
    attach(remote, stream);
  };
  remote.on('state-change', onState);
}

/**
 * Our negotiated data channel (id 0) to `peer` on its current connection. With `reopenOnClose`, a close while the
 * peer is still in the room opens it once more: the other side swapped in a fresh connection (its signalling
 * dropped) and this one was renegotiated in place, so the old channel closed with the old association.
 */
function openChannel(peer, { reopenOnClose }) {
  const name = names.get(peer.id);
  const dc = peer.pc.createDataChannel('switchboard', { negotiated: true, id: 0 });
  channels.set(peer.id, dc);
  dc.onopen = () => { renderPeers(); line(`Data channel open with ${name}`); };
  dc.onmessage = (e) => line(`${name}: ${String(e.data)}`, 'text');
  dc.onclose = () => {
    renderPeers();
    if (!reopenOnClose || channels.get(peer.id) !== dc || peer.pc.connectionState === 'closed') return;
    setTimeout(() => {
      if (channels.get(peer.id) !== dc) return;
      note('channel-reopened', name);
      openChannel(peer, { reopenOnClose: false });
    }, 0);
  };
}

async function camera() {
  try {
    const devices = await navigator.mediaDevices?.enumerateDevices?.() ?? [];
    if (!devices.some((d) => d.kind === 'videoinput')) return null;
    return await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  } catch {
    return null; // no camera, or permission refused: data channel only
  }
}

async function join(event) {
  event.preventDefault();
  const profile = { name: $('name').value.trim(), avatar: '📞', role: 'student' };
  const minted = await mintToken(profile);
  const stream = await camera();
  const peer = new MeteredPeer({
    url: serverUrl(),
    tokenProvider: tokenProvider(profile, minted),
    webSocketFactory: promptCloseWebSocket,
    ...(rtcPeerConnectionFactory ? { rtcPeerConnectionFactory } : {}),
    ...(watchdog > 0 ? { inactivityTimeoutMs: watchdog } : {}),
  });
  peer.on('peer-joined', ({ peer: remote }) => {
    note('peer-joined', String(remote.metadata?.name ?? remote.id));
    connect(remote, stream);
    remote.on('connection-reset', () => {
      note('connection-reset', names.get(remote.id));
      connect(remote, stream, { reset: true });
    });
  });
  peer.on('peer-left', ({ peer: remote }) => {
    note('peer-left', names.get(remote.id) ?? remote.id);
    channels.delete(remote.id);
    names.delete(remote.id);
    document.querySelector(`video[data-peer="${CSS.escape(remote.id)}"]`)?.remove();
    renderPeers();
  });
  peer.on('state-change', ({ to }) => note(to));
  peer.on('state-change', ({ to }) => setStatus(to === 'joined' ? 'In the call' : to, to === 'joined' ? 'ok' : 'warn'));
  peer.on('error', ({ err }) => line(`Error: ${err.message}`));
  $('join').hidden = true;
  $('call-view').hidden = false;
  await peer.join(`classroom/call-${$('room').value.trim()}`, { includeSenderMetadata: true });
  line(stream ? 'Camera on' : 'No camera: data channel only');
  if (relayOnly) line('Relay only: every connection goes through TURN');
}

function send(event) {
  event.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  $('text').value = '';
  let sent = 0;
  for (const dc of channels.values()) {
    if (dc.readyState === 'open') { dc.send(text); sent++; }
  }
  line(sent ? `me: ${text}` : 'Nobody to send to yet', sent ? 'text mine' : 'system');
}

$('join').addEventListener('submit', (e) => join(e).catch((err) => setStatus(err.message, 'bad')));
$('send').addEventListener('submit', send);
