import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './hookd-process.js';

// A PostgreSQL server of its own (initdb in a temp directory, a free port on 127.0.0.1): for a test
// that stops and starts the database under load without touching the machine's server, and for a
// bench run on a server configured as a production install would be (run.ts, --own-postgres).
// PostgreSQL refuses to run as root: when run as root, its commands run as `postgres`.

const BIN = `/usr/lib/postgresql/${process.env.HOOKD_TEST_PG_VERSION ?? '15'}/bin`;

function asPostgres(command: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', `${BIN}/${command}`, ...args]] : [`${BIN}/${command}`, args];
  execFileSync(file, argv, { stdio: 'pipe' });
}

export interface OwnPostgres {
  url: string;
  start(): void;
  /** A fast shutdown: connections are cut, as in a crash of the database. */
  stop(): void;
  destroy(): void;
}

/** `settings` are passed as `-c name=value` at each start (a test's `fsync=off`, the bench's autovacuum). */
export async function startOwnPostgres(settings: Record<string, string> = {}): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    chownSync(dir, uid, uid);
  }
  const port = await freePort();
  const data = join(dir, 'data');
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = [`-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`)].join(' ');
  const own: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']),
    stop: () => asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    destroy: () => {
      try {
        own.stop();
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  own.start();
  return own;
}
