import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from '../support/cli-process.js';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// `hookd tail` follows deliveries as they happen: the built binary polling a real hookd.

describe('hookd tail', () => {
  let server: TestServer;
  let receiver: Receiver;
  let env: Record<string, string>;
  const running: CliProcess[] = [];

  beforeAll(async () => {
    server = await startServer();
    receiver = await startReceiver();
    await createEventTypes(server, 'invoice.paid');
    env = { HOOKD_URL: server.url, HOOKD_KEY: server.adminKey };
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((cli) => cli.stop()));
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  function tail(...args: string[]): CliProcess {
    const cli = startCli(['tail', '--interval-ms', '100', ...args], env);
    running.push(cli);
    return cli;
  }

  it('prints a line per attempt as it happens, retries included, and stops on Ctrl-C', async () => {
    receiver.script('/flaky', [{ status: 503 }, { status: 200 }]);
    const endpoint = await createEndpoint(server, {
      url: `${receiver.url}/flaky`,
      eventTypes: ['invoice.paid'],
      retry: { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 3 },
    });
    const cli = tail();
    await cli.waitForOutput(/following deliveries/, 'stderr');
    const { id } = await postEvent(server, { type: 'invoice.paid', payload: { invoiceId: 'inv_1' } });
    const deliveryId = (await server.request('GET', `/v1/deliveries?eventId=${id}`)).body.data[0].id as string;

    await cli.waitForOutput(/ 200 +succeeded /);
    const lines = cli.stdout().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  503  retrying   invoice\\.paid  ${deliveryId}  ${endpoint.id}  ${receiver.url}/flaky  \\d+ ms  #1  next \\d\\d:`));
    expect(lines[1]).toMatch(new RegExp(`  200  succeeded  invoice\\.paid  ${deliveryId}  ${endpoint.id}  ${receiver.url}/flaky  \\d+ ms  #2$`));
    expect(cli.stdout()).not.toContain('\u001b[');
    expect(await cli.stop('SIGINT')).toBe(0);
  });

  it('shows what happened since a time, and filters by endpoint and outcome', async () => {
    receiver.script('/down', [{ status: 500 }]);
    const down = await createEndpoint(server, { url: `${receiver.url}/down`, eventTypes: ['invoice.paid'], retry: { enabled: false } });
    const up = await createEndpoint(server, { url: `${receiver.url}/up`, eventTypes: ['invoice.paid'] });
    await postEvent(server, { type: 'invoice.paid', payload: { invoiceId: 'inv_2' } });

    const failures = tail('--since', '1h', '--status', 'dropped,failed', '--json');
    const [line] = await failures.waitForOutput(/^.+\n/);
    expect(JSON.parse(line)).toMatchObject({ outcome: 'dropped', statusCode: 500, endpointId: down.id, eventType: 'invoice.paid', attempt: 1 });

    const onlyUp = tail('--since', '1h', '--endpoint', up.id);
    await onlyUp.waitForOutput(/succeeded/);
    expect(onlyUp.stdout()).toContain(`${up.id}  ${receiver.url}/up`);
    expect(onlyUp.stdout()).not.toContain(down.id);
    expect(failures.stdout()).not.toContain(up.id);
  });

  it('colours by outcome under FORCE_COLOR', async () => {
    await createEventTypes(server, 'colour.test');
    receiver.script('/coloured-down', [{ status: 500 }]);
    await createEndpoint(server, { url: `${receiver.url}/coloured-up`, eventTypes: ['colour.test'] });
    await createEndpoint(server, { url: `${receiver.url}/coloured-down`, eventTypes: ['colour.test'], retry: { enabled: false } });
    // Only what happens from now: the history would hold both colours already.
    const cli = startCli(['tail', '--interval-ms', '100', '--last', '0'], { ...env, FORCE_COLOR: '1' });
    running.push(cli);
    await cli.waitForOutput(/following deliveries/, 'stderr');
    await postEvent(server, { type: 'colour.test', payload: {} });
    // Green for a success (32), red for a drop (31): the escape codes themselves are the subject.
    /* eslint-disable no-control-regex -- matching the terminal's colour escape (ESC [ 32 m) is the test */
    await cli.waitForOutput(/\u001b\[32msucceeded/);
    await cli.waitForOutput(/\u001b\[31mdropped/);
    /* eslint-enable no-control-regex */
  });

  it('shows the latest deliveries first without being asked, then follows', async () => {
    await createEventTypes(server, 'history.test');
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/history`, eventTypes: ['history.test'] });
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      const { id } = await postEvent(server, { type: 'history.test', payload: { n } });
      ids.push((await waitForDelivery(id, 'succeeded')).id);
    }

    const cli = tail('--endpoint', endpoint.id);
    await cli.waitForOutput(/following deliveries/, 'stderr');
    // What happened before the tail started, oldest first…
    const history = cli.stdout().trimEnd().split('\n');
    expect(history.map((line) => ids.find((id) => line.includes(id)))).toEqual(ids);
    for (const line of history) expect(line).toContain('  200  succeeded  history.test  ');
    // …then what happens next.
    const { id } = await postEvent(server, { type: 'history.test', payload: { n: 3 } });
    const next = (await waitForDelivery(id, 'succeeded')).id;
    await cli.waitForOutput(new RegExp(next));

    const lastOne = tail('--endpoint', endpoint.id, '--last', '1', '--json');
    await lastOne.waitForOutput(/following deliveries/, 'stderr');
    expect(lastOne.stdout().trimEnd().split('\n').map((line) => JSON.parse(line).deliveryId)).toEqual([next]);
  });

  it('shows an ordered delivery waiting behind the one before it, once, then its attempt', async () => {
    await createEventTypes(server, 'order.paid');
    receiver.script('/ordered', [{ status: 503 }, { status: 200 }, { status: 200 }]);
    const endpoint = await createEndpoint(server, {
      url: `${receiver.url}/ordered`,
      eventTypes: ['order.paid'],
      ordering: 'fifo',
      retry: { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 3 },
    });
    const cli = tail('--endpoint', endpoint.id, '--last', '0', '--json');
    await cli.waitForOutput(/following deliveries/, 'stderr');
    const first = await postEvent(server, { type: 'order.paid', orderingKey: 'ord_1', payload: { n: 1 } });
    const second = await postEvent(server, { type: 'order.paid', orderingKey: 'ord_1', payload: { n: 2 } });
    const firstId = (await waitForDelivery(first.id, 'succeeded')).id;
    const secondId = (await waitForDelivery(second.id, 'succeeded')).id;
    await cli.waitForOutput(new RegExp(`"outcome":"succeeded".*"deliveryId":"${secondId}"`));

    const lines = cli.stdout().trimEnd().split('\n').map((line) => JSON.parse(line));
    const ofSecond = lines.filter((line) => line.deliveryId === secondId);
    expect(ofSecond.map((line) => line.outcome)).toEqual(['waiting', 'succeeded']);
    expect(ofSecond[0]).toMatchObject({ attempt: 0, statusCode: null, blockedBy: firstId });
    expect(lines.filter((line) => line.deliveryId === firstId).map((line) => line.outcome)).toEqual(['retrying', 'succeeded']);
  });

  async function waitForDelivery(eventId: string, status: string): Promise<{ id: string }> {
    return waitFor(async () => {
      const [delivery] = (await server.request('GET', `/v1/deliveries?eventId=${eventId}`)).body.data;
      return delivery?.status === status ? delivery : null;
    });
  }
});
