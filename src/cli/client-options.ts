import { Hookd, HookdConnectionError, HookdError } from '@hookd/sdk';
import { Option, type Command } from 'commander';

// What every command that talks to a running hookd shares: --url and --key (or HOOKD_URL and
// HOOKD_KEY), the SDK client built from them, and one way of reporting what went wrong.

export interface ClientFlags {
  /** Where hookd listens; `hookdUrl` on the one command whose --url is something else. */
  url?: string;
  hookdUrl?: string;
  key?: string;
}

const DEFAULT_URL = 'http://127.0.0.1:8080';

/**
 * Adds --url and --key to a command. `endpoints create` needs --url for the endpoint's own URL (the
 * API's field), so there hookd's address is --hookd-url.
 */
export function withClientOptions(command: Command, urlFlag: '--url' | '--hookd-url' = '--url'): Command {
  return command
    .addOption(new Option(`${urlFlag} <url>`, 'where hookd listens').env('HOOKD_URL').default(DEFAULT_URL))
    .addOption(new Option('--key <key>', 'the API key to use with that hookd').env('HOOKD_KEY'));
}

/** Runs a command's action with a client, turning hookd's refusals into one clear line and exit 1. */
export function withClient<Args extends unknown[], Flags extends ClientFlags>(
  action: (hookd: Hookd, flags: Flags, ...args: Args) => Promise<void>,
): (...args: [...Args, Flags, Command]) => Promise<void> {
  return async (...received) => {
    const flags = received[received.length - 2] as Flags;
    const args = received.slice(0, -2) as Args;
    if (flags.key === undefined || flags.key === '') usageError('an API key is required: --key or HOOKD_KEY');
    let hookd: Hookd;
    try {
      hookd = new Hookd({ url: flags.hookdUrl ?? flags.url ?? DEFAULT_URL, key: flags.key });
    } catch (error) {
      usageError(`hookd's address: ${(error as Error).message}`);
    }
    try {
      await action(hookd, flags, ...args);
    } catch (error) {
      if (error instanceof HookdError) {
        process.stderr.write(`hookd: ${error.request}: ${error.status} ${error.code}: ${error.message}\n`);
        for (const detail of error.details) process.stderr.write(`  ${detail.field || '/'} (${detail.in}): ${detail.message}\n`);
        process.exit(1);
      }
      if (error instanceof HookdConnectionError) {
        process.stderr.write(`hookd: ${error.message} (is it running? --url or HOOKD_URL says where)\n`);
        process.exit(1);
      }
      throw error;
    }
  };
}

/** Bad use of the command line: say what is wrong and exit 2, like the server's own commands. */
export function usageError(message: string): never {
  process.stderr.write(`hookd: ${message}\n`);
  process.exit(2);
}
