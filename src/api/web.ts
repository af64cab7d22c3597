import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Config } from '../config.js';
import { packageRoot } from '../paths.js';
import { ApiError, sendError } from './errors.js';

// The web dashboard (`/`) and the customer portal (`/portal`): one single-page app built by
// `npm run build` into packages/web/dist, served from this node so there is no second server.
// Only the app's own paths are routed here — its pages (answered with index.html, whose
// client-side router shows the page) and its built files. Every other path, /v1 and the rest of
// the API included, keeps exactly the answers it had: its JSON 404s, its 414s.

/** Where packages/web's build puts the app. */
export const WEB_ROOT = join(packageRoot, 'packages', 'web', 'dist');

/** The first path segments of the app's pages (packages/web/src/DashboardApp.tsx, PortalApp.tsx). */
const PAGE_SECTIONS = ['endpoints', 'deliveries', 'events', 'catalog', 'accounts', 'keys', 'operations', 'portal'];

/**
 * What the portal shows customers, from the operator's configuration (HOOKD_PORTAL_*): its name,
 * logo and accent, and which catalog types it lists. Public: the sign-in page needs it before any
 * key, and none of it is secret.
 */
export const PORTAL_SETTINGS_PATH = '/portal/settings.json';

/**
 * Everything the app needs comes from this origin: scripts, styles, API calls. No inline code, no
 * CDN, no external fonts. Theme colours are set through the CSSOM, which style-src does not govern.
 */
const contentPolicy = (extraImageSource: string | null): string => [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // The operator's portal logo may live on another origin (a CDN): only that image origin is added.
  `img-src 'self' data:${extraImageSource === null ? '' : ' ' + extraImageSource}`,
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

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

function commonHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
}

export interface WebRoutesOptions {
  config: Pick<Config, 'portalFrameAncestors' | 'portalName' | 'portalLogoUrl' | 'portalAccent' | 'portalEventTypes'>;
  /** Where the built app is; packages/web's build unless a test points elsewhere. */
  root?: string;
}

export const webRoutes: FastifyPluginAsync<WebRoutesOptions> = async (app, { config, root = WEB_ROOT }) => {
  const files = builtFiles(root);
  const built = files.has('/index.html');
  if (built) await app.register(fastifyStatic, { root, serve: false, index: false, cacheControl: false });

  function sendApp(path: string, reply: FastifyReply): FastifyReply {
    if (!built) return sendError(reply, new ApiError('not_found', 'the web dashboard is not built: run npm run build'));
    const portal = path === '/portal' || path.startsWith('/portal/');
    // The portal is made to be embedded in the provider's own product; the dashboard, which holds
    // an admin key, must never be framed (clickjacking).
    const frameAncestors = portal ? config.portalFrameAncestors : "'none'";
    const logoOrigin = portal && config.portalLogoUrl !== null ? new URL(config.portalLogoUrl).origin : null;
    commonHeaders(reply)
      .header('content-security-policy', `${contentPolicy(logoOrigin)}; frame-ancestors ${frameAncestors}`)
      .header('cache-control', 'no-cache');
    if (!portal) reply.header('x-frame-options', 'DENY').header('cross-origin-opener-policy', 'same-origin');
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  }

  const page = { schema: { hide: true } };
  app.get(PORTAL_SETTINGS_PATH, page, async (_request, reply) =>
    commonHeaders(reply)
      .header('cache-control', 'no-cache')
      .send({ name: config.portalName, logoUrl: config.portalLogoUrl, accent: config.portalAccent, eventTypes: config.portalEventTypes }),
  );
  const pagePaths = ['/', '/index.html', ...PAGE_SECTIONS.flatMap((section) => [`/${section}`, `/${section}/*`])];
  for (const path of pagePaths) {
    app.get(path, page, async (request, reply) => sendApp(request.url.split('?')[0]!, reply));
  }

  // Vite puts a content hash in every name under assets/: they never change once served. A name
  // that is not in the build (a stale page asking for an old asset) is a 404.
  app.get('/assets/*', page, async (request, reply) => {
    const file = files.get(request.url.split('?')[0]!);
    if (file === undefined) return reply.callNotFound();
    return commonHeaders(reply).header('cache-control', 'public, max-age=31536000, immutable').sendFile(file);
  });
  // Top-level files of the build (the icon).
  for (const [path, file] of files) {
    if (path === '/index.html' || path.startsWith('/assets/')) continue;
    app.get(path, page, async (_request, reply) => commonHeaders(reply).header('cache-control', 'no-cache').sendFile(file));
  }
};
