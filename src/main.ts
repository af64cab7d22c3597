#!/usr/bin/env node
import { Command, Option } from 'commander';
import { createApiKey } from './api/keys.js';
import { CONFIG_KEYS, ConfigError, envNameOf, flagNameOf, loadConfig, type Config } from './config.js';
import { systemClock } from './domain/clock.js';
import { boundHeapGrowth } from './heap.js';
import { resealSecrets } from './maintenance/reseal.js';
import { prepareStore, startHookd } from './server.js';
import { VERSION } from './version.js';

// The hookd command line: serve, migrate, keys.

const program = new Command()
  .name('hookd')
  .description('Self-hosted webhooks: ingest events, fan out, sign, deliver, retry.')
  .version(VERSION);

const serve = program.command('serve').description('run the API and the delivery worker');
for (const key of CONFIG_KEYS) {
  serve.addOption(new Option(`--${flagNameOf(key)} <value>`, `(env ${envNameOf(key)})`));
}

function configFrom(flags: Record<string, string | undefined>): Config {
  try {
    return loadConfig(process.env, flags as Partial<Record<keyof Config, string>>);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hookd: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

serve.action(async (flags: Record<string, string | undefined>) => {
  boundHeapGrowth();
  const config = configFrom(flags);
  const hookd = await startHookd(config).catch((error: unknown) => {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`hookd: ${error.message}\n`);
    process.exit(2);
  });
  const shutdown = (signal: string) => {
    process.stderr.write(`hookd: ${signal} received, finishing attempts in flight\n`);
    const forced = setTimeout(() => process.exit(1), 70_000).unref();
    void hookd.close().then(() => {
      clearTimeout(forced);
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
});

program
  .command('migrate')
  .description('apply database migrations and exit')
  .option('--database-url <url>', '(env HOOKD_DATABASE_URL)')
  .action(async (flags: { databaseUrl?: string }) => {
    const store = await prepareStore(configFrom({ databaseUrl: flags.databaseUrl }));
    await store.close();
    process.stdout.write('hookd: migrations applied\n');
  });

const keys = program.command('keys').description('manage API keys directly in the database');
keys
  .command('create')
  .description('create a key and print it once')
  .addOption(new Option('--kind <kind>', 'key kind').choices(['admin', 'publisher', 'account']).makeOptionMandatory())
  .option('--account <id>', 'account id (account keys)')
  .option('--name <name>', 'a label for the key')
  .option('--database-url <url>', '(env HOOKD_DATABASE_URL)')
  .action(async (flags: { kind: 'admin' | 'publisher' | 'account'; account?: string; name?: string; databaseUrl?: string }) => {
    if ((flags.kind === 'account') !== (flags.account !== undefined)) {
      process.stderr.write('hookd: --account is required for account keys and only for them\n');
      process.exit(2);
    }
    const store = await prepareStore(configFrom({ databaseUrl: flags.databaseUrl }));
    const { key, clearKey } = await createApiKey(store, systemClock, {
      kind: flags.kind,
      accountId: flags.account ?? null,
      name: flags.name ?? null,
      expiresAt: null,
    });
    await store.close();
    process.stdout.write(`${clearKey}\n`);
    process.stderr.write(`hookd: created ${key.kind} key ${key.id}${key.accountId ? ` for account ${key.accountId}` : ''}\n`);
  });

program
  .command('secrets')
  .description('manage signing secrets at rest')
  .command('reseal')
  .description('rewrite every signing secret sealed with the current HOOKD_ENCRYPTION_KEY (after a key rotation, or to encrypt existing ones)')
  .option('--database-url <url>', '(env HOOKD_DATABASE_URL)')
  .action(async (flags: { databaseUrl?: string }) => {
    const config = configFrom({ databaseUrl: flags.databaseUrl });
    if (config.encryptionKey === null) {
      process.stderr.write('hookd: set HOOKD_ENCRYPTION_KEY (and HOOKD_ENCRYPTION_OLD_KEYS for keys being retired)\n');
      process.exit(2);
    }
    const store = await prepareStore(config);
    const resealed = await resealSecrets(store, systemClock);
    await store.close();
    process.stdout.write(`hookd: resealed the secrets of ${resealed} endpoints and the callback secret\n`);
  });

await program.parseAsync(process.argv);
