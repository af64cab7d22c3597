// `npm start` and `npm pack` build first, but only when the build is missing or older than its
// sources: a fresh clone builds once (`npm ci && npm start`), a restart with nothing changed starts
// at once instead of spending 12–15 s in tsc and vite. Production runs the built server directly
// (`hookd serve`, `node dist/src/main.js serve`) and never needs this.
// `--check` only prints whether a build is needed and why (HOOKD_BUILD_ROOT: another tree, for its test).
// `npm run build` always builds but writes no stamp: the next `npm start` builds once more.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.HOOKD_BUILD_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
// Written after a successful build, holding the time the build STARTED: a file saved during a
// build is newer, so the next start builds again.
const STAMP = join(root, 'dist', '.build-stamp');
const OUTPUTS = ['dist/src/main.js', 'packages/sdk/dist/index.js', 'packages/web/dist/index.html'];
const INPUTS = [
  'src',
  'migrations',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'packages/sdk/src',
  'packages/sdk/package.json',
  'packages/sdk/tsconfig.json',
  'packages/web/src',
  'packages/web/public',
  'packages/web/index.html',
  'packages/web/package.json',
  'packages/web/tsconfig.json',
  'packages/web/vite.config.ts',
];

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file shows as its folder's change
  for (const entry of readdirSync(path)) {
    if (entry !== 'node_modules') newest = Math.max(newest, newestChange(join(path, entry)));
  }
  return newest;
}

/** Why a build is needed, or null when the build is up to date. */
function staleBecause() {
  const missing = OUTPUTS.find((output) => !existsSync(join(root, output)));
  if (missing) return `${missing} is missing`;
  if (!existsSync(STAMP)) return 'no record of a complete build';
  const builtAt = statSync(STAMP).mtimeMs;
  const changed = INPUTS.find((input) => newestChange(join(root, input)) > builtAt);
  return changed ? `${changed} changed since the last build` : null;
}

const reason = staleBecause();
if (process.argv.includes('--check')) {
  process.stdout.write(reason ? `stale: ${reason}\n` : 'up to date\n');
} else if (reason) {
  process.stderr.write(`hookd: building (${reason})\n`);
  const startedAt = new Date();
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status || 1);
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, startedAt.toISOString() + '\n');
  utimesSync(STAMP, startedAt, startedAt);
}
