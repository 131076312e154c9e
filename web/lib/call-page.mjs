// The call page (/call) as the WebRTC tests drive it: Chromium with the flags WebRTC needs inside the
// loopback-only namespace, joining a room, and waiting for a data channel with a diagnosis when it stays shut.
import { launchChromium } from './browser.mjs';

/**
 * Chromium for calls on loopback: loopback candidates allowed, no mDNS names for them, and with `camera` a fake
 * camera whose permission is granted, which also lets a page offer its interfaces' addresses (here 127.0.0.1).
 */
export function launchCallChromium({ camera = true, extraArgs = [] } = {}) {
  return launchChromium(['--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
    ...(camera ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'] : []), ...extraArgs]);
}

/** Opens `${origin}/call${query}` in a new context as `name`, joins `room` and waits until it is in the call. */
export async function joinCall(browser, origin, name, room, { query = '' } = {}) {
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/call${query}`);
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.click('#join button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'In the call');
  return { name, context, page, errors };
}

/**
 * Waits until `me` lists an open data channel to `other`; otherwise fails saying where each connection stopped
 * (signalling, ICE or DTLS state) and what `diagnosis()` adds.
 */
export function channelOpen(me, other, { timeout = 30_000, diagnosis = () => '' } = {}) {
  return me.page.waitForFunction((n) => [...document.querySelectorAll('#peers .peer.open')]
    .some((e) => e.textContent.startsWith(n)), other, { timeout }).catch(async (err) => {
    const state = await me.page.evaluate(async () => ({
      peers: document.querySelector('#peers').textContent,
      pcs: await Promise.all([...window.switchboardCall.pcs.values()].map(async (pc) => {
        const candidates = [...(await pc.getStats()).values()].filter((r) => r.type.endsWith('candidate'))
          .map((r) => `${r.type === 'local-candidate' ? 'local' : 'remote'} ${r.candidateType} ${r.address}`);
        return `${pc.signalingState}/${pc.iceConnectionState}/${pc.connectionState} [${candidates.join(', ')}]`;
      })),
      events: window.switchboardCall.events.map((e) => e.what),
    }));
    throw new Error(`${err.message}; no data channel to ${other}: ${JSON.stringify(state)} ${diagnosis()}`);
  });
}

/** Sends `text` over the data channel from `from`'s page and waits until `to`'s page shows "name: text". */
export async function say(from, to, text, timeout = 10_000) {
  await from.page.fill('#text', text);
  await from.page.press('#text', 'Enter');
  await to.page.waitForFunction((line) => [...document.querySelectorAll('#messages .text')].some((e) => e.textContent === line),
    `${from.name}: ${text}`, { timeout });
}
