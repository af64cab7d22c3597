import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import type { Delivery, EndpointWithSecrets, EventType, HookEvent, Operation } from '../../src/domain/types.js';
import type { Store } from '../../src/store/store.js';

// The behaviour every Store adapter must have, written once. Each adapter's test file runs it
// with a harness that makes a fresh, migrated store (see sqlite.test.ts).

export interface StoreHarness {
  create(): Promise<Store>;
  destroy(store: Store): Promise<void>;
}

const T0 = 1_800_000_000_000;

function event(overrides: Partial<HookEvent> = {}): HookEvent {
  return {
    id: newId('evt', T0),
    type: 'call.started',
    accountId: null,
    payload: '{"callId":1}',
    correlationId: null,
    callbackUrl: null,
    occurredAt: T0,
    createdAt: T0,
    orderingKey: null,
    ...overrides,
  };
}

function delivery(eventId: string, overrides: Partial<Delivery> = {}): Delivery {
  return {
    id: newId('dlv', T0),
    eventId,
    endpointId: null,
    accountId: null,
    eventType: 'call.started',
    url: 'https://example.com/hook',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0,
    lastStatusCode: null,
    lastError: null,
    correlationId: null,
    createdAt: T0,
    completedAt: null,
    fifoKey: null,
    blockedBy: null,
    ...overrides,
  };
}

/** An endpoint as the store keeps it, with every field set (other store tests build theirs from it too). */
export function endpoint(overrides: Partial<EndpointWithSecrets> = {}): EndpointWithSecrets {
  return {
    id: newId('ep', T0),
    accountId: null,
    url: 'https://example.com/hook',
    title: '',
    description: '',
    eventTypes: [],
    active: true,
    method: 'POST',
    headers: {},
    queryParams: {},
    body: { format: 'standard' },
    retry: { enabled: true, schedule: 'exponential', dropOn4xx: false },
    timeoutMs: 15000,
    rateLimitPerSecond: null,
    filter: null,
    disabledReason: null,
    signing: 'hmac',
    ordering: 'none',
    auth: null,
    createdAt: T0,
    updatedAt: T0,
    secrets: { current: 'whsec_a', previous: null, previousExpiresAt: null },
    signingKeys: null,
    ...overrides,
  };
}

/** A stored endpoint's receiver control before anything happened to it. */
const NOT_PAUSED = { pausedUntil: null, pauseReason: null, breakerFailures: 0, breakerCooldownMs: 0, concurrencyLimit: null };

/** One window's stats, from the minute holding `since` on. */
async function statsSince(store: Store, endpointId: string, since: number) {
  return (await store.endpointStats(endpointId, { windows: [since], series: null })).windows[0]!;
}

/** The attempts in [since, until) in buckets of `bucketMs`. */
async function seriesOf(store: Store, endpointId: string, since: number, until: number, bucketMs: number) {
  return (await store.endpointStats(endpointId, { windows: [], series: { since, until, bucketMs } })).series;
}

function eventType(name: string, overrides: Partial<EventType> = {}): EventType {
  return {
    name,
    description: '',
    category: null,
    schema: null,
    examples: [],
    parameters: [],
    archived: false,
    builtIn: false,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

async function queue(store: Store, count: number, overrides: Partial<Delivery> = {}): Promise<Delivery[]> {
  const e = event();
  const deliveries = Array.from({ length: count }, () => delivery(e.id, overrides));
  await store.ingestEvents([{ event: e, deliveries, clientId: false }], 0, T0);
  return deliveries;
}

export function storeConformance(name: string, harness: StoreHarness): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await harness.create();
    });
    afterEach(async () => harness.destroy(store));

    it('is ready after migrating, and migrating again changes nothing', async () => {
      expect(await store.isReady()).toBe(true);
      await store.migrate();
      expect(await store.isReady()).toBe(true);
    });

    it('sets a setting once', async () => {
      expect(await store.getSetting('s')).toBeNull();
      expect(await store.initSetting('s', 'first')).toBe('first');
      expect(await store.initSetting('s', 'second')).toBe('first');
    });

    it('finds keys by hash, revokes them, counts live ones', async () => {
      await store.createKey({ id: 'key_1', kind: 'admin', accountId: null, name: 'a', keyHash: 'h1', createdAt: T0, expiresAt: null, rateLimitPerSecond: null });
      await store.createKey({ id: 'key_2', kind: 'account', accountId: 'acme', name: null, keyHash: 'h2', createdAt: T0, expiresAt: T0 + 1, rateLimitPerSecond: 7 });
      expect(await store.findKeyByHash('h2')).toMatchObject({ id: 'key_2', kind: 'account', accountId: 'acme', expiresAt: T0 + 1, revoked: false, rateLimitPerSecond: 7 });
      expect(await store.countLiveKeys('admin')).toBe(1);
      await store.touchKeys(['key_1'], T0 + 5);
      expect((await store.findKeyByHash('h1'))?.lastUsedAt).toBe(T0 + 5);
      expect(await store.revokeKey('key_1', T0)).toBe(true);
      expect(await store.revokeKey('key_1', T0)).toBe(false);
      expect((await store.findKeyByHash('h1'))?.revoked).toBe(true);
      expect(await store.countLiveKeys('admin')).toBe(0);
      expect((await store.listKeys({ limit: 10, cursor: null })).items.map((k) => k.id)).toEqual(['key_2']);
    });

    it('creates accounts on first use and patches them', async () => {
      const account = await store.ensureAccount('acme', T0);
      expect(account).toMatchObject({ id: 'acme', enabled: true, name: null, metadata: {} });
      await store.ensureAccount('acme', T0 + 10);
      expect((await store.getAccount('acme'))?.createdAt).toBe(T0);
      const patched = await store.putAccount('acme', { enabled: false, metadata: { a: 1 } }, T0 + 20);
      expect(patched).toMatchObject({ enabled: false, name: null, metadata: { a: 1 }, updatedAt: T0 + 20 });
      expect((await store.putAccount('acme', { name: 'Acme' }, T0 + 30))).toMatchObject({ enabled: false, name: 'Acme' });
      const created = await store.putAccount('new', { name: 'New' }, T0);
      expect(created).toMatchObject({ id: 'new', enabled: true, name: 'New' });
    });

    it('stores one callback secret per account, the first of racing candidates, never for an unknown account', async () => {
      expect(await store.initAccountCallbackSecret('nobody', 'whsec_x')).toBeNull();
      expect((await store.getAccount('nobody'))).toBeNull();
      await store.ensureAccount('acme', T0);
      await store.ensureAccount('other', T0);
      expect(await store.getAccountCallbackSecret('acme')).toBeNull();
      // Concurrent first reads (on PostgreSQL, on separate connections): one candidate wins for all.
      const candidates = Array.from({ length: 8 }, (_, i) => `whsec_candidate${i}`);
      const answers = await Promise.all(candidates.map((candidate) => store.initAccountCallbackSecret('acme', candidate)));
      expect(new Set(answers).size).toBe(1);
      expect(candidates).toContain(answers[0]);
      expect(await store.initAccountCallbackSecret('acme', 'whsec_later')).toBe(answers[0]);
      expect(await store.getAccountCallbackSecret('acme')).toBe(answers[0]);
      expect(await store.initAccountCallbackSecret('other', 'whsec_other')).toBe('whsec_other');
      // Never part of the account itself.
      expect(JSON.stringify(await store.getAccount('acme'))).not.toContain('whsec_');
      await store.replaceAccountCallbackSecret('acme', answers[0]!);
      expect(await store.getAccountCallbackSecret('acme')).toBe(answers[0]);
    });

    it('keeps the catalog: no duplicate names, built-in types cannot be replaced', async () => {
      expect(await store.createEventType(eventType('a', { category: 'x' }))).toMatchObject({ name: 'a', category: 'x' });
      expect(await store.createEventType(eventType('a'))).toBeNull();
      await store.upsertBuiltInEventTypes([eventType('hookd.x', { builtIn: true })]);
      expect(await store.replaceEventType(eventType('hookd.x', { description: 'changed' }))).toBeNull();
      expect((await store.replaceEventType(eventType('a', { archived: true, updatedAt: T0 + 1 })))?.archived).toBe(true);
      const live = await store.listEventTypes({}, { limit: 10, cursor: null });
      expect(live.items.map((t) => t.name)).toEqual(['hookd.x']);
      const all = await store.listEventTypes({ includeArchived: true }, { limit: 1, cursor: null });
      expect(all.items.map((t) => t.name)).toEqual(['a']);
      const next = await store.listEventTypes({ includeArchived: true }, { limit: 1, cursor: all.nextCursor });
      expect(next.items.map((t) => t.name)).toEqual(['hookd.x']);
    });

    it('stores endpoints whole and finds the candidates of an account', async () => {
      const provider = endpoint({ headers: { 'X-A': '1' }, retry: { enabled: true, schedule: 'fixed', intervalSeconds: 5, maxAttempts: 3, dropOn4xx: true } });
      const acme = endpoint({ accountId: 'acme' });
      const off = endpoint({ accountId: 'acme', active: false });
      const other = endpoint({ accountId: 'globex' });
      for (const e of [provider, acme, off, other]) await store.createEndpoint(e);
      expect(await store.getEndpoint(provider.id)).toEqual({ ...provider, control: NOT_PAUSED });
      const candidates = (await store.findCandidateEndpoints('acme')).map((e) => e.id).sort();
      expect(candidates).toEqual([provider.id, acme.id].sort());
      expect((await store.findCandidateEndpoints(null)).map((e) => e.id)).toEqual([provider.id]);
      expect((await store.listEndpoints({ accountId: null }, { limit: 10, cursor: null })).items.map((e) => e.id)).toEqual([provider.id]);
      expect((await store.getEndpoints([acme.id, other.id, 'ep_missing'])).map((e) => e.id).sort()).toEqual([acme.id, other.id].sort());
      const updated = await store.updateEndpoint(acme.id, { ...acme, title: 't', active: false, disabledReason: 'manual' }, T0 + 1);
      expect(updated).toMatchObject({ title: 't', active: false, disabledReason: 'manual', updatedAt: T0 + 1 });
      expect(await store.setEndpointSecrets(acme.id, { current: 'whsec_b', previous: 'whsec_a', previousExpiresAt: T0 + 9 }, T0 + 2)).toBe(true);
      expect((await store.getEndpoint(acme.id))?.secrets).toEqual({ current: 'whsec_b', previous: 'whsec_a', previousExpiresAt: T0 + 9 });
      expect(await store.deleteEndpoint(acme.id, T0)).toBe(true);
      expect(await store.getEndpoint(acme.id)).toBeNull();
    });

    it('keeps an endpoint\'s signing scheme and ed25519 key pair: the first pair added wins, a rotation replaces it', async () => {
      const first = { current: 'whsk_first', currentSince: T0, previous: null, previousSince: null, previousExpiresAt: null };
      const signed = endpoint({ signing: 'both', signingKeys: first });
      await store.createEndpoint(signed);
      expect(await store.getEndpoint(signed.id)).toEqual({ ...signed, control: NOT_PAUSED });
      const plain = endpoint();
      await store.createEndpoint(plain);
      expect((await store.getEndpoint(plain.id))?.signingKeys).toBeNull();
      // Switching ed25519 on: only where there is no pair yet.
      const second = { ...first, current: 'whsk_second', currentSince: T0 + 1 };
      expect(await store.addEndpointSigningKeys(plain.id, second, T0 + 1)).toBe(true);
      expect(await store.addEndpointSigningKeys(plain.id, { ...second, current: 'whsk_third' }, T0 + 2)).toBe(false);
      expect((await store.getEndpoint(plain.id))?.signingKeys).toEqual(second);
      const rotated = { current: 'whsk_new', currentSince: T0 + 3, previous: 'whsk_second', previousSince: T0 + 1, previousExpiresAt: T0 + 9 };
      expect(await store.setEndpointSigningKeys(plain.id, rotated, T0 + 3)).toBe(true);
      expect((await store.getEndpoint(plain.id))?.signingKeys).toEqual(rotated);
      expect(await store.setEndpointSigningKeys('ep_missing', rotated, T0 + 3)).toBe(false);
    });

    it("keeps an endpoint's receiver auth, its secret included, through create, get, list, update and disable", async () => {
      const bearer = endpoint({ accountId: 'auth-co', auth: { type: 'bearer', token: 't0k' } });
      const oauth = endpoint({
        accountId: 'auth-co',
        auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/t', clientId: 'c', clientSecret: 's', scope: 'x' },
      });
      expect((await store.createEndpoint(bearer)).auth).toEqual(bearer.auth);
      await store.createEndpoint(oauth);
      expect((await store.getEndpoint(oauth.id))?.auth).toEqual(oauth.auth);
      const listed = (await store.listEndpoints({ accountId: 'auth-co' }, { limit: 10, cursor: null })).items;
      expect(Object.fromEntries(listed.map((e) => [e.id, e.auth]))).toEqual({ [bearer.id]: bearer.auth, [oauth.id]: oauth.auth });
      const basic = { type: 'basic' as const, username: 'u', password: 'p' };
      expect((await store.updateEndpoint(bearer.id, { ...bearer, auth: basic }, T0 + 1))?.auth).toEqual(basic);
      expect((await store.getEndpoints([bearer.id]))[0]?.auth).toEqual(basic);
      expect((await store.updateEndpoint(bearer.id, { ...bearer, auth: null }, T0 + 2))?.auth).toBeNull();
    });

    it('ingests events with their deliveries, honouring client ids within the window', async () => {
      const e = event({ id: 'client-1' });
      const d = delivery('client-1');
      expect(await store.ingestEvents([{ event: e, deliveries: [d], clientId: true }], T0 - 1000, T0)).toEqual([
        { outcome: 'created', event: e, deliveries: 1 },
      ]);
      const again = await store.ingestEvents([{ event: { ...e, payload: '{}' }, deliveries: [delivery('client-1')], clientId: true }], T0 - 1000, T0);
      expect(again).toEqual([{ outcome: 'duplicate', event: e, deliveries: 1 }]);
      expect((await store.listDeliveries({ eventId: 'client-1' }, { limit: 10, cursor: null })).items).toHaveLength(1);
      // Past the window the id cannot be reused, and the whole call is rolled back.
      const fresh = event();
      const late = await store.ingestEvents(
        [
          { event: fresh, deliveries: [], clientId: false },
          { event: e, deliveries: [], clientId: true },
        ],
        T0 + 1,
        T0 + 2,
      );
      expect(late[1]?.outcome).toBe('conflict');
      expect(await store.getEvent(fresh.id)).toBeNull();
    });

    it('ingests a batch in one call: new events are created, repeats of stored or earlier ids are duplicates', async () => {
      const stored = event({ id: 'client-a', accountId: 'initech' });
      await store.ingestEvents([{ event: stored, deliveries: [delivery('client-a'), delivery('client-a')], clientId: true }], T0 - 1000, T0);
      expect(await store.getAccount('initech')).toMatchObject({ id: 'initech', enabled: true });
      const fresh = event();
      const outcomes = await store.ingestEvents(
        [
          { event: fresh, deliveries: [delivery(fresh.id)], clientId: false },
          { event: { ...stored, payload: '{}' }, deliveries: [delivery('client-a')], clientId: true },
        ],
        T0 - 1000,
        T0,
      );
      expect(outcomes).toEqual([
        { outcome: 'created', event: fresh, deliveries: 1 },
        { outcome: 'duplicate', event: stored, deliveries: 2 },
      ]);
      // The same new id twice in one call: the second sees the first.
      const b = event({ id: 'client-b', accountId: 'acme' });
      const twice = await store.ingestEvents(
        [
          { event: b, deliveries: [delivery('client-b')], clientId: true },
          { event: { ...b, payload: '{"again":true}' }, deliveries: [delivery('client-b')], clientId: true },
        ],
        T0 - 1000,
        T0,
      );
      expect(twice).toEqual([
        { outcome: 'created', event: b, deliveries: 1 },
        { outcome: 'duplicate', event: b, deliveries: 1 },
      ]);
      expect((await store.listDeliveries({ eventId: 'client-a' }, { limit: 10, cursor: null })).items).toHaveLength(2);
      expect((await store.listDeliveries({ eventId: 'client-b' }, { limit: 10, cursor: null })).items).toHaveLength(1);
      expect((await store.listDeliveries({ eventId: fresh.id }, { limit: 10, cursor: null })).items).toHaveLength(1);
      expect(await store.getAccount('acme')).toMatchObject({ id: 'acme', enabled: true });
    });

    it('stores deliveries handed straight to a worker under its lease, taken back when the lease runs out', async () => {
      const e = event();
      const [a, b] = [delivery(e.id), delivery(e.id)];
      const outcomes = await store.ingestEvents([{ event: e, deliveries: [a, b], clientId: false, lease: { owner: 'w1', until: T0 + 1000 } }], 0, T0);
      expect(outcomes).toEqual([{ outcome: 'created', event: e, deliveries: 2 }]);
      expect(await store.getDelivery(a.id)).toMatchObject({ status: 'sending', attempts: 0 });
      // Already the worker's: nobody else claims them.
      expect(await store.claimDueDeliveries('w2', T0, 10, T0 + 5000)).toEqual([]);
      await store.recordAttempts([
        { deliveryId: a.id, endpointId: null, leaseOwner: 'w1', attempt: null, status: 'failed', nextAttemptAt: null, completedAt: T0, lastStatusCode: null, lastError: 'x', disableEndpoint: null },
      ]);
      expect((await store.getDelivery(a.id))?.status).toBe('failed');
      // The worker died before attempting b: once the lease runs out, any worker takes it.
      expect(await store.releaseExpiredLeases(T0 + 1001)).toBe(1);
      expect((await store.claimDueDeliveries('w2', T0 + 1001, 10, T0 + 5000)).map((d) => d.id)).toEqual([b.id]);
    });

    it('lists events newest first with filters and cursors', async () => {
      const events = [0, 1, 2].map((i) => event({ type: i === 1 ? 'other' : 'call.started', correlationId: 'c', accountId: 'acme', createdAt: T0 + i }));
      await store.ingestEvents(events.map((e) => ({ event: e, deliveries: [], clientId: false })), 0, T0);
      const page = await store.listEvents({ type: 'call.started' }, { limit: 1, cursor: null });
      expect(page.items.map((e) => e.id)).toEqual([events[2]!.id]);
      const next = await store.listEvents({ type: 'call.started' }, { limit: 1, cursor: page.nextCursor });
      expect(next.items.map((e) => e.id)).toEqual([events[0]!.id]);
      expect(next.nextCursor).toBeNull();
      expect((await store.listEvents({ since: T0 + 1, until: T0 + 2 }, { limit: 10, cursor: null })).items.map((e) => e.id)).toEqual([events[1]!.id]);
      expect((await store.getEvents([events[0]!.id, 'nope'])).map((e) => e.id)).toEqual([events[0]!.id]);
    });

    it('claims only due pending deliveries, oldest first, each by one worker', async () => {
      const due = await queue(store, 3);
      await queue(store, 2, { nextAttemptAt: T0 + 60_000 });
      const first = await store.claimDueDeliveries('w1', T0, 2, T0 + 1000);
      const second = await store.claimDueDeliveries('w2', T0, 10, T0 + 1000);
      expect(first).toHaveLength(2);
      expect(second).toHaveLength(1);
      const claimed = [...first, ...second].map((d) => d.id).sort();
      expect(claimed).toEqual(due.map((d) => d.id).sort());
      expect(first.every((d) => d.status === 'sending' && d.singleAttempt === false)).toBe(true);
      expect(await store.claimDueDeliveries('w3', T0 + 59_999, 10, T0 + 1000)).toHaveLength(0);
      expect(await store.nextDueAt()).toBe(T0 + 60_000);
    });

    it('finds the accounts with due work (provider-level as the account "") and claims each within its own limit, oldest first', async () => {
      const noisy = await queue(store, 5, { accountId: 'noisy', nextAttemptAt: T0 - 10 });
      const healthy = await queue(store, 2, { accountId: 'healthy', nextAttemptAt: T0 });
      await queue(store, 1, { accountId: null, nextAttemptAt: T0 });
      await queue(store, 3, { accountId: 'later', nextAttemptAt: T0 + 60_000 });
      expect(await store.dueAccounts(T0, '', 10)).toEqual(['', 'healthy', 'noisy']);
      // Round robin: after 'healthy', then round from the first again.
      expect(await store.dueAccounts(T0, 'healthy', 10)).toEqual(['noisy', '', 'healthy']);
      expect(await store.dueAccounts(T0, 'healthy', 2)).toEqual(['noisy', '']);
      const claimed = await store.claimDueDeliveriesOf(
        'w1',
        T0,
        [
          { account: 'noisy', limit: 2 },
          { account: 'healthy', limit: 5 },
        ],
        T0 + 1000,
      );
      expect(claimed.filter((d) => d.accountId === 'noisy')).toHaveLength(2);
      expect(claimed.filter((d) => d.accountId === 'healthy').map((d) => d.id).sort()).toEqual(healthy.map((d) => d.id).sort());
      expect(claimed.every((d) => d.status === 'sending')).toBe(true);
      expect(await store.dueAccounts(T0, '', 10)).toEqual(['', 'noisy']);
      const rest = await store.claimDueDeliveriesOf('w2', T0, [{ account: 'noisy', limit: 10 }], T0 + 1000);
      expect([...claimed, ...rest].filter((d) => d.accountId === 'noisy').map((d) => d.id).sort()).toEqual(noisy.map((d) => d.id).sort());
    });

    it('does not claim the deliveries of a paused endpoint until the pause ends or is resumed', async () => {
      const paused = endpoint();
      const other = endpoint();
      await store.createEndpoint(paused);
      await store.createEndpoint(other);
      const [waiting] = await queue(store, 1, { endpointId: paused.id });
      const [free] = await queue(store, 1, { endpointId: other.id });
      // A callback delivery has no endpoint: no pause concerns it.
      const [callback] = await queue(store, 1, { endpointId: null, url: 'https://callback.example.com/' });
      expect(await store.pauseEndpoint(paused.id, T0 + 2000, '429 Retry-After 2 s', T0)).toBe(true);
      // Paused already: a second, shorter answer neither starts another pause nor shortens this one.
      expect(await store.pauseEndpoint(paused.id, T0 + 1500, '429 Retry-After 1 s', T0 + 1)).toBe(false);
      expect((await store.getEndpoint(paused.id))?.control).toEqual({ ...NOT_PAUSED, pausedUntil: T0 + 2000, pauseReason: '429 Retry-After 2 s' });
      // A longer one lengthens it (still not a new pause).
      expect(await store.pauseEndpoint(paused.id, T0 + 2500, '429 Retry-After 2 s', T0 + 2)).toBe(false);
      expect((await store.getEndpoint(paused.id))?.control?.pausedUntil).toBe(T0 + 2500);
      // The worker's claim, per account, skips it as the plain claim does.
      const accounts = await store.dueAccounts(T0 + 2499, '', 10);
      const perAccount = await store.claimDueDeliveriesOf('w1', T0 + 2499, accounts.map((account) => ({ account, limit: 10 })), T0 + 9000);
      expect(perAccount.map((d) => d.id).sort()).toEqual([free!.id, callback!.id].sort());
      expect((await store.claimDueDeliveries('w1', T0 + 2500, 10, T0 + 9000)).map((d) => d.id)).toEqual([waiting!.id]);
      // The receiver answered after the pause: it ends, once.
      expect(await store.endpointAnswered(paused.id, T0 + 2501)).toBe(true);
      expect(await store.endpointAnswered(paused.id, T0 + 2502)).toBe(false);
      expect((await store.getEndpoint(paused.id))?.control).toEqual(NOT_PAUSED);
      // Resume ends a pause in force at once, and only one.
      expect(await store.pauseEndpoint(paused.id, T0 + 60_000, 'x', T0 + 3000)).toBe(true);
      expect(await store.resumeEndpoint(paused.id, T0 + 3001)).toBe(true);
      expect(await store.resumeEndpoint(paused.id, T0 + 3002)).toBe(false);
      expect(await store.resumeEndpoint('ep_missing', T0)).toBe(false);
    });

    it('counts failures for the circuit breaker, opens it once, and gives its half-open probe to one caller', async () => {
      const down = endpoint();
      await store.createEndpoint(down);
      for (let i = 1; i <= 4; i++) expect((await store.countEndpointFailure(down.id))?.failures).toBe(i);
      expect(await store.countEndpointFailure(down.id)).toEqual({ failures: 5, cooldownMs: 0, pausedUntil: null });
      expect(await store.openBreaker(down.id, T0 + 5000, 5000, 0, '5 consecutive failures')).toBe(true);
      // Another node saw the same fifth failure: the breaker changed since it read it.
      expect(await store.openBreaker(down.id, T0 + 5000, 5000, 0, '5 consecutive failures')).toBe(false);
      expect((await store.getEndpoint(down.id))?.control).toEqual({ ...NOT_PAUSED, pausedUntil: T0 + 5000, pauseReason: '5 consecutive failures', breakerFailures: 0, breakerCooldownMs: 5000 });
      expect(await store.takeEndpointProbe(down.id, T0 + 4999, T0 + 60_000)).toBe(false);
      expect(await store.takeEndpointProbe(down.id, T0 + 5000, T0 + 60_000)).toBe(true);
      expect(await store.takeEndpointProbe(down.id, T0 + 5001, T0 + 60_000)).toBe(false);
      // The probe's success closes the breaker and ends its pause.
      expect(await store.endpointAnswered(down.id, T0 + 5002)).toBe(true);
      expect((await store.getEndpoint(down.id))?.control).toEqual(NOT_PAUSED);
      expect(await store.countEndpointFailure('ep_missing')).toBeNull();
    });

    it('keeps an endpoint\'s AIMD concurrency: lowered once when two read the same limit, counted back up by successes', async () => {
      const busy = endpoint();
      await store.createEndpoint(busy);
      expect(await store.countThrottledSuccess(busy.id)).toBeNull();
      expect(await store.restartConcurrencyRun(busy.id)).toEqual({ limit: null });
      expect(await store.setConcurrencyLimit(busy.id, 8, null)).toBe(true);
      // Another node halved from the same reading: the first change stands.
      expect(await store.setConcurrencyLimit(busy.id, 8, null)).toBe(false);
      expect((await store.getEndpoint(busy.id))?.control?.concurrencyLimit).toBe(8);
      expect(await store.countThrottledSuccess(busy.id)).toEqual({ limit: 8, successes: 1 });
      expect(await store.countThrottledSuccess(busy.id)).toEqual({ limit: 8, successes: 2 });
      expect(await store.restartConcurrencyRun(busy.id)).toEqual({ limit: 8 });
      expect(await store.countThrottledSuccess(busy.id)).toEqual({ limit: 8, successes: 1 });
      expect(await store.setConcurrencyLimit(busy.id, null, 8)).toBe(true);
      expect((await store.getEndpoint(busy.id))?.control).toEqual(NOT_PAUSED);
    });

    it('reports the queue: due, scheduled, leased, and how long the oldest due one has waited', async () => {
      expect(await store.queueStats(T0)).toEqual({ due: 0, scheduled: 0, sending: 0, waiting: 0, oldestDueAt: null });
      await queue(store, 2, { nextAttemptAt: T0 - 30_000 });
      await queue(store, 1, { nextAttemptAt: T0 });
      await queue(store, 3, { nextAttemptAt: T0 + 60_000 });
      await queue(store, 1, { status: 'succeeded', nextAttemptAt: null, completedAt: T0 });
      expect(await store.queueStats(T0)).toEqual({ due: 3, scheduled: 3, sending: 0, waiting: 0, oldestDueAt: T0 - 30_000 });
      // Claimed ones leave the due count for the leased one, oldest first.
      await store.claimDueDeliveries('w1', T0, 2, T0 + 1000);
      expect(await store.queueStats(T0)).toEqual({ due: 1, scheduled: 3, sending: 2, waiting: 0, oldestDueAt: T0 });
      // Later, the scheduled retries have become due too.
      expect(await store.queueStats(T0 + 60_000)).toEqual({ due: 4, scheduled: 0, sending: 2, waiting: 0, oldestDueAt: T0 });
      expect(await store.queueStats(T0 - 1)).toEqual({ due: 0, scheduled: 4, sending: 2, waiting: 0, oldestDueAt: null });
    });

    it('records an attempt only under the lease it was claimed with', async () => {
      const [d] = await queue(store, 1);
      await store.claimDueDeliveries('w1', T0, 1, T0 + 1000);
      const attempt = {
        id: newId('att', T0),
        deliveryId: d!.id,
        startedAt: T0,
        durationMs: 12,
        statusCode: 503,
        error: null,
        requestHeaders: { 'webhook-id': 'msg_1' },
        requestMethod: 'POST',
        requestUrl: 'https://example.com/hooks?call=c-42',
        requestBody: '{"type":"call.incoming"}',
        responseHeaders: { 'retry-after': '5' },
        responseBody: 'busy',
      };
      const record = {
        deliveryId: d!.id,
        endpointId: null,
        attempt,
        status: 'pending' as const,
        nextAttemptAt: T0 + 5000,
        completedAt: null,
        lastStatusCode: 503,
        lastError: null,
        disableEndpoint: null,
      };
      await store.recordAttempts([{ ...record, leaseOwner: 'someone-else' }]);
      expect((await store.getDelivery(d!.id))?.status).toBe('sending');
      await store.recordAttempts([{ ...record, attempt: { ...attempt, id: newId('att', T0) }, leaseOwner: 'w1' }]);
      expect(await store.getDelivery(d!.id)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 5000, lastStatusCode: 503 });
      // Both attempts happened, so both are on record.
      const attempts = await store.listAttempts(d!.id, { limit: 10, cursor: null });
      expect(attempts.items).toHaveLength(2);
      expect(attempts.items[0]).toMatchObject({
        statusCode: 503,
        responseBody: 'busy',
        responseHeaders: { 'retry-after': '5' },
        requestMethod: 'POST',
        requestUrl: 'https://example.com/hooks?call=c-42',
        requestBody: '{"type":"call.incoming"}',
      });
    });

    it('records a batch of attempts in one call, each under its own lease, health followed in order', async () => {
      const ep = endpoint();
      await store.createEndpoint(ep);
      const ds = await queue(store, 5, { endpointId: ep.id });
      await store.claimDueDeliveries('w1', T0, 5, T0 + 1000);
      const record = (d: Delivery, startedAt: number, statusCode: number, leaseOwner = 'w1') => ({
        deliveryId: d.id,
        endpointId: ep.id,
        leaseOwner,
        attempt: { id: newId('att', startedAt), deliveryId: d.id, startedAt, durationMs: 5, statusCode, error: null, requestHeaders: {}, responseHeaders: {}, responseBody: null },
        status: statusCode === 200 ? ('succeeded' as const) : ('failed' as const),
        nextAttemptAt: null,
        completedAt: startedAt,
        lastStatusCode: statusCode,
        lastError: null,
        disableEndpoint: null,
      });
      const [d1, d2, d3, d4, d5] = ds as [Delivery, Delivery, Delivery, Delivery, Delivery];
      await store.recordAttempts([
        record(d1, T0 + 1, 500),
        record(d2, T0 + 2, 500),
        record(d3, T0 + 3, 200),
        record(d4, T0 + 4, 500),
        record(d5, T0 + 5, 500, 'someone-else'),
      ]);
      expect((await store.getDelivery(d1.id))?.status).toBe('failed');
      expect((await store.getDelivery(d3.id))).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 200, completedAt: T0 + 3 });
      expect((await store.getDelivery(d4.id))?.status).toBe('failed');
      // Not its lease: the attempt is on record, the delivery unchanged.
      expect((await store.getDelivery(d5.id))?.status).toBe('sending');
      expect((await store.listAttempts(d5.id, { limit: 10, cursor: null })).items).toHaveLength(1);
      // The success at T0+3 ended the first run; the one going began at T0+4 with two failures.
      const reason = (since: number) => `since ${since}`;
      expect(await store.disableFailingEndpoints(T0 + 3, 2, reason, T0 + 100)).toEqual([]);
      expect(await store.disableFailingEndpoints(T0 + 4, 3, reason, T0 + 100)).toEqual([]);
      expect(await store.disableFailingEndpoints(T0 + 4, 2, reason, T0 + 100)).toMatchObject([{ id: ep.id, disabledReason: `since ${T0 + 4}` }]);
    });

    it('disables the endpoint in the same write as a 410', async () => {
      const ep = endpoint();
      await store.createEndpoint(ep);
      const [d] = await queue(store, 1, { endpointId: ep.id });
      await store.claimDueDeliveries('w1', T0, 1, T0 + 1000);
      await store.recordAttempts([
        { deliveryId: d!.id, endpointId: ep.id, leaseOwner: 'w1', attempt: null, status: 'dropped', nextAttemptAt: null, completedAt: T0, lastStatusCode: 410, lastError: null, disableEndpoint: 'gone' },
      ]);
      expect(await store.getEndpoint(ep.id)).toMatchObject({ active: false, disabledReason: 'gone' });
      expect(await store.getDelivery(d!.id)).toMatchObject({ status: 'dropped', attempts: 0, completedAt: T0 });
    });

    it('takes back expired leases and released deliveries', async () => {
      const [a, b] = await queue(store, 2);
      await store.claimDueDeliveries('w1', T0, 2, T0 + 1000);
      expect(await store.releaseExpiredLeases(T0 + 999)).toBe(0);
      await store.releaseDeliveries([b!.id], 'w1', T0 + 50);
      expect(await store.getDelivery(b!.id)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 50 });
      expect(await store.releaseExpiredLeases(T0 + 1001)).toBe(1);
      expect((await store.getDelivery(a!.id))?.status).toBe('pending');
      expect((await store.claimDueDeliveries('w2', T0 + 1001, 10, T0 + 5000)).map((d) => d.id).sort()).toEqual([a!.id, b!.id].sort());
    });

    it('takes back the leases of a node whose heartbeat stopped, never those of a node still seen', async () => {
      const all = await queue(store, 3);
      await store.beat('w1', T0);
      await store.beat('w2', T0);
      const [a] = await store.claimDueDeliveries('w1', T0, 1, T0 + 60_000);
      const [b] = await store.claimDueDeliveries('w2', T0, 1, T0 + 60_000);
      const c = all.find((d) => d.id !== a!.id && d.id !== b!.id)!;
      // w2 goes on beating (a second beat of the same node changes only when it was seen); w1 stops.
      await store.beat('w2', T0 + 5000);
      expect(await store.releaseLeasesOfDeadNodes('w3', T0 + 4000)).toBe(1);
      expect(await store.getDelivery(a!.id)).toMatchObject({ status: 'pending' });
      expect(await store.getDelivery(b!.id)).toMatchObject({ status: 'sending' });
      // The dead node's late result does not change the delivery taken from it.
      await store.recordAttempts([
        { deliveryId: a!.id, endpointId: null, leaseOwner: 'w1', attempt: null, status: 'succeeded', nextAttemptAt: null, completedAt: T0, lastStatusCode: 200, lastError: null, disableEndpoint: null },
      ]);
      expect(await store.getDelivery(a!.id)).toMatchObject({ status: 'pending' });
      // The asking node never takes its own leases for a dead node's, however old its own beat.
      expect(await store.releaseLeasesOfDeadNodes('w2', T0 + 60_000)).toBe(0);
      expect(await store.getDelivery(b!.id)).toMatchObject({ status: 'sending' });
      // w1 was forgotten with its leases: what it claims without a heartbeat is left to the lease's expiry.
      expect((await store.claimDueDeliveries('w1', T0, 10, T0 + 60_000)).map((d) => d.id).sort()).toEqual([a!.id, c.id].sort());
      expect(await store.releaseLeasesOfDeadNodes('w3', T0 + 60_000)).toBe(1);
      expect(await store.getDelivery(c.id)).toMatchObject({ status: 'sending' });
      expect(await store.getDelivery(b!.id)).toMatchObject({ status: 'pending' });
      expect(await store.releaseExpiredLeases(T0 + 60_001)).toBe(2);
    });

    it('renews only the leases their holder still has', async () => {
      const [a, b] = await queue(store, 2);
      await store.claimDueDeliveries('w1', T0, 2, T0 + 1000);
      expect(await store.renewLeases([a!.id, b!.id], 'w2', T0 + 9000)).toEqual([]);
      await store.recordAttempts([
        { deliveryId: a!.id, endpointId: null, leaseOwner: 'w1', attempt: null, status: 'succeeded', nextAttemptAt: null, completedAt: T0, lastStatusCode: 200, lastError: null, disableEndpoint: null },
      ]);
      expect(await store.renewLeases([a!.id, b!.id, 'dlv_unknown'], 'w1', T0 + 9000)).toEqual([b!.id]);
      expect(await store.renewLeases([], 'w1', T0 + 9000)).toEqual([]);
      expect(await store.releaseExpiredLeases(T0 + 5000)).toBe(0);
      expect(await store.releaseExpiredLeases(T0 + 9001)).toBe(1);
      expect(await store.getDelivery(b!.id)).toMatchObject({ status: 'pending' });
    });

    it('retries and cancels by the rules', async () => {
      const [d] = await queue(store, 1, { nextAttemptAt: T0 + 60_000 });
      expect(await store.retryDelivery(d!.id, T0)).toMatchObject({ status: 'pending', nextAttemptAt: T0 });
      const [claimed] = await store.claimDueDeliveries('w1', T0, 1, T0 + 1000);
      expect(claimed?.singleAttempt).toBe(false);
      expect(await store.retryDelivery(d!.id, T0)).toBeNull();
      expect(await store.cancelDelivery(d!.id, T0)).toBeNull();
      await store.recordAttempts([
        { deliveryId: d!.id, endpointId: null, leaseOwner: 'w1', attempt: null, status: 'failed', nextAttemptAt: null, completedAt: T0, lastStatusCode: 500, lastError: null, disableEndpoint: null },
      ]);
      const retried = await store.retryDelivery(d!.id, T0 + 1);
      expect(retried).toMatchObject({ status: 'pending', completedAt: null, nextAttemptAt: T0 + 1 });
      expect((await store.claimDueDeliveries('w1', T0 + 1, 1, T0 + 1000))[0]?.singleAttempt).toBe(true);

      const [other] = await queue(store, 1);
      expect(await store.cancelDelivery(other!.id, T0 + 2)).toMatchObject({ status: 'canceled', completedAt: T0 + 2, nextAttemptAt: null });
      expect(await store.cancelDelivery(other!.id, T0 + 2)).toBeNull();
    });

    it('keeps FIFO chains: one delivery of a key at a time in ingest order, through retries, cancels and a switch to unordered', async () => {
      const ep = await store.createEndpoint(endpoint({ ordering: 'fifo' }));
      const ordered = (key: string, at = T0) => {
        const e = event({ orderingKey: key });
        return { event: e, deliveries: [delivery(e.id, { endpointId: ep.id, fifoKey: key, nextAttemptAt: at, createdAt: at })], clientId: false };
      };
      const finish = (id: string, status: 'pending' | 'succeeded' | 'failed', at: number) =>
        store.recordAttempts([
          { deliveryId: id, endpointId: ep.id, fifoKey: 'k', leaseOwner: 'w1', attempt: null, status, lastStatusCode: null, lastError: null,
            nextAttemptAt: status === 'pending' ? at + 10 : null, completedAt: status === 'pending' ? null : at, disableEndpoint: null },
        ]);
      const get = async (id: string) => (await store.getDelivery(id))!;
      // A batch handed to a worker: ordered deliveries are stored pending all the same, each after the one before of its key.
      const [e1, e2, e3] = [ordered('k'), ordered('k'), ordered('other')];
      await store.ingestEvents([e1, e2, e3], 0, T0, );
      const [d1, d2, d3] = [e1, e2, e3].map((item) => item.deliveries[0]!.id) as [string, string, string];
      expect(await get(d2)).toMatchObject({ status: 'pending', blockedBy: d1, nextAttemptAt: null });
      expect(await get(d3)).toMatchObject({ status: 'pending', blockedBy: null, nextAttemptAt: T0 });
      const e4 = ordered('k');
      await store.ingestEvents([{ ...e4, lease: { owner: 'w1', until: T0 + 1000 } }], 0, T0);
      const d4 = e4.deliveries[0]!.id;
      expect(await get(d4)).toMatchObject({ status: 'pending', blockedBy: d2 });
      expect((await store.queueStats(T0)).waiting).toBe(2);

      // Only the head of each key is claimed; a retry of the head keeps the key blocked.
      expect((await store.claimDueDeliveries('w1', T0, 10, T0 + 1000)).map((d) => d.id).sort()).toEqual([d1, d3].sort());
      await finish(d1, 'pending', T0);
      expect(await get(d2)).toMatchObject({ blockedBy: d1, nextAttemptAt: null });
      expect((await store.claimDueDeliveries('w1', T0 + 10, 10, T0 + 1000)).map((d) => d.id)).toEqual([d1]);
      await finish(d1, 'failed', T0 + 20);
      expect(await get(d2)).toMatchObject({ blockedBy: null, nextAttemptAt: T0 + 20 });
      expect(await get(d4)).toMatchObject({ blockedBy: d2, nextAttemptAt: null });

      // A waiting delivery cannot be made due by hand; canceling the one before lets it go.
      expect(await store.retryDelivery(d4, T0 + 21)).toBeNull();
      expect(await store.cancelDelivery(d2, T0 + 22)).toMatchObject({ status: 'canceled', blockedBy: null });
      expect(await get(d4)).toMatchObject({ blockedBy: null, nextAttemptAt: T0 + 22 });

      // A waiting delivery canceled: the next one waits for what it waited for.
      const [e5, e6] = [ordered('k'), ordered('k')];
      await store.ingestEvents([e5], 0, T0);
      const d5 = e5.deliveries[0]!.id;
      expect(await get(d5)).toMatchObject({ blockedBy: d4 });
      await store.cancelDelivery(d5, T0 + 23);
      await store.ingestEvents([e6], 0, T0);
      const d6 = e6.deliveries[0]!.id;
      expect(await get(d6)).toMatchObject({ blockedBy: d4 });
      expect((await store.claimDueDeliveries('w1', T0 + 30, 10, T0 + 1000)).map((d) => d.id)).toEqual([d4]);
      await finish(d4, 'succeeded', T0 + 31);
      expect(await get(d6)).toMatchObject({ blockedBy: null, nextAttemptAt: T0 + 31 });

      // Switched to unordered: what waits is due at once.
      const e7 = ordered('k');
      await store.ingestEvents([e7], 0, T0);
      const d7 = e7.deliveries[0]!.id;
      expect(await get(d7)).toMatchObject({ blockedBy: d6 });
      await store.updateEndpoint(ep.id, { ...ep, ordering: 'none' }, T0 + 40);
      expect(await get(d7)).toMatchObject({ blockedBy: null, nextAttemptAt: T0 + 40 });

      // A finished delivery retried by hand is sent again outside its chain.
      expect(await store.retryDelivery(d1, T0 + 50)).toMatchObject({ status: 'pending', fifoKey: null, nextAttemptAt: T0 + 50 });
      expect((await store.getEvent(e1.event.id))?.orderingKey).toBe('k');
    });

    it('stores ordered deliveries as planned when a call rolled back is made again with the same deliveries', async () => {
      const ep = await store.createEndpoint(endpoint({ ordering: 'fifo' }));
      const ordered = () => {
        const e = event({ orderingKey: 'r' });
        return { event: e, deliveries: [delivery(e.id, { endpointId: ep.id, fifoKey: 'r' })], clientId: false };
      };
      const head = ordered();
      await store.ingestEvents([head], 0, T0);
      const old = event();
      await store.ingestEvents([{ event: old, deliveries: [], clientId: true }], 0, T0);
      // Linked behind the head, then rolled back with the batch (an id reused after the window).
      const again = ordered();
      const outcomes = await store.ingestEvents([{ event: old, deliveries: [], clientId: true }, again], T0 + 1, T0 + 2);
      expect(outcomes[0]?.outcome).toBe('conflict');
      await store.cancelDelivery(head.deliveries[0]!.id, T0 + 3);
      // Group commit stores each caller again, with the deliveries it planned: nothing is left before this one now.
      await store.ingestEvents([again], 0, T0 + 4);
      expect(await store.getDelivery(again.deliveries[0]!.id)).toMatchObject({ status: 'pending', blockedBy: null, nextAttemptAt: T0 });
    });

    it('tracks failure runs per endpoint, disables long-failing ones, and reports stats', async () => {
      const ep = endpoint();
      await store.createEndpoint(ep);
      const attemptAt = async (startedAt: number, statusCode: number, durationMs: number) => {
        const [d] = await queue(store, 1, { endpointId: ep.id });
        await store.claimDueDeliveries('w1', T0, 1, T0 + 1000);
        await store.recordAttempts([
          {
            deliveryId: d!.id,
            endpointId: ep.id,
            leaseOwner: 'w1',
            attempt: { id: newId('att', startedAt), deliveryId: d!.id, startedAt, durationMs, statusCode, error: null, requestHeaders: {}, responseHeaders: {}, responseBody: null },
            status: statusCode === 200 ? 'succeeded' : 'failed',
            nextAttemptAt: null,
            completedAt: startedAt,
            lastStatusCode: statusCode,
            lastError: null,
            disableEndpoint: null,
          },
        ]);
      };
      await attemptAt(T0, 500, 10);
      await attemptAt(T0 + 1, 200, 20); // a success ends the run
      for (let i = 0; i < 3; i++) await attemptAt(T0 + 10 + i, 500, 30 + i);
      const reason = (since: number) => `since ${since}`;
      expect(await store.disableFailingEndpoints(T0 + 9, 3, reason, T0 + 100)).toEqual([]);
      expect(await store.disableFailingEndpoints(T0 + 10, 4, reason, T0 + 100)).toEqual([]);
      const disabled = await store.disableFailingEndpoints(T0 + 10, 3, reason, T0 + 100);
      expect(disabled).toHaveLength(1);
      expect(disabled[0]).toMatchObject({ id: ep.id, active: false, disabledReason: `since ${T0 + 10}` });
      expect(await store.disableFailingEndpoints(T0 + 10, 3, reason, T0 + 100)).toEqual([]);

      const stats = await statsSince(store, ep.id, T0);
      expect(stats.attempts).toEqual({ total: 5, succeeded: 1, failed: 4 });
      // Durations 10, 20, 30, 31, 32: the p50 (30) is read as the middle of its latency bucket
      // [25, 32); the p90 and p99 (32) as the largest duration seen, below their bucket's middle.
      expect(stats.latencyMs).toEqual({ p50: 28, p90: 32, p99: 32 });
      // Stats count whole minutes: the one holding `since` and those after it.
      expect((await statsSince(store, ep.id, T0 + 11)).attempts.total).toBe(5);
      expect((await statsSince(store, ep.id, T0 + 60_000)).attempts.total).toBe(0);
      expect((await statsSince(store, 'ep_none', T0)).latencyMs.p50).toBeNull();

      expect(await store.requeueFailedDeliveries(ep.id, T0, T0 + 200)).toBe(4);
      const requeued = await store.claimDueDeliveries('w2', T0 + 200, 10, T0 + 1000);
      expect(requeued).toHaveLength(4);
      expect(requeued.every((d) => d.singleAttempt)).toBe(true);
    });

    it('groups an endpoint\'s attempts in time buckets with counts and nearest-rank latency percentiles', async () => {
      const ep = endpoint();
      await store.createEndpoint(ep);
      const attemptAt = async (startedAt: number, statusCode: number, durationMs: number) => {
        const [d] = await queue(store, 1, { endpointId: ep.id });
        await store.claimDueDeliveries('w1', T0, 1, T0 + 1000);
        await store.recordAttempts([
          {
            deliveryId: d!.id,
            endpointId: ep.id,
            leaseOwner: 'w1',
            attempt: { id: newId('att', startedAt), deliveryId: d!.id, startedAt, durationMs, statusCode, error: null, requestHeaders: {}, responseHeaders: {}, responseBody: null },
            status: statusCode === 200 ? 'succeeded' : 'failed',
            nextAttemptAt: null,
            completedAt: startedAt,
            lastStatusCode: statusCode,
            lastError: null,
            disableEndpoint: null,
          },
        ]);
      };
      const bucketMs = 3_600_000;
      const minute = 60_000;
      // Hour 0: three attempts, one failed; hour 2: one; hour 3 is outside [since, until).
      await attemptAt(T0, 200, 40);
      await attemptAt(T0 + 10 * minute, 500, 10);
      await attemptAt(T0 + bucketMs - 1, 200, 20);
      await attemptAt(T0 + 2.5 * bucketMs, 503, 7);
      await attemptAt(T0 + 3 * bucketMs, 200, 1);
      await attemptAt(T0 - 1, 200, 1);

      const series = await seriesOf(store, ep.id, T0, T0 + 3 * bucketMs, bucketMs);
      // The p50 (20 ms) is the middle of its latency bucket [20, 25); the p99 the largest seen.
      expect(series).toEqual([
        { start: T0, total: 3, succeeded: 2, latencyMs: { p50: 22, p99: 40 } },
        { start: T0 + 2 * bucketMs, total: 1, succeeded: 0, latencyMs: { p50: 7, p99: 7 } },
      ]);
      // Two attempts in a bucket: the nearest-rank p50 is the second, as endpointStats has it
      // (exact: below 10 ms every millisecond has its own latency bucket).
      await attemptAt(T0 + 2.6 * bucketMs, 200, 3);
      expect((await seriesOf(store, ep.id, T0 + 2 * bucketMs, T0 + 3 * bucketMs, bucketMs))[0]!.latencyMs).toEqual({ p50: 7, p99: 7 });
      expect(await seriesOf(store, 'ep_none', T0, T0 + 3 * bucketMs, bucketMs)).toEqual([]);
    });

    describe('endpoint stats rollups', () => {
      /** One batch of attempt results, as the recorder writes it: [endpoint (null: a callback URL), startedAt, status, duration]. */
      const recordBatch = async (attempts: Array<[string | null, number, number, number]>) => {
        const deliveries = await queue(store, attempts.length);
        await store.claimDueDeliveries('w1', T0, attempts.length, T0 + 1000);
        await store.recordAttempts(
          attempts.map(([endpointId, startedAt, statusCode, durationMs], i) => ({
            deliveryId: deliveries[i]!.id,
            endpointId,
            leaseOwner: 'w1',
            attempt: { id: newId('att', startedAt), deliveryId: deliveries[i]!.id, startedAt, durationMs, statusCode, error: null, requestHeaders: {}, responseHeaders: {}, responseBody: null },
            status: statusCode === 200 ? 'succeeded' : 'failed',
            nextAttemptAt: null,
            completedAt: startedAt,
            lastStatusCode: statusCode,
            lastError: null,
            disableEndpoint: null,
          })),
        );
      };

      it('add each batch to its endpoints\' minutes: counts summed, the smallest and largest duration kept', async () => {
        // One batch: two endpoints, two minutes of the first, and a callback attempt (no endpoint, no stats).
        await recordBatch([
          ['ep_a', T0, 200, 15],
          ['ep_a', T0 + 30_000, 500, 15],
          ['ep_a', T0 + 60_000, 200, 15],
          ['ep_b', T0, 200, 3],
          [null, T0, 200, 1],
        ]);
        expect(await statsSince(store, 'ep_a', T0)).toEqual({ attempts: { total: 3, succeeded: 2, failed: 1 }, latencyMs: { p50: 15, p90: 15, p99: 15 } });
        expect(await statsSince(store, 'ep_a', T0 + 60_000)).toMatchObject({ attempts: { total: 1, succeeded: 1, failed: 0 } });
        expect(await statsSince(store, 'ep_b', T0)).toEqual({ attempts: { total: 1, succeeded: 1, failed: 0 }, latencyMs: { p50: 3, p90: 3, p99: 3 } });

        // Later batches into the same minute add to it (the upsert's update path).
        await recordBatch([['ep_a', T0 + 1, 200, 14]]);
        // 14 and 15 share the bucket [13, 16), whose middle is 14: the smallest seen (14) is kept.
        expect((await statsSince(store, 'ep_a', T0)).latencyMs.p50).toBe(14);
        await recordBatch([['ep_a', T0 + 2, 200, 200]]);
        // 200 is in [200, 250), whose middle (224) is past the largest seen (200), which is kept.
        expect(await statsSince(store, 'ep_a', T0)).toEqual({ attempts: { total: 5, succeeded: 4, failed: 1 }, latencyMs: { p50: 14, p90: 200, p99: 200 } });
        expect(await seriesOf(store, 'ep_a', T0, T0 + 120_000, 60_000)).toEqual([
          { start: T0, total: 4, succeeded: 3, latencyMs: { p50: 14, p99: 200 } },
          { start: T0 + 60_000, total: 1, succeeded: 1, latencyMs: { p50: 15, p99: 15 } },
        ]);
      });

      it('read windows and a series in one call, each part as it reads alone', async () => {
        await recordBatch([
          ['ep_a', T0, 200, 15],
          ['ep_a', T0 + 30_000, 500, 40],
          ['ep_a', T0 + 60_000, 200, 3],
          ['ep_b', T0 + 60_000, 200, 9],
        ]);
        const series = { since: T0, until: T0 + 120_000, bucketMs: 60_000 };
        const report = await store.endpointStats('ep_a', { windows: [T0 + 60_000, T0], series });
        expect(report.windows).toEqual([
          { attempts: { total: 1, succeeded: 1, failed: 0 }, latencyMs: { p50: 3, p90: 3, p99: 3 } },
          await statsSince(store, 'ep_a', T0),
        ]);
        expect(report.windows[1]!.attempts).toEqual({ total: 3, succeeded: 2, failed: 1 });
        expect(report.series).toEqual(await seriesOf(store, 'ep_a', T0, T0 + 120_000, 60_000));
        expect(report.series.map((bucket) => bucket.total)).toEqual([2, 1]);
        // An endpoint without attempts: empty windows, no buckets.
        const none = await store.endpointStats('ep_none', { windows: [T0], series });
        expect(none).toEqual({ windows: [{ attempts: { total: 0, succeeded: 0, failed: 0 }, latencyMs: { p50: null, p90: null, p99: null } }], series: [] });
      });

      it('read a window beside a series as it reads alone: minutes before the buckets, a bucket begun, past the series', async () => {
        // Buckets of two minutes from T0 + 1 min to T0 + 5 min; one attempt a minute from T0 to T0 + 5 min.
        await recordBatch([
          ['ep_a', T0, 200, 15],
          ['ep_a', T0 + 60_000, 500, 40],
          ['ep_a', T0 + 120_000, 200, 3],
          ['ep_a', T0 + 180_000, 200, 9],
          ['ep_a', T0 + 240_000, 200, 120],
          ['ep_a', T0 + 300_000, 200, 7],
        ]);
        const series = { since: T0 + 60_000, until: T0 + 300_000, bucketMs: 120_000 };
        // Before the series, on a bucket's start, inside a bucket, inside a minute, at the series' end, after everything.
        const windows = [T0, T0 + 60_000, T0 + 120_000, T0 + 200_000, T0 + 300_000, T0 + 360_000];
        const report = await store.endpointStats('ep_a', { windows, series });
        expect(report.windows.map((window) => window.attempts.total)).toEqual([6, 5, 4, 3, 1, 0]);
        const alone = await Promise.all(windows.map((since) => statsSince(store, 'ep_a', since)));
        expect(report.windows).toEqual(alone);
        // 15 and 120 ms, the fourth and sixth of six, as their histogram buckets' middles.
        expect(report.windows[0]).toEqual({ attempts: { total: 6, succeeded: 5, failed: 1 }, latencyMs: { p50: 14, p90: 112, p99: 112 } });
      });

      it('sum batches written at the same time into one endpoint\'s minute (PostgreSQL: on several connections)', async () => {
        const eps = Array.from({ length: 6 }, (_, i) => ({ deliveries: 5, durationMs: 20 + i }));
        const batches = await Promise.all(eps.map(({ deliveries }) => queue(store, deliveries)));
        await store.claimDueDeliveries('w1', T0, 30, T0 + 1000);
        await Promise.all(
          batches.map((deliveries, b) =>
            store.recordAttempts(
              deliveries.map((d, i) => ({
                deliveryId: d.id,
                endpointId: 'ep_hot',
                leaseOwner: 'w1',
                attempt: { id: newId('att', T0), deliveryId: d.id, startedAt: T0 + b * 1000 + i, durationMs: eps[b]!.durationMs, statusCode: i === 0 ? 503 : 200, error: null, requestHeaders: {}, responseHeaders: {}, responseBody: null },
                status: i === 0 ? 'failed' : 'succeeded',
                nextAttemptAt: null,
                completedAt: T0,
                lastStatusCode: i === 0 ? 503 : 200,
                lastError: null,
                disableEndpoint: null,
              })),
            ),
          ),
        );
        // 30 attempts of 20–25 ms: the smallest and largest seen bound the percentiles.
        const stats = await statsSince(store, 'ep_hot', T0);
        expect(stats.attempts).toEqual({ total: 30, succeeded: 24, failed: 6 });
        expect(stats.latencyMs.p50).toBeGreaterThanOrEqual(20);
        expect(stats.latencyMs.p99).toBeLessThanOrEqual(25);
        expect(await seriesOf(store, 'ep_hot', T0, T0 + 60_000, 60_000)).toMatchObject([{ start: T0, total: 30, succeeded: 24 }]);
      });

      it('are purged with the attempts they sum, oldest minutes first, by the batch', async () => {
        await recordBatch([
          ['ep_a', T0 - 180_000, 200, 5],
          ['ep_b', T0 - 180_000, 200, 5],
          ['ep_a', T0 - 120_000, 200, 5],
          ['ep_a', T0, 200, 5],
        ]);
        expect(await store.purgeBefore(T0 - 1, 2)).toMatchObject({ rollups: 2 });
        expect((await statsSince(store, 'ep_b', 0)).attempts.total).toBe(0);
        expect((await statsSince(store, 'ep_a', 0)).attempts.total).toBe(2);
        expect(await store.purgeBefore(T0 - 1, 2)).toMatchObject({ rollups: 1 });
        expect(await store.purgeBefore(T0 - 1, 2)).toMatchObject({ rollups: 0 });
        expect(await statsSince(store, 'ep_a', 0)).toMatchObject({ attempts: { total: 1, succeeded: 1, failed: 0 } });
      });
    });

    it('keeps operations: timeouts and outcomes change each operation once, notices are tracked', async () => {
      const operation = (protocol: string, expiresAt: number, overrides: Partial<Operation> = {}): Operation => ({
        protocol,
        type: 'device.reboot',
        accountId: 'acme',
        subject: 'RTR-42',
        callbackUrl: null,
        requestData: '{"force":true}',
        resultData: null,
        status: 'pending',
        late: false,
        requestedAt: T0,
        expiresAt,
        timedOutAt: null,
        completedAt: null,
        ...overrides,
      });
      await store.createOperation(operation('p-1', T0 + 10));
      await store.createOperation(operation('p-2', T0 + 20));
      await store.createOperation(operation('p-3', T0 + 30, { accountId: 'globex', type: 'device.update' }));
      expect(await store.getOperation('p-1')).toEqual(operation('p-1', T0 + 10));

      expect((await store.dueOperations(T0 + 20, 10)).map((o) => o.protocol)).toEqual(['p-1', 'p-2']);
      expect((await store.markOperationsTimedOut(['p-1'], T0 + 11)).map((o) => o.status)).toEqual(['timed_out']);
      expect(await store.markOperationsTimedOut(['p-1'], T0 + 12)).toEqual([]);

      const completed = await store.completeOperation('p-2', 'succeeded', '{"uptime":3}', T0 + 15);
      expect(completed).toMatchObject({ status: 'succeeded', late: false, resultData: '{"uptime":3}', completedAt: T0 + 15 });
      expect(await store.completeOperation('p-2', 'failed', null, T0 + 16)).toBeNull();
      expect(await store.markOperationsTimedOut(['p-2'], T0 + 30)).toEqual([]);
      const late = await store.completeOperation('p-1', 'failed', null, T0 + 40);
      expect(late).toMatchObject({ status: 'failed', late: true, timedOutAt: T0 + 11, completedAt: T0 + 40 });
      expect(await store.completeOperation('nope', 'failed', null, T0)).toBeNull();

      const awaiting = await store.operationsAwaitingNotice(T0 + 100, 10);
      expect(awaiting.map((o) => o.protocol)).toEqual(['p-1', 'p-2']);
      await store.markOperationNotified('p-1', 'timeout');
      expect((await store.operationsAwaitingNotice(T0 + 100, 10)).map((o) => o.protocol)).toEqual(['p-1', 'p-2']);
      await store.markOperationNotified('p-1', 'outcome');
      await store.markOperationNotified('p-2', 'outcome');
      expect(await store.operationsAwaitingNotice(T0 + 100, 10)).toEqual([]);

      const page = await store.listOperations({ accountId: 'acme' }, { limit: 1, cursor: null });
      expect(page.items.map((o) => o.protocol)).toEqual(['p-2']);
      expect((await store.listOperations({ accountId: 'acme' }, { limit: 1, cursor: page.nextCursor })).items.map((o) => o.protocol)).toEqual(['p-1']);
      expect((await store.listOperations({ status: 'pending' }, { limit: 10, cursor: null })).items.map((o) => o.protocol)).toEqual(['p-3']);
      expect((await store.listOperations({ type: 'device.update' }, { limit: 10, cursor: null })).items).toHaveLength(1);
    });

    it('hands out rate-limit slots one interval apart, whoever asks', async () => {
      const ep = endpoint();
      await store.createEndpoint(ep);
      const starts = await Promise.all([0, 1, 2, 3].map(() => store.reserveRateSlot(ep.id, T0, 200)));
      expect(starts.sort()).toEqual([T0, T0 + 200, T0 + 400, T0 + 600]);
      // After an idle spell the next slot is now, not in the past.
      expect(await store.reserveRateSlot(ep.id, T0 + 10_000, 200)).toBe(T0 + 10_000);
      expect(await store.reserveRateSlot('ep_missing', T0, 200)).toBe(T0);
    });

    it('purges old finished data in batches, keeping events with deliveries still to make', async () => {
      const old = event({ createdAt: T0 - 10_000 });
      const oldPending = event({ createdAt: T0 - 10_000 });
      const recent = event({ createdAt: T0 });
      const done = delivery(old.id, { status: 'succeeded', createdAt: T0 - 10_000 });
      await store.ingestEvents(
        [
          { event: old, deliveries: [done], clientId: false },
          { event: oldPending, deliveries: [delivery(oldPending.id, { nextAttemptAt: T0 + 60_000 })], clientId: false },
          { event: recent, deliveries: [delivery(recent.id, { status: 'succeeded' })], clientId: false },
        ],
        0,
        T0,
      );
      const [claimedOld] = await store.claimDueDeliveries('w', T0 + 100_000, 1, T0 + 200_000);
      await store.releaseDeliveries([claimedOld!.id], 'w', T0 + 60_000);
      await store.createOperation({
        protocol: 'old-op', type: 't', accountId: null, subject: null, callbackUrl: null, requestData: null, resultData: null,
        status: 'timed_out', late: false, requestedAt: T0 - 10_000, expiresAt: T0 - 9_000, timedOutAt: T0 - 9_000, completedAt: null,
      });
      await store.createOperation({
        protocol: 'old-pending-op', type: 't', accountId: null, subject: null, callbackUrl: null, requestData: null, resultData: null,
        status: 'pending', late: false, requestedAt: T0 - 10_000, expiresAt: T0 + 9_000, timedOutAt: null, completedAt: null,
      });

      const key = (id: string, expiresAt: number | null) => ({
        id, kind: 'account' as const, accountId: 'acme', name: 'portal session', keyHash: `hash-${id}`, createdAt: T0 - 20_000, expiresAt, rateLimitPerSecond: null,
      });
      await store.createKey(key('key_expired_long_ago', T0 - 5_000));
      await store.createKey(key('key_expired_lately', T0 + 1));
      await store.createKey(key('key_forever', null));

      expect(await store.purgeBefore(T0 - 1, 100)).toEqual({ events: 1, deliveries: 1, attempts: 0, operations: 1, keys: 1, rollups: 0 });
      expect(await store.findKeyByHash('hash-key_expired_long_ago')).toBeNull();
      expect(await store.findKeyByHash('hash-key_expired_lately')).not.toBeNull();
      expect(await store.findKeyByHash('hash-key_forever')).not.toBeNull();
      expect(await store.getEvent(old.id)).toBeNull();
      expect(await store.getDelivery(done.id)).toBeNull();
      expect(await store.getEvent(oldPending.id)).not.toBeNull();
      expect(await store.getEvent(recent.id)).not.toBeNull();
      expect(await store.getOperation('old-op')).toBeNull();
      expect(await store.getOperation('old-pending-op')).not.toBeNull();
      expect(await store.purgeBefore(T0 - 1, 100)).toEqual({ events: 0, deliveries: 0, attempts: 0, operations: 0, keys: 0, rollups: 0 });
    });

    it('purges no more than the batch size asks for in one call', async () => {
      const olds = Array.from({ length: 5 }, () => event({ createdAt: T0 - 10_000 }));
      await store.ingestEvents(
        olds.map((old) => ({ event: old, deliveries: [delivery(old.id, { status: 'succeeded', createdAt: T0 - 10_000 })], clientId: false })),
        0,
        T0,
      );
      expect(await store.purgeBefore(T0 - 1, 2)).toMatchObject({ events: 2, deliveries: 2 });
      expect(await store.purgeBefore(T0 - 1, 2)).toMatchObject({ events: 2, deliveries: 2 });
      expect(await store.purgeBefore(T0 - 1, 2)).toMatchObject({ events: 1, deliveries: 1 });
      for (const old of olds) expect(await store.getEvent(old.id)).toBeNull();
    });

    it('lists deliveries newest first with filters and cursors', async () => {
      const deliveries = await queue(store, 3, { correlationId: 'corr', accountId: 'acme' });
      const page = await store.listDeliveries({ correlationId: 'corr' }, { limit: 2, cursor: null });
      expect(page.items.map((d) => d.id)).toEqual([deliveries[2]!.id, deliveries[1]!.id]);
      const rest = await store.listDeliveries({ correlationId: 'corr' }, { limit: 2, cursor: page.nextCursor });
      expect(rest.items.map((d) => d.id)).toEqual([deliveries[0]!.id]);
      expect((await store.listDeliveries({ accountId: 'other' }, { limit: 10, cursor: null })).items).toHaveLength(0);
      expect((await store.listDeliveries({ status: 'pending', accountId: 'acme' }, { limit: 10, cursor: null })).items).toHaveLength(3);
    });
  });
}
