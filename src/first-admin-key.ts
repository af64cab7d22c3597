import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { StartupFailure } from './startup-failure.js';

// Where the admin key generated on the first start of an empty database goes. It is the one
// credential hookd ever prints, so it must reach the person starting hookd and nothing else: a
// terminal when there is one (stderr, which no log collector reads when a person is watching), or
// else a file only this user can read, whose path — never the key — is logged. Logs go to stores
// that many people can read; a key in them is a leaked key.

const MESSAGE = (key: string) => `hookd: created the first admin key (shown once, keep it safe):\n\n  ${key}\n`;

export type AdminKeyOutlet = (key: string) => void;

/** `hookd-admin-key` beside the SQLite file, or in the working directory on PostgreSQL. */
export function defaultAdminKeyFile(databaseUrl: string): string {
  const sqlitePath = databaseUrl.startsWith('sqlite:') ? databaseUrl.replace(/^sqlite:(\/\/)?/, '') : ':memory:';
  return sqlitePath === ':memory:' ? resolve('hookd-admin-key') : join(dirname(resolve(sqlitePath)), 'hookd-admin-key');
}

/**
 * Opens the way out before the key is made, so that an unwritable key file stops the start with no
 * key stored (a stored key nobody ever saw would also stop the next start from making one).
 */
export function openAdminKeyOutlet(config: Config, log: Logger, stderr: NodeJS.WriteStream = process.stderr): AdminKeyOutlet {
  if (stderr.isTTY === true) return (key) => void stderr.write(MESSAGE(key) + '\n');
  const path = config.adminKeyFile ?? defaultAdminKeyFile(config.databaseUrl);
  let fd: number;
  try {
    fd = openSync(path, 'w', 0o600);
    // The mode above applies only to a file created now; an existing one is narrowed too.
    fchmodSync(fd, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupFailure(
      `cannot write the first admin key to ${path} (${code}): set HOOKD_ADMIN_KEY_FILE (--admin-key-file) to a writable path, or set HOOKD_ADMIN_KEY`,
    );
  }
  return (key) => {
    try {
      writeSync(fd, `${key}\n`);
    } finally {
      closeSync(fd);
    }
    log.warn({ path }, 'created the first admin key and wrote it to a file only this user can read: copy it somewhere safe, then delete the file');
  };
}

/** For tests and embedders that take the key themselves. */
export function printingOutlet(print: (line: string) => void): AdminKeyOutlet {
  return (key) => print(MESSAGE(key));
}
