import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from './config.js';
import { parseEncryptionKey, SecretBoxError } from './domain/secret-box.js';
import { databaseFailure, StartupFailure } from './startup-failure.js';

// Secrets are sealed by default. An SQLite install is one machine and one directory, so the key it
// needs is generated on the first start into a file beside the database, readable by this user
// only, and read by every later start: a stolen copy of the database alone opens nothing. A
// PostgreSQL install has several nodes and no shared directory, so its key must be given
// (HOOKD_ENCRYPTION_KEY); starting without one is refused unless plaintext is asked for by name.

const KEY_SETTING = 'HOOKD_ENCRYPTION_KEY';
const FILE_SETTING = 'HOOKD_ENCRYPTION_KEY_FILE (--encryption-key-file)';

export type SealingKeySource = 'configured' | 'file-read' | 'file-created' | 'in-memory' | 'none';

export interface SealingKey {
  /** The configuration with encryptionKey set to the key to seal with (null: plaintext, as asked). */
  config: Config;
  source: SealingKeySource;
  /** The key file read or created, for the start-up log (never the key). */
  file: string | null;
}

function sqlitePathOf(databaseUrl: string): string | null {
  return databaseUrl.startsWith('sqlite:') ? databaseUrl.replace(/^sqlite:(\/\/)?/, '') : null;
}

/** `hookd-encryption-key` beside the SQLite file. */
export function defaultEncryptionKeyFile(sqlitePath: string): string {
  return join(dirname(resolve(sqlitePath)), 'hookd-encryption-key');
}

function readKeyFile(path: string): string {
  const text = readFileSync(path, 'utf8').trim();
  try {
    parseEncryptionKey(text, path);
  } catch (error) {
    if (error instanceof SecretBoxError) {
      throw new StartupFailure(`the encryption key file ${path} does not hold the base64 of 32 bytes: restore it from your backup, or point ${FILE_SETTING} at the right file`);
    }
    throw error;
  }
  return text;
}

/** Creates the key file with a new key, or reads the one another process created first. */
function createOrReadKeyFile(path: string): { key: string; created: boolean } {
  const key = randomBytes(32).toString('base64');
  let fd: number;
  try {
    // 'wx': never replace an existing key; mode 0600 from the first byte.
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { key: readKeyFile(path), created: false };
    throw error;
  }
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${key}\n`);
  } finally {
    closeSync(fd);
  }
  return { key, created: true };
}

/** The first start: a new key file, in a directory made if need be (as the database's would be). */
function createKeyFile(file: string, config: Config): { key: string; created: boolean } {
  try {
    mkdirSync(dirname(file), { recursive: true });
    return createOrReadKeyFile(file);
  } catch (error) {
    if (error instanceof StartupFailure) throw error;
    // Beside the database, the key file fails where the database would: said of the database.
    if (config.encryptionKeyFile === null) throw databaseFailure(error, config.databaseUrl);
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupFailure(`cannot write the encryption key to ${file} (${code}): set ${FILE_SETTING} to a writable path, or set ${KEY_SETTING}`);
  }
}

/**
 * The key to seal secrets with: HOOKD_ENCRYPTION_KEY when set; on SQLite the key file's (created on
 * the first start); on PostgreSQL none only with HOOKD_INSECURE_PLAINTEXT_SECRETS, else a
 * StartupFailure naming HOOKD_ENCRYPTION_KEY.
 */
export function resolveSealingKey(config: Config): SealingKey {
  if (config.encryptionKey !== null) return { config, source: 'configured', file: null };
  const sqlitePath = sqlitePathOf(config.databaseUrl);
  if (sqlitePath === null) {
    if (config.insecurePlaintextSecrets) return { config, source: 'none', file: null };
    throw new StartupFailure(
      `set ${KEY_SETTING} (openssl rand -base64 32, the same on every node) to seal secrets in PostgreSQL, or HOOKD_INSECURE_PLAINTEXT_SECRETS=true to store them in the clear`,
    );
  }
  // An in-memory database keeps nothing at rest: a key for this process alone.
  if (sqlitePath === ':memory:') return { config: { ...config, encryptionKey: randomBytes(32).toString('base64') }, source: 'in-memory', file: null };
  const file = config.encryptionKeyFile ?? defaultEncryptionKeyFile(sqlitePath);
  let found: { key: string; created: boolean };
  try {
    found = { key: readKeyFile(file), created: false };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof StartupFailure) throw error;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new StartupFailure(`cannot read the encryption key file ${file} (${code ?? (error as Error).message}): fix its permissions or ${FILE_SETTING}`);
    }
    found = createKeyFile(file, config);
  }
  return { config: { ...config, encryptionKey: found.key }, source: found.created ? 'file-created' : 'file-read', file };
}
