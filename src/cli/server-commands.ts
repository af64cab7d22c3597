import { Option, type Command } from 'commander';
import { CONFIG_KEYS, ConfigError, loadConfig, type Config } from '../config.js';
import { boundHeapGrowth } from '../heap.js';
import { StartupFailure } from '../startup-failure.js';
import { addSettingOptions, settingFlagsOf } from './setting-options.js';

// The commands that run hookd itself or work on its database directly: serve, migrate, keys,
// secrets, backup. The server and its store are imported only when one of them runs, so that the
// developer commands (listen, tail, events …) start without loading fastify and the drivers.

function configFrom(flags: Partial<Record<keyof Config, string>>): Config {
  return loadConfig(process.env, flags);
}

/**
 * Runs a command's action so that whatever stops it is one line on stderr and a non-zero exit: 2
 * for a bad setting, 1 for anything that kept hookd from running. An unforeseen error says its
 * message; its stack only with HOOKD_LOG_LEVEL=debug, as nobody operating hookd needs our paths.
 */
function explainingFailures<Args extends unknown[]>(action: (...args: Args) => Promise<void>): (...args: Args) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof ConfigError) fail(2, error.message);
      if (error instanceof StartupFailure) fail(1, error.message);
      const verbose = ['debug', 'trace'].includes(process.env.HOOKD_LOG_LEVEL ?? '');
      if (verbose) process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      fail(1, `stopped by an unexpected error: ${(error as Error).message?.split('\n')[0] ?? String(error)}${verbose ? '' : ' (HOOKD_LOG_LEVEL=debug shows where)'}`);
    }
  };
}

function fail(code: number, message: string): never {
  process.stderr.write(`hookd: ${message}\n`);
  process.exit(code);
}

const DATABASE_ONLY = ['databaseUrl'] as const;

async function openStore(config: Config) {
  const { prepareStore } = await import('../server.js');
  return prepareStore(config);
}

function registerServe(program: Command): void {
  const serve = program.command('serve').description('run the API and the delivery worker (each flag wins over its environment variable)');
  addSettingOptions(serve, CONFIG_KEYS);
  serve.action(explainingFailures(async () => {
    boundHeapGrowth();
    const config = configFrom(settingFlagsOf(serve, CONFIG_KEYS));
    const { startHookd } = await import('../server.js');
    const hookd = await startHookd(config);
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
  }));
}

function registerMigrate(program: Command): void {
  const migrate = addSettingOptions(program.command('migrate').description('apply database migrations and exit'), DATABASE_ONLY);
  migrate.action(
    explainingFailures(async () => {
      const store = await openStore(configFrom(settingFlagsOf(migrate, DATABASE_ONLY)));
      await store.close();
      process.stdout.write('hookd: migrations applied\n');
    }),
  );
}

function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage API keys directly in the database');
  const create = keys
    .command('create')
    .description('create a key and print it once')
    .addOption(new Option('--kind <kind>', 'key kind (required)').choices(['admin', 'publisher', 'account']).makeOptionMandatory())
    .addOption(new Option('--account <id>', 'account id (account keys only)').default(undefined, 'none'))
    .addOption(new Option('--name <name>', 'a label for the key').default(undefined, 'none'));
  addSettingOptions(create, DATABASE_ONLY).action(
    explainingFailures(async (flags: { kind: 'admin' | 'publisher' | 'account'; account?: string; name?: string }) => {
      if ((flags.kind === 'account') !== (flags.account !== undefined)) fail(2, '--account is required for account keys and only for them');
      const store = await openStore(configFrom(settingFlagsOf(create, DATABASE_ONLY)));
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
    }),
  );
}

function registerSecrets(program: Command): void {
  const reseal = program
    .command('secrets')
    .description('manage secrets at rest')
    .command('reseal')
    .description('seal every secret in the clear or under an old key with the current key (hookd serve also does it at start)');
  const settings = [...DATABASE_ONLY, 'encryptionKeyFile'] as const;
  addSettingOptions(reseal, settings).action(
    explainingFailures(async () => {
      const { resolveSealingKey } = await import('../encryption-key-file.js');
      const sealingKey = resolveSealingKey(configFrom(settingFlagsOf(reseal, settings)));
      if (sealingKey.config.encryptionKey === null) fail(2, 'set HOOKD_ENCRYPTION_KEY (and HOOKD_ENCRYPTION_OLD_KEYS for keys being retired)');
      const store = await openStore(sealingKey.config);
      try {
        const sealed = await store.sealStaleSecrets();
        process.stdout.write(`hookd: resealed the secrets of ${sealed.endpoints} endpoints, the callback secrets of ${sealed.accounts} accounts and ${sealed.settings} settings (the provider's callback secret)\n`);
      } finally {
        await store.close();
      }
    }),
  );
}

function registerBackup(program: Command): void {
  const backup = program
    .command('backup')
    .description('copy the SQLite database to a file, consistently, while hookd runs (PostgreSQL: use pg_dump, see the README)')
    .argument('<file>', 'where to write the copy (replaced if it exists)');
  const settings = [...DATABASE_ONLY, 'encryptionKeyFile'] as const;
  addSettingOptions(backup, settings).action(
    explainingFailures(async (file: string) => {
      const config = configFrom(settingFlagsOf(backup, settings));
      if (!config.databaseUrl.startsWith('sqlite:')) {
        fail(2, 'hookd backup copies SQLite databases; back PostgreSQL up with pg_dump (see "Backups" in the README)');
      }
      const source = config.databaseUrl.replace(/^sqlite:(\/\/)?/, '');
      const [{ backupSqlite }, { defaultEncryptionKeyFile }] = await Promise.all([import('../maintenance/sqlite-backup.js'), import('../encryption-key-file.js')]);
      const started = Date.now();
      const { bytes } = await backupSqlite(source, file);
      process.stdout.write(`hookd: backed up ${source} to ${file} (${(bytes / 1_048_576).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      // The copy is useless without the key its secrets are sealed with, which it does not hold.
      const key = config.encryptionKey !== null ? 'HOOKD_ENCRYPTION_KEY' : (config.encryptionKeyFile ?? defaultEncryptionKeyFile(source));
      process.stdout.write(`hookd: its secrets are sealed with ${key}, which the copy does not hold: keep a copy of it too, apart from the backups\n`);
    }),
  );
}

export function registerServerCommands(program: Command): void {
  registerServe(program);
  registerMigrate(program);
  registerKeys(program);
  registerSecrets(program);
  registerBackup(program);
}
