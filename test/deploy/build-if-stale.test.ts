import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// `npm start` builds only when the build is missing or older than its sources
// (scripts/build-if-stale.mjs). Checked on a tree of its own, never on the repository's files.

const run = promisify(execFile);
const tree = mkdtempSync(join(tmpdir(), 'hookd-build-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

const check = async () =>
  (await run(process.execPath, ['scripts/build-if-stale.mjs', '--check'], { env: { ...process.env, HOOKD_BUILD_ROOT: tree } })).stdout.trim();
const write = (path: string, at: Date) => {
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  writeFileSync(join(tree, path), '');
  utimesSync(join(tree, path), at, at);
};

describe('building before a start only when needed', () => {
  const sourcesAt = new Date('2026-01-01T10:00:00Z');
  const builtAt = new Date('2026-01-01T11:00:00Z');

  it('builds a tree never built', async () => {
    write('src/main.ts', sourcesAt);
    expect(await check()).toBe('stale: dist/src/main.js is missing');
  });

  it('skips the build when every output is there and no source changed since the last build', async () => {
    for (const output of ['dist/src/main.js', 'packages/sdk/dist/index.js', 'packages/web/dist/index.html']) write(output, builtAt);
    expect(await check()).toBe('stale: no record of a complete build');
    write('dist/.build-stamp', builtAt);
    utimesSync(join(tree, 'src'), sourcesAt, sourcesAt);
    expect(await check()).toBe('up to date');
  });

  it('builds again when a source of the server or of the web app changed, or an output went missing', async () => {
    write('packages/web/src/App.tsx', new Date(builtAt.getTime() + 1_000));
    expect(await check()).toBe('stale: packages/web/src changed since the last build');
    unlinkSync(join(tree, 'packages/web/src/App.tsx'));
    utimesSync(join(tree, 'packages/web/src'), sourcesAt, sourcesAt);
    expect(await check()).toBe('up to date');
    unlinkSync(join(tree, 'packages/web/dist/index.html'));
    expect(await check()).toBe('stale: packages/web/dist/index.html is missing');
  });
});
