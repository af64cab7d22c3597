// Why hookd could not start, said in one line that names the setting to change and what to do.
// An operator reading a start-up failure wants the cause and the fix, not pg-pool's stack with
// paths inside node_modules; the phase that failed (opening the database, binding the port) tells
// which setting is concerned, the error's code tells what is wrong with it.

/** A start-up failure already put in words for the operator: printed as is, exit 1. */
export class StartupFailure extends Error {}

const DATABASE_SETTING = 'HOOKD_DATABASE_URL (--database-url)';
const PORT_SETTING = 'HOOKD_PORT (--port)';
const HOST_SETTING = 'HOOKD_HOST (--host)';

interface CodedError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

function codeOf(error: unknown): string {
  const code = (error as CodedError | null)?.code;
  if (typeof code === 'string') return code;
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  const inner = (error as CodedError | null)?.errors;
  if (Array.isArray(inner) && inner.length > 0) return codeOf(inner[0]);
  return '';
}

function messageOf(error: unknown): string {
  const message = (error as CodedError | null)?.message;
  const text = typeof message === 'string' && message !== '' ? message : String(error);
  return text.split('\n')[0]!;
}

/** `postgres://user:password@host:5432/db` → `postgres://user@host:5432/db`: never print a password. */
export function withoutPassword(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password === '') return databaseUrl;
    url.password = '';
    return url.toString();
  } catch {
    return databaseUrl.replace(/:[^:@/]*@/, '@');
  }
}

function postgresParts(databaseUrl: string): { where: string; database: string; user: string } {
  try {
    const url = new URL(databaseUrl);
    return {
      where: `${url.hostname || 'localhost'}:${url.port || '5432'}`,
      database: decodeURIComponent(url.pathname.slice(1)) || '(default)',
      user: decodeURIComponent(url.username) || '(default)',
    };
  } catch {
    return { where: '?', database: '?', user: '?' };
  }
}

/** A failure while opening or migrating the database. */
export function databaseFailure(error: unknown, databaseUrl: string): StartupFailure {
  if (error instanceof StartupFailure) return error;
  const code = codeOf(error);
  const message = messageOf(error);
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
    return new StartupFailure(
      `cannot open the SQLite database ${path} (${code || message}): set ${DATABASE_SETTING} to a file in a directory hookd can write to`,
    );
  }
  const { where, database, user } = postgresParts(databaseUrl);
  const shown = withoutPassword(databaseUrl);
  switch (code) {
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StartupFailure(`cannot reach PostgreSQL at ${where} (${code}): start PostgreSQL there or fix ${DATABASE_SETTING} (${shown})`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupFailure(`cannot resolve the PostgreSQL host in ${DATABASE_SETTING} (${shown}): fix the host name`);
    case '3D000':
      return new StartupFailure(`PostgreSQL at ${where} has no database "${database}": create it (createdb ${database}) or fix ${DATABASE_SETTING}`);
    case '28000':
      return new StartupFailure(`PostgreSQL at ${where} refused the role "${user}" (${message}): create the role or fix the user in ${DATABASE_SETTING}`);
    case '28P01':
      return new StartupFailure(`PostgreSQL at ${where} refused the password of "${user}": fix the password in ${DATABASE_SETTING}`);
    case '42501':
      return new StartupFailure(`the role "${user}" may not create hookd's tables in "${database}" (${message}): grant it CREATE or use the database owner in ${DATABASE_SETTING}`);
    default:
      if (/timeout exceeded when trying to connect/.test(message)) {
        return new StartupFailure(`PostgreSQL at ${where} did not answer within 5 s: check it is running and ${DATABASE_SETTING} (${shown})`);
      }
      return new StartupFailure(`cannot use the PostgreSQL database in ${DATABASE_SETTING} (${shown}): ${code ? `${code} ` : ''}${message}`);
  }
}

/** A failure to bind the HTTP port. */
export function listenFailure(error: unknown, host: string, port: number): StartupFailure {
  const code = codeOf(error);
  const at = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupFailure(`port ${port} is already in use on ${host}: stop what listens there or choose another port with ${PORT_SETTING}`);
    case 'EACCES':
      return new StartupFailure(`not allowed to listen on ${at} (ports below 1024 need privileges): choose a port above 1023 with ${PORT_SETTING}`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupFailure(`cannot listen on ${at}: ${host} is not an address of this machine; fix ${HOST_SETTING}`);
    default:
      return new StartupFailure(`cannot listen on ${at} (${code || messageOf(error)}): check ${HOST_SETTING} and ${PORT_SETTING}`);
  }
}
