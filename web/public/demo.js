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

/**
 * A tokenProvider for the SDK: the first connect uses `minted` (already fetched, to learn the peerId), every
 * reconnect mints a fresh token with the same identity. `onToken` sees each token the SDK is given.
 */
export function tokenProvider(profile, minted, onToken = () => {}) {
  let first = minted.token;
  return async () => {
    const token = first ?? (await mintToken({ ...profile, peerId: minted.peerId })).token;
    first = null;
    onToken(token);
    return token;
  };
}
