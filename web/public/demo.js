// What the demo pages share: element lookup, the status line, and tokens minted by the page's backend
// (POST /demo/token), so no secret ever reaches the browser.
export const $ = (id) => document.getElementById(id);

/** The SDK's `url` for the server that served this page: wss:// when the page came over https://. */
export const serverUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

export function setStatus(text, kind = '') {
  const status = $('status');
  status.textContent = text;
  status.className = kind;
}

/** Mints a token for `profile` ({name, avatar, role, peerId?}); resolves with {token, peerId}. */
export async function mintToken(profile) {
  const res = await fetch('/demo/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(profile),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || `token request failed (${res.status})`);
  return body;
}

/** Seconds until the JWT's `exp`, read from its payload (the page trusts its own backend's token). */
function secondsLeft(token) {
  const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  return payload.exp - Date.now() / 1000;
}

/**
 * A tokenProvider for the SDK: the first connect uses `minted` (already fetched, to learn the peerId); a reconnect
 * reuses the token while it has more than a minute left and otherwise mints a fresh one with the same identity.
 * Reusing it means a reconnect after a network drop does not wait on an HTTP request, which may itself be stuck on
 * a dead keep-alive connection. `onToken` sees each token the SDK is given.
 */
export function tokenProvider(profile, minted, onToken = () => {}) {
  let current = minted.token;
  return async () => {
    if (secondsLeft(current) < 60) current = (await mintToken({ ...profile, peerId: minted.peerId })).token;
    onToken(current);
    return current;
  };
}

/**
 * The SDK's webSocketFactory for a browser: a WebSocket that reports its close at once when the SDK's watchdog
 * gives up on it (close code 4000). A browser otherwise waits for the server's Close frame, up to Chromium's
 * 60 s closing-handshake timeout, and on a half-open socket (a frozen network path) that frame never comes: the
 * SDK would reconnect a minute late, after the server's keepalive has reaped the old socket and told the room
 * the peer left. A late real close event is ignored by the SDK as coming from a replaced socket.
 */
export function promptCloseWebSocket(url) {
  const socket = new WebSocket(url);
  const close = socket.close.bind(socket);
  socket.close = (code, reason) => {
    close(code, reason);
    if (code === 4000) {
      setTimeout(() => socket.dispatchEvent(new CloseEvent('close', { code, reason, wasClean: false })), 0);
    }
  };
  return socket;
}
