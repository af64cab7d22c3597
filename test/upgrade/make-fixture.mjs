// Makes test/upgrade/hookd-393a044.db: a database written by hookd as it was at commit 393a044
// (migrations 0001–0006), for upgrade.test.ts to open with the current hookd. Kept so that the
// fixture can be made again, or made for a later release:
//
//   git archive 393a044 | tar -x -C /tmp/old && ln -s "$PWD/node_modules" /tmp/old/node_modules
//   (cd /tmp/old && npx tsc -p tsconfig.json)
//   node test/upgrade/make-fixture.mjs /tmp/old/dist/src/main.js test/upgrade/hookd-393a044.db
//
// Everything it sends goes to loopback. The "gone" endpoint answers 410, which disables it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, rmSync } from 'node:fs';

const [cli, out] = process.argv.slice(2);
if (!cli || !out) throw new Error('usage: make-fixture.mjs <old dist/src/main.js> <out.db>');
for (const suffix of ['', '-wal', '-shm']) rmSync(out + suffix, { force: true });

const ENV_ADMIN_KEY = 'hk_admin_fixture_env_0123456789abcdef';
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(req.url === '/gone' ? 410 : 200).end('ok'));
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;
const port = 18000 + Math.floor(Math.random() * 1000);
const hookd = spawn(process.execPath, [cli, 'serve'], {
  env: { PATH: process.env.PATH, HOOKD_PORT: String(port), HOOKD_DATABASE_URL: `sqlite:${out}`, HOOKD_ADMIN_KEY: ENV_ADMIN_KEY, HOOKD_ALLOW_PRIVATE_URLS: 'true', HOOKD_LOG_LEVEL: 'warn' },
  stdio: 'inherit',
});
process.on('exit', () => hookd.kill('SIGKILL'));
const base = `http://127.0.0.1:${port}`;
const api = async (method, path, body) => {
  const answer = await fetch(base + path, { method, headers: { authorization: `Bearer ${ENV_ADMIN_KEY}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await answer.json().catch(() => null);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(json)}`);
  return json;
};
for (let i = 0; !(await fetch(base + '/ready').then((r) => r.ok, () => false)); i++) {
  if (i > 300) throw new Error('hookd did not start');
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const admin = await api('POST', '/v1/keys', { kind: 'admin', name: 'fixture admin' });
const account = await api('POST', '/v1/keys', { kind: 'account', accountId: 'acme', name: 'fixture account' });
await api('POST', '/v1/event-types', { name: 'invoice.paid', description: 'an invoice was paid', examples: [{ invoiceId: 'inv_1', amount: 100 }] });
const crm = await api('POST', '/v1/endpoints', { url: `${receiverUrl}/crm`, title: 'CRM sync', eventTypes: ['invoice.paid'], secret: 'whsec_' + Buffer.alloc(32, 7).toString('base64') });
const gone = await api('POST', '/v1/endpoints', { url: `${receiverUrl}/gone`, title: 'Old ERP', accountId: 'acme', eventTypes: ['invoice.paid'], retry: { enabled: false } });
const events = [];
for (let n = 1; n <= 5; n++) {
  events.push(await api('POST', '/v1/events', { type: 'invoice.paid', accountId: 'acme', payload: { invoiceId: `inv_${n}`, amount: n * 100 }, correlationId: `order-${n}` }));
}
for (let i = 0; ; i++) {
  const { data } = await api('GET', '/v1/deliveries?limit=250');
  if (data.filter((d) => d.status === 'succeeded').length === 5 && data.every((d) => d.status !== 'pending' && d.status !== 'sending')) break;
  if (i > 300) throw new Error('deliveries did not finish: ' + JSON.stringify(data.map((d) => [d.status, d.lastStatusCode, d.lastError])));
  await new Promise((resolve) => setTimeout(resolve, 100));
}
hookd.kill('SIGTERM');
await new Promise((resolve) => hookd.once('exit', resolve));
receiver.close();
if (existsSync(out + '-wal')) throw new Error('the WAL was not checkpointed into the file');
console.log(JSON.stringify({ adminKey: admin.key, accountKey: account.key, crm: crm.id, gone: gone.id, events: events.map((event) => event.id) }, null, 2));
