import { readFileSync } from 'node:fs';
import { beforeAll } from 'vitest';
import { makeTestCertificates, type TestCertificates } from './certificates.js';
import type { Receiver } from './receiver.js';
import { useReceiverAndDirectory } from './receiver-and-directory.js';

// What the tests of secrets at rest share: reading an SQLite database as an attacker who stole
// its files would, and the receiver, client certificate and directory their endpoints need.

/**
 * The SQLite database file and its WAL as one text, to grep for secrets: latin1 keeps every byte
 * as one character, so a secret written in the clear is found wherever it lies. A missing WAL
 * (checkpointed with TRUNCATE, or never written) reads as empty.
 */
export function sqliteFileText(dbPath: string): string {
  return readFileSync(dbPath).toString('latin1') + readFileSync(`${dbPath}-wal`, { flag: 'a+' }).toString('latin1');
}

export interface SecretsScene {
  receiver: Receiver;
  /** A client certificate and key for `mtls` auth: the key is one of the secrets looked for. */
  certs: TestCertificates;
  /** A temporary directory for database and key files. */
  dir: string;
}

/** Registers, in the calling `describe`, a scene started before its tests and removed after them. */
export function useSecretsScene(): SecretsScene {
  const scene = useReceiverAndDirectory() as SecretsScene;
  beforeAll(async () => {
    scene.certs = await makeTestCertificates();
  });
  return scene;
}
