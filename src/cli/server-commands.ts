import { Option, type Command } from 'commander';
import { CONFIG_KEYS, ConfigError, envNameOf, flagNameOf, loadConfig, type Config } from '../config.js';
import { boundHeapGrowth } from '../heap.js';

// The commands that run hookd itself or work on its database directly: serve, migrate, keys,
// secrets. The server and its store are imported only when one of them runs, so that the
// developer commands (listen, tail, events …) start without loading fastify and the drivers.

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

async function openStore(config: Config) {
  const { prepareStore } = await import('../server.js');
  return prepareStore(config);
}

function registerServe(program: Command): void {
  const serve = program.command('serve').description('run the API and the delivery worker');
  for (const key of CONFIG_KEYS) {
    serve.addOption(new Option(`--${flagNameOf(key)} <value>`, `(env ${envNameOf(key)})`));
  }
  serve.action(async (flags: Record<string, string | undefined>) => {
    boundHeapGrowth();
    const config = configFrom(flags);
    const { startHookd } = await import('../server.js');
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
}

function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations and exit')
    .option('--database-url <url>', '(env HOOKD_DATABASE_URL)')
    .action(async (flags: { databaseUrl?: string }) => {
      const store = await openStore(configFrom({ databaseUrl: flags.databaseUrl }));
      await store.close();
      process.stdout.write('hookd: migrations applied\n');
    });
}

function registerKeys(program: Command): void {
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
      const store = await openStore(configFrom({ databaseUrl: flags.databaseUrl }));
      const [{ createApiKey }, { systemClock }] = await Promise.all([import('../api/keys.js'), import('../domain/clock.js')]);
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
}

function registerSecrets(program: Command): void {
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
      const store = await openStore(config);
      const [{ resealSecrets }, { systemClock }] = await Promise.all([import('../maintenance/reseal.js'), import('../domain/clock.js')]);
      const resealed = await resealSecrets(store, systemClock);
      await store.close();
      process.stdout.write(`hookd: resealed the secrets of ${resealed} endpoints and the callback secret\n`);
    });
}

export function registerServerCommands(program: Command): void {
  registerServe(program);
  registerMigrate(program);
  registerKeys(program);
  registerSecrets(program);
}
