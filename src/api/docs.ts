import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { INIT_SCRIPT, LOGO_SVG, PAGE_HTML, STYLESHEET } from './docs-page.js';

// GET /docs: the API reference, hookd-branded, every file of it served by hookd (see docs-page.ts).
// Public like /openapi.json, which it renders: the reference holds no secrets.

/** Redoc's self-contained browser bundle, from the npm package: no CDN. */
export const REDOC_BUNDLE = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');

/**
 * The one address of another origin the bundle loads: the Redocly logo beside "API docs by
 * Redocly" in the sidebar. It is served pointing at an empty image instead, which Redoc drops when
 * it fails to show (keeping the credit's text), so the page asks nothing of Redocly's CDN.
 */
export const REDOC_CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';

function redocBundle(): Buffer {
  return Buffer.from(readFileSync(REDOC_BUNDLE, 'utf8').split(REDOC_CDN_LOGO).join('data:,'));
}

/**
 * Only this origin, as for the dashboard, with what Redoc needs besides: styles it injects at run
 * time (styled-components) and its search index, built in a worker started from a blob.
 */
const CONTENT_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function withHeaders(reply: FastifyReply, type: string, cacheControl: string): FastifyReply {
  return reply
    .type(type)
    .header('cache-control', cacheControl)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
}

export const docsRoutes: FastifyPluginAsync = async (app) => {
  // Read on the first request for it: a node that only serves the API never holds its megabyte.
  let redoc: Buffer | undefined;
  const hidden = { schema: { hide: true } };

  app.get('/docs', hidden, async (_request, reply) =>
    withHeaders(reply, 'text/html; charset=utf-8', 'no-cache')
      .header('content-security-policy', CONTENT_POLICY)
      .header('x-frame-options', 'DENY')
      .send(PAGE_HTML),
  );
  // Where the previous reference (Swagger UI) lived: old bookmarks still land on the reference.
  app.get('/docs/', hidden, async (_request, reply) => reply.redirect('/docs', 301));

  // Not content-hashed names: cached for an hour, so an upgrade shows within one.
  const asset = 'public, max-age=3600';
  app.get('/docs/redoc.standalone.js', hidden, async (_request, reply) =>
    withHeaders(reply, 'application/javascript; charset=utf-8', asset).send((redoc ??= redocBundle())),
  );
  app.get('/docs/init.js', hidden, async (_request, reply) =>
    withHeaders(reply, 'application/javascript; charset=utf-8', asset).send(INIT_SCRIPT),
  );
  app.get('/docs/docs.css', hidden, async (_request, reply) => withHeaders(reply, 'text/css; charset=utf-8', asset).send(STYLESHEET));
  app.get('/docs/hookd.svg', hidden, async (_request, reply) => withHeaders(reply, 'image/svg+xml', asset).send(LOGO_SVG));
};
