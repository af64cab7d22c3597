import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Config } from '../config.js';
import { packageRoot } from '../paths.js';
import { ApiError, sendError } from './errors.js';

// The web dashboard (`/`) and the customer portal (`/portal`): one single-page app built by
// `npm run build` into packages/web/dist, served from this node so there is no second server.
// Paths that belong to the API keep their JSON answers, 404s included; any other GET that is not
// a built file gets the app's index.html, whose client-side router shows the page.

/** Where packages/web's build puts the app. */
export const WEB_ROOT = join(packageRoot, 'packages', 'web', 'dist');

/** Paths that are never the app's, whatever follows them: their misses stay JSON 404s. */
const API_PREFIXES = ['/v1', '/docs', '/openapi.json', '/health', '/ready', '/metrics'];

/**
 * Everything the app needs comes from this origin: scripts, styles, API calls. No inline code, no
 * CDN, no external fonts. Theme colours are set through the CSSOM, which style-src does not govern.
 */
const CONTENT_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix + '/'));
}

function isPortalPath(path: string): boolean {
  return path === '/portal' || path.startsWith('/portal/');
}

/** The built files by URL path (`/assets/index-3f2a.js`), read once: nothing else can be served. */
function builtFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.set('/' + relative(root, full).split(sep).join('/'), relative(root, full));
    }
  };
  if (existsSync(root)) walk(root);
  return files;
}

export async function webRoutes(app: FastifyInstance, config: Config, root: string = WEB_ROOT): Promise<void> {
  const files = builtFiles(root);
  const built = files.has('/index.html');
  if (built) await app.register(fastifyStatic, { root, serve: false, index: false, cacheControl: false });

  function sendApp(path: string, reply: FastifyReply): FastifyReply {
    const portal = isPortalPath(path);
    // The portal is made to be embedded in the provider's own product; the dashboard, which holds
    // an admin key, must never be framed (clickjacking).
    const frameAncestors = portal ? config.portalFrameAncestors : "'none'";
    reply
      .header('content-security-policy', `${CONTENT_POLICY}; frame-ancestors ${frameAncestors}`)
      .header('cache-control', 'no-cache');
    if (!portal) reply.header('x-frame-options', 'DENY').header('cross-origin-opener-policy', 'same-origin');
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  }

  app.addHook('onSend', async (request, reply) => {
    if (!isApiPath(request.url.split('?')[0]!)) {
      reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    }
  });

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (isApiPath(path)) return reply.callNotFound();
    if (!built) {
      return sendError(reply, new ApiError('not_found', 'the web dashboard is not built: run npm run build'));
    }
    const file = files.get(path);
    if (file === 'index.html') return sendApp(path, reply);
    if (file !== undefined) {
      // Vite puts a content hash in every name under assets/: they never change once served.
      reply.header('cache-control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.sendFile(file);
    }
    // A missing file (a stale asset name, /robots.txt) is a 404, not the app. The app's own pages
    // are fixed words at the top level; deeper paths carry ids and event type names, which may
    // contain dots (`/catalog/invoice.paid`), so only a top-level name with a dot counts as a file.
    if (path.startsWith('/assets/') || /^\/[^/]*\.[^/]*$/.test(path)) return reply.callNotFound();
    return sendApp(path, reply);
  });
}
