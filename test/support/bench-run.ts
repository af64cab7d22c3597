import { execFile } from 'node:child_process';
import { packageRoot } from '../../src/paths.js';
import { POSTGRES_ADMIN_URL } from './postgres.js';

// The bench run end to end as a user runs it (`npm run bench -- …`), for the tests of its scenarios.

export interface BenchRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runBench(args: string[], timeoutMs = 230_000): Promise<BenchRun> {
  // The bench passes its HOOKD_* variables to hookd as settings: the tests' own stay out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HOOKD_')));
  return new Promise((resolve) => {
    execFile('npm', ['run', 'bench', '--silent', '--', ...args], { cwd: packageRoot, env: { ...env, HOOKD_BENCH_POSTGRES_URL: POSTGRES_ADMIN_URL }, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}
