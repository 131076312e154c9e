// Apps and keys of the conformance server config (see protocol.md / auth.md).
import jwt from 'jsonwebtoken';

export const ALL_ACTIONS = ['subscribe', 'publish', 'presence', 'send'];

export const KEYS = {
  // app_conf
  pk: 'pk_live_conformance0000000000001', // "**", all actions
  pkRooms: 'pk_live_conformancerooms00000001', // "room-*" only, all actions
  pkNoSend: 'pk_live_conformancenosend0000001', // "**", no send
  pkOrigin: 'pk_live_conformanceorigin00000001', // allowedOrigins: [ORIGIN]
  sk: { kid: 'sk_id_conformance000000000000001', secret: 'sk_secret_conformance00000000000000000001' },
  // app_other (tenant isolation)
  pkOther: 'pk_live_conformanceother00000001',
  skOther: { kid: 'sk_id_conformanceother0000000001', secret: 'sk_secret_conformanceother000000000000001' },
  // app_suspended
  pkSuspended: 'pk_live_conformancesuspended0001',
  skSuspended: { kid: 'sk_id_conformancesuspended000001', secret: 'sk_secret_conformancesuspended00000000001' },
  // app_capped (maxConcurrentConnections: 1)
  pkCapped: 'pk_live_conformancecapped00000001',
  // app_quota (maxMessagesPerPeriod: 3)
  pkQuota: 'pk_live_conformancequota000000001',
};

export const ALLOWED_ORIGIN = 'https://app.example.com';
export const QUOTA = 3;

function pkKey(id, channelPatterns = ['**'], actions = ALL_ACTIONS, allowedOrigins = []) {
  return { type: 'publishable', id, channelPatterns, actions, allowedOrigins };
}

function skKey({ kid, secret }, channelPatterns = ['**'], actions = ALL_ACTIONS) {
  return { type: 'secret', id: kid, secret, channelPatterns, actions };
}

export function defaultConfig() {
  return {
    server: { host: '127.0.0.1', port: 0 },
    apps: [
      {
        id: 'app_conf',
        suspended: false,
        limits: { maxConcurrentConnections: null, maxMessagesPerPeriod: null },
        keys: [
          pkKey(KEYS.pk),
          pkKey(KEYS.pkRooms, ['room-*']),
          pkKey(KEYS.pkNoSend, ['**'], ['subscribe', 'publish', 'presence']),
          pkKey(KEYS.pkOrigin, ['**'], ALL_ACTIONS, [ALLOWED_ORIGIN]),
          skKey(KEYS.sk),
        ],
        // Per-channel settings (docs/history.md): the history and presence-mode tests use these prefixes.
        channels: [
          { pattern: 'hist-*', history: { size: 500, ttl: '5m' } },
          { pattern: 'short-*', history: { size: 10, ttl: '5m' } },
          { pattern: 'replay-*', history: { size: 50, ttl: '5m' }, replayOnSubscribe: 5 },
          { pattern: 'batched-*', presence: { mode: 'batched', threshold: 2, interval: '1s' } },
          { pattern: 'count-*', presence: { mode: 'count', threshold: 2, interval: '300ms' } },
          { pattern: 'mods-*', presence: { audience: { roles: ['moderator'] } } },
        ],
      },
      {
        id: 'app_other',
        suspended: false,
        limits: { maxConcurrentConnections: null, maxMessagesPerPeriod: null },
        keys: [pkKey(KEYS.pkOther), skKey(KEYS.skOther)],
      },
      {
        id: 'app_suspended',
        suspended: true,
        limits: { maxConcurrentConnections: null, maxMessagesPerPeriod: null },
        keys: [pkKey(KEYS.pkSuspended), skKey(KEYS.skSuspended)],
      },
      {
        id: 'app_capped',
        suspended: false,
        limits: { maxConcurrentConnections: 1, maxMessagesPerPeriod: null },
        keys: [pkKey(KEYS.pkCapped)],
      },
      {
        id: 'app_quota',
        suspended: false,
        limits: { maxConcurrentConnections: null, maxMessagesPerPeriod: QUOTA },
        keys: [pkKey(KEYS.pkQuota)],
      },
    ],
  };
}

/**
 * Sign an HS256 JWT the way a customer backend does:
 * header { alg: "HS256", typ: "JWT", kid }. `claims.exp` defaults to now + 1 h.
 */
export function signToken(claims, { key = KEYS.sk, secret = key.secret, kid = key.kid } = {}) {
  const payload = { exp: Math.floor(Date.now() / 1000) + 3600, ...claims };
  return jwt.sign(payload, secret, { algorithm: 'HS256', keyid: kid });
}
