import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { EndpointAuth } from './types.js';
import { checkUrlOnSave } from './url-guard.js';

// How hookd authenticates to a receiver (an endpoint's `auth`): which field of each kind is its
// secret, what the API shows of it, the checks made on save, and the pure parts of OAuth 2.0
// client credentials. Pure: the sender and the token cache do the I/O.

export type AuthType = EndpointAuth['type'];

/** Each kind's one secret: write-only in the API, sealed at rest, never logged. */
export const AUTH_SECRET_FIELDS = { basic: 'password', bearer: 'token', oauth2: 'clientSecret', mtls: 'keyPem' } as const satisfies Record<
  AuthType,
  string
>;

type SecretFieldOf<A extends EndpointAuth> = (typeof AUTH_SECRET_FIELDS)[A['type']];

/** An auth object as the API shows it: the secret field left out. */
export type AuthView = EndpointAuth extends infer A ? (A extends EndpointAuth ? Omit<A, SecretFieldOf<A>> : never) : never;

/** An auth object as a client sends it: the secret may be left out to keep the stored one. */
export type AuthInput = EndpointAuth extends infer A
  ? A extends EndpointAuth
    ? Omit<A, SecretFieldOf<A>> & Partial<Pick<A, SecretFieldOf<A> & keyof A>>
    : never
  : never;

export function secretFieldOf(type: AuthType): string {
  return AUTH_SECRET_FIELDS[type];
}

export function authSecret(auth: EndpointAuth): string {
  return (auth as unknown as Record<string, string>)[secretFieldOf(auth.type)]!;
}

/** A copy with the secret changed by `change` (sealing, opening). */
export function mapAuthSecret(auth: EndpointAuth, change: (secret: string) => string): EndpointAuth {
  return { ...auth, [secretFieldOf(auth.type)]: change(authSecret(auth)) } as EndpointAuth;
}

export function authView(auth: EndpointAuth): AuthView {
  const view: Record<string, unknown> = { ...auth };
  delete view[secretFieldOf(auth.type)];
  return view as AuthView;
}

export interface AuthProblem {
  /** JSON pointer in the endpoint's body. */
  field: string;
  message: string;
  /** The URL guard's refusal is a 422 like the endpoint URL's; everything else a 400. */
  urlNotAllowed?: boolean;
}

/**
 * The auth to store: `undefined` keeps what is stored (PATCH without `auth`); an object without its
 * secret keeps the stored secret when the kind is the same, and is a problem otherwise.
 */
export function resolveAuth(input: AuthInput | null | undefined, existing: EndpointAuth | null): EndpointAuth | null | AuthProblem {
  if (input === undefined) return existing;
  if (input === null) return null;
  const field = secretFieldOf(input.type);
  const given = (input as Record<string, unknown>)[field];
  if (given !== undefined) return input as EndpointAuth;
  if (existing === null || existing.type !== input.type) return { field: `/auth/${field}`, message: `is required for ${input.type}` };
  return { ...input, [field]: authSecret(existing) } as EndpointAuth;
}

export function isAuthProblem(value: EndpointAuth | null | AuthProblem): value is AuthProblem {
  return value !== null && 'field' in value;
}

/** What the schema cannot check: the token URL's guard, that PEMs parse and match, mtls over https. */
export function authProblems(auth: EndpointAuth, endpointUrl: string, options: { allowPrivateUrls: boolean }): AuthProblem[] {
  switch (auth.type) {
    case 'basic':
      // RFC 7617: the user-id is what comes before the first colon.
      return auth.username.includes(':') ? [{ field: '/auth/username', message: 'must not contain a colon' }] : [];
    case 'bearer':
      return [];
    case 'oauth2': {
      const url = checkUrlOnSave(auth.tokenUrl, { allowPrivate: options.allowPrivateUrls });
      if (url.ok) return [];
      return [{ field: '/auth/tokenUrl', message: url.reason, urlNotAllowed: url.code === 'url_not_allowed' }];
    }
    case 'mtls':
      return mtlsProblems(auth, endpointUrl);
  }
}

function mtlsProblems(auth: Extract<EndpointAuth, { type: 'mtls' }>, endpointUrl: string): AuthProblem[] {
  const problems: AuthProblem[] = [];
  // A client certificate is presented in a TLS handshake: over plain http it would never be sent.
  if (!endpointUrl.toLowerCase().startsWith('https:')) problems.push({ field: '/auth/type', message: 'mtls needs an https URL' });
  const certificate = parseCertificate(auth.certPem);
  if (certificate === null) problems.push({ field: '/auth/certPem', message: 'is not a PEM certificate' });
  let key: KeyObject | null = null;
  try {
    key = createPrivateKey(auth.keyPem);
  } catch {
    problems.push({ field: '/auth/keyPem', message: 'is not an unencrypted PEM private key' });
  }
  if (certificate !== null && key !== null && !certificate.checkPrivateKey(key)) {
    problems.push({ field: '/auth/keyPem', message: 'does not match certPem' });
  }
  if (auth.caPem !== undefined && parseCertificate(auth.caPem) === null) {
    problems.push({ field: '/auth/caPem', message: 'is not a PEM certificate' });
  }
  return problems;
}

function parseCertificate(pem: string): X509Certificate | null {
  try {
    return new X509Certificate(pem);
  } catch {
    return null;
  }
}

/**
 * Changes whenever any of the auth's values does: caches (OAuth tokens, TLS agents) are keyed by
 * endpoint id and this, so an edited endpoint never uses what was made for its old credentials.
 */
export function credentialsVersion(auth: EndpointAuth): string {
  return createHash('sha256').update(JSON.stringify(auth)).digest('hex').slice(0, 16);
}

/** RFC 7617: `Basic base64(user-id ":" password)`, UTF-8. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

// --- OAuth 2.0 client credentials (RFC 6749 §4.4) ---

/** A token is used until this long before it expires, so it never expires on the way. */
export const TOKEN_EXPIRY_MARGIN_MS = 30_000;
/** How long a token whose response gives no expires_in is used (RFC 6749 only recommends the field). */
export const TOKEN_DEFAULT_LIFETIME_SECONDS = 300;

export interface TokenRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

function formEncoded(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * The token request: client credentials in HTTP Basic, each form-urlencoded first (RFC 6749
 * §2.3.1), grant, scope and audience in the form body.
 */
export function tokenRequest(auth: Extract<EndpointAuth, { type: 'oauth2' }>): TokenRequest {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope !== undefined) form.set('scope', auth.scope);
  if (auth.audience !== undefined) form.set('audience', auth.audience);
  return {
    url: auth.tokenUrl,
    headers: {
      authorization: basicAuthorization(formEncoded(auth.clientId), formEncoded(auth.clientSecret)),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: form.toString(),
  };
}

export type TokenAnswer = { ok: true; accessToken: string; lifetimeSeconds: number } | { ok: false; reason: string };

/** Reads the token endpoint's answer (RFC 6749 §5.1); anything else is a failure with a reason. */
export function readTokenAnswer(statusCode: number, body: string | null): TokenAnswer {
  if (statusCode !== 200) return { ok: false, reason: `the token endpoint answered ${statusCode}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return { ok: false, reason: 'the token response is not JSON' };
  }
  const answer = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const token = answer.access_token;
  // Visible ASCII: it goes into a header as it is.
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) return { ok: false, reason: 'the token response has no usable access_token' };
  if (answer.token_type !== undefined && String(answer.token_type).toLowerCase() !== 'bearer') {
    return { ok: false, reason: `the token type is ${String(answer.token_type)}, not bearer` };
  }
  const expiresIn = Number(answer.expires_in);
  const lifetimeSeconds = answer.expires_in === undefined || !Number.isFinite(expiresIn) ? TOKEN_DEFAULT_LIFETIME_SECONDS : Math.max(0, expiresIn);
  return { ok: true, accessToken: token, lifetimeSeconds };
}

/** Until when a token received at `receivedAt` is used: 30 s before it expires (a short-lived one, not again). */
export function tokenUsableUntil(receivedAt: number, lifetimeSeconds: number): number {
  return receivedAt + lifetimeSeconds * 1000 - TOKEN_EXPIRY_MARGIN_MS;
}
