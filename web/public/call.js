// A WebRTC call on the official SDK's MeteredPeer: every peer in the room gets an RTCPeerConnection whose offer,
// answer and ICE candidates travel only through Switchboard (direct `send` frames). On each connection the page
// opens a data channel (negotiated, id 0, so both sides create the same one) and, when a camera exists, sends
// its video. Strings from other peers are set as text. With `?relay=1` in the URL every connection goes through the
// TURN server that Switchboard injects into the welcome (iceTransportPolicy "relay"), to check a TURN set-up.
import { MeteredPeer } from '/assets/realtime.mjs';
import { $, setStatus, mintToken, tokenProvider, serverUrl } from '/assets/demo.js';

const channels = new Map(); // peerId → RTCDataChannel
const names = new Map(); // peerId → display name
const pcs = new Map(); // peerId → RTCPeerConnection, kept for diagnostics
window.switchboardCall = { channels, pcs, routes };

const relayOnly = new URLSearchParams(location.search).get('relay') === '1';
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

function attach(peer, stream) {
  const name = String(peer.metadata?.name ?? peer.id);
  names.set(peer.id, name);
  const dc = peer.pc.createDataChannel('switchboard', { negotiated: true, id: 0 });
  pcs.set(peer.id, peer.pc);
  channels.set(peer.id, dc);
  dc.onopen = () => { renderPeers(); line(`Data channel open with ${name}`); };
  dc.onclose = () => renderPeers();
  dc.onmessage = (e) => line(`${name}: ${String(e.data)}`, 'text');
  if (stream) {
    for (const track of stream.getTracks()) peer.pc.addTrack(track, stream);
  }
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
  renderPeers();
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
    ...(rtcPeerConnectionFactory ? { rtcPeerConnectionFactory } : {}),
  });
  peer.on('peer-joined', ({ peer: remote }) => attach(remote, stream));
  peer.on('peer-left', ({ peer: remote }) => {
    channels.delete(remote.id);
    names.delete(remote.id);
    document.querySelector(`video[data-peer="${CSS.escape(remote.id)}"]`)?.remove();
    renderPeers();
  });
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
