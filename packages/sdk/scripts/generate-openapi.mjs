#!/usr/bin/env node
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderOpenApiTypes } from './openapi-types.mjs';

// Regenerates src/openapi.ts from hookd's /openapi.json.
//
//   npm run generate -w @hookd/sdk                 starts the built hookd of this repository on a
//                                                  loopback port with a throwaway database
//   npm run generate -w @hookd/sdk -- <url|file>   reads a running server's /openapi.json or a file

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, '..', 'src', 'openapi.ts');

async function fromRepositoryServer() {
  const repositoryRoot = join(here, '..', '..', '..');
  const { loadConfig } = await import(join(repositoryRoot, 'dist/src/config.js'));
  const { startHookd } = await import(join(repositoryRoot, 'dist/src/server.js'));
  const dir = mkdtempSync(join(tmpdir(), 'hookd-openapi-'));
  const config = loadConfig({
    HOOKD_PORT: '0',
    HOOKD_HOST: '127.0.0.1',
    HOOKD_DATABASE_URL: `sqlite:${join(dir, 'hookd.db')}`,
    HOOKD_ADMIN_KEY: 'hk_admin_openapi_generation_only',
    HOOKD_LOG_LEVEL: 'silent',
  });
  const hookd = await startHookd(config, { print: () => undefined });
  try {
    return await (await fetch(`${hookd.url}/openapi.json`)).json();
  } finally {
    await hookd.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function load(source) {
  if (source === undefined) return fromRepositoryServer();
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`GET ${source}: ${response.status}`);
    return response.json();
  }
  return JSON.parse(readFileSync(source, 'utf8'));
}

const document = await load(process.argv[2]);
writeFileSync(target, await renderOpenApiTypes(document));
process.stdout.write(`wrote ${target}\n`);
