// The classroom page: everything it shows comes from the protocol. The roster is built from presence alone
// (the snapshot after each subscribe, then joined/left), chat bubbles from each message and its fromMetadata,
// system notices from messages sent as "system". Every user-supplied string is set as textContent, never as
// markup.
import { SignallingClient } from '/assets/realtime.mjs';
import { $, setStatus, mintToken, tokenProvider, serverUrl } from '/assets/demo.js';

const ROSTER_SHOWN = 200;
const TYPING_EVERY_MS = 500;
const TYPING_SHOWN_MS = 1500;
const REMOVED = 4020;

const state = {
  client: null,
  token: null,
  me: null, // { peerId, name, avatar, role }
  channel: null,
  typingChannel: null,
  roster: new Map(), // peerId → metadata
  expectSnapshot: false,
  showAll: false,
  lastTypingSent: 0,
  typingTimers: new Map(), // peerId → timeout
};

async function join(event) {
  event.preventDefault();
  const profile = {
    name: $('name').value.trim(),
    avatar: $('avatar').value,
    role: $('role').value,
    peerId: sessionStorage.getItem('switchboard.peerId') || undefined,
  };
  const room = $('room').value.trim();
  const minted = await mintToken(profile);
  sessionStorage.setItem('switchboard.peerId', minted.peerId);
  state.me = { peerId: minted.peerId, name: profile.name, avatar: profile.avatar, role: profile.role };
  state.channel = `classroom/${room}`;
  state.typingChannel = $('typing-channel').checked ? `${state.channel}/typing` : state.channel;
  state.room = room;

  const client = new SignallingClient({
    url: serverUrl(),
    // The teacher tools authenticate with the token of the current connection.
    tokenProvider: tokenProvider(profile, minted, (token) => { state.token = token; }),
  });
  state.client = client;
  client.on('state-change', ({ to }) => {
    if (to === 'connected') setStatus('Connected', 'ok');
    else if (to === 'reconnecting') setStatus('Reconnecting…', 'warn');
    else if (to === 'connecting') setStatus('Connecting…', 'warn');
  });
  client.on('going-away', () => setStatus('Server restarting — reconnecting…', 'warn'));
  client.on('connected', ({ isReconnect }) => {
    if (isReconnect) {
      state.expectSnapshot = true; // the SDK resubscribes; the next snapshot replaces the roster
      setStatus('Reconnected', 'ok');
    }
  });
  client.on('disconnected', ({ code, willReconnect }) => {
    if (code === REMOVED) {
      setStatus("You've been removed from this room", 'bad');
      systemLine("You've been removed from this room");
    } else if (!willReconnect) {
      setStatus(`Disconnected (${code})`, 'bad');
    }
    if (!willReconnect) { // out of the room for good: nobody is shown as present any more
      state.roster.clear();
      renderRoster();
      for (const id of ['text', 'notice-text']) $(id).disabled = true;
      for (const b of document.querySelectorAll('#send button, #notice button')) b.disabled = true;
    }
  });
  client.on('presence', onPresence);
  client.on('message', onMessage);

  $('join').hidden = true;
  $('room-view').hidden = false;
  $('notice').hidden = !isModerator(state.me.role);
  setStatus('Connecting…', 'warn');
  await client.connect();
  state.expectSnapshot = true;
  await client.subscribe(state.channel, { includeSenderMetadata: true });
  if (state.typingChannel !== state.channel) {
    await client.subscribe(state.typingChannel, { includeSenderMetadata: true });
  }
  $('text').focus();
}

function isModerator(role) {
  return role === 'teacher' || role === 'moderator';
}

function onPresence({ channel, joined, left }) {
  if (channel !== state.channel) return;
  if (state.expectSnapshot) {
    state.roster.clear(); // a snapshot: what was shown before a reconnect may have left meanwhile
    state.expectSnapshot = false;
  }
  state.roster.set(state.me.peerId, { name: state.me.name, avatar: state.me.avatar, role: state.me.role });
  for (const peer of joined) state.roster.set(peer.peerId, peer.metadata ?? {});
  for (const peer of left) state.roster.delete(peer.peerId);
  renderRoster();
}

function renderRoster() {
  const list = $('members');
  list.replaceChildren();
  $('count').textContent = String(state.roster.size);
  let shown = 0;
  for (const [peerId, meta] of state.roster) {
    if (!state.showAll && shown === ROSTER_SHOWN) break;
    shown++;
    const li = document.createElement('li');
    li.dataset.peerId = peerId;
    const avatar = document.createElement('span');
    avatar.textContent = String(meta.avatar ?? '🙂');
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = String(meta.name ?? peerId) + (peerId === state.me.peerId ? ' (you)' : '');
    const role = document.createElement('span');
    role.className = 'role';
    role.textContent = String(meta.role ?? '');
    li.append(avatar, name, role);
    if (isModerator(state.me.role) && peerId !== state.me.peerId) {
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Remove';
      remove.setAttribute('aria-label', `Remove ${meta.name ?? peerId}`);
      remove.addEventListener('click', () => moderate('/demo/remove', { peerId }));
      li.append(remove);
    }
    list.append(li);
  }
  const more = $('show-all');
  more.hidden = state.showAll || state.roster.size <= ROSTER_SHOWN;
  more.textContent = `Show all ${state.roster.size}`;
}

function onMessage({ channel, from, fromMetadata, data }) {
  if (channel !== state.channel && channel !== state.typingChannel) return;
  if (data && data.kind === 'typing') {
    if (from !== state.me.peerId) showTyping(from, fromMetadata);
    return;
  }
  if (channel !== state.channel) return;
  if (from === 'system') {
    systemLine(String(data?.text ?? JSON.stringify(data)));
    return;
  }
  clearTyping(from);
  bubble(fromMetadata ?? {}, String(data?.text ?? JSON.stringify(data)), false);
}

function bubble(meta, text, mine) {
  const li = document.createElement('li');
  li.className = mine ? 'bubble mine' : 'bubble';
  const avatar = document.createElement('span');
  avatar.className = 'avatar';
  avatar.textContent = String(meta.avatar ?? '🙂');
  const body = document.createElement('div');
  body.className = 'body';
  const who = document.createElement('div');
  who.className = 'who';
  who.textContent = `${String(meta.name ?? 'someone')}${meta.role ? ` · ${meta.role}` : ''}`;
  const said = document.createElement('div');
  said.className = 'text';
  said.textContent = text;
  body.append(who, said);
  li.append(avatar, body);
  append(li);
}

function systemLine(text) {
  const li = document.createElement('li');
  li.className = 'system';
  li.textContent = text;
  append(li);
}

function append(li) {
  const list = $('messages');
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

function showTyping(peerId, meta) {
  clearTimeout(state.typingTimers.get(peerId));
  state.typingTimers.set(peerId, setTimeout(() => clearTyping(peerId), TYPING_SHOWN_MS));
  state.typingNames = state.typingNames ?? new Map();
  state.typingNames.set(peerId, String(meta?.name ?? 'someone'));
  renderTyping();
}

function clearTyping(peerId) {
  clearTimeout(state.typingTimers.get(peerId));
  state.typingTimers.delete(peerId);
  state.typingNames?.delete(peerId);
  renderTyping();
}

function renderTyping() {
  const names = [...(state.typingNames ?? new Map()).values()];
  $('typing').textContent = names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
}

async function send(event) {
  event.preventDefault();
  const input = $('text');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  await state.client.publish(state.channel, { kind: 'chat', text });
  bubble(state.me, text, true); // the server does not echo a publish to its sender
}

function typing() {
  const now = Date.now();
  if (now - state.lastTypingSent < TYPING_EVERY_MS || state.client?.state !== 'connected') return;
  state.lastTypingSent = now;
  state.client.publish(state.typingChannel, { kind: 'typing' }).catch(() => {});
}

async function moderate(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${state.token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) systemLine(`Not allowed: ${(await res.json()).message}`);
}

async function notice(event) {
  event.preventDefault();
  const input = $('notice-text');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  await moderate('/demo/notice', { room: state.room, text });
}

$('join').addEventListener('submit', (e) => join(e).catch((err) => setStatus(err.message, 'bad')));
$('send').addEventListener('submit', (e) => send(e).catch((err) => systemLine(`Not sent: ${err.message}`)));
$('notice').addEventListener('submit', (e) => notice(e).catch((err) => systemLine(err.message)));
$('text').addEventListener('input', typing);
$('show-all').addEventListener('click', () => { state.showAll = true; renderRoster(); });
