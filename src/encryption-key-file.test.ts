import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from './config.js';
import { resolveSealingKey } from './encryption-key-file.js';
import { StartupFailure } from './startup-failure.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-key-file-'));
  dirs.push(dir);
  return dir;
}

const config = (overrides: Partial<Config>): Config => ({ ...DEFAULT_CONFIG, ...overrides });

describe('resolveSealingKey', () => {
  it('SQLite: creates a 0600 key file beside the database (and its directory), then reads the same key', () => {
    const dir = join(scratch(), 'new-dir');
    const first = resolveSealingKey(config({ databaseUrl: `sqlite:${dir}/hookd.db` }));
    expect(first.source).toBe('file-created');
    expect(first.file).toBe(join(dir, 'hookd-encryption-key'));
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    expect(Buffer.from(first.config.encryptionKey!, 'base64')).toHaveLength(32);
    const second = resolveSealingKey(config({ databaseUrl: `sqlite:${dir}/hookd.db` }));
    expect(second).toMatchObject({ source: 'file-read', config: { encryptionKey: first.config.encryptionKey } });
  });

  it('HOOKD_ENCRYPTION_KEY wins, and HOOKD_ENCRYPTION_KEY_FILE moves the file', () => {
    const dir = scratch();
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(resolveSealingKey(config({ databaseUrl: `sqlite:${dir}/hookd.db`, encryptionKey: key }))).toMatchObject({ source: 'configured', file: null });
    const file = join(dir, 'keys', 'sealing.key');
    const made = resolveSealingKey(config({ databaseUrl: `sqlite:${dir}/hookd.db`, encryptionKeyFile: file }));
    expect(made.file).toBe(file);
    expect(readFileSync(file, 'utf8').trim()).toBe(made.config.encryptionKey);
  });

  it('refuses a key file that does not hold a key, naming it', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'hookd-encryption-key'), 'not a key\n');
    expect(() => resolveSealingKey(config({ databaseUrl: `sqlite:${dir}/hookd.db` }))).toThrow(/encryption key file .*hookd-encryption-key does not hold/);
  });

  it('PostgreSQL: no key is a start-up failure naming HOOKD_ENCRYPTION_KEY, unless plaintext is asked for', () => {
    const databaseUrl = 'postgres://hookd@127.0.0.1:5432/hookd';
    expect(() => resolveSealingKey(config({ databaseUrl }))).toThrow(StartupFailure);
    expect(() => resolveSealingKey(config({ databaseUrl }))).toThrow(/^set HOOKD_ENCRYPTION_KEY /);
    expect(resolveSealingKey(config({ databaseUrl, insecurePlaintextSecrets: true }))).toMatchObject({ source: 'none', config: { encryptionKey: null } });
  });

  it('an in-memory SQLite database gets a key for this process alone, in no file', () => {
    const sealing = resolveSealingKey(config({ databaseUrl: 'sqlite::memory:' }));
    expect(sealing).toMatchObject({ source: 'in-memory', file: null });
    expect(Buffer.from(sealing.config.encryptionKey!, 'base64')).toHaveLength(32);
  });
});
