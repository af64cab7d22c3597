import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { CONFIG_KEYS, DEFAULT_CONFIG, flagNameOf } from '../../src/config.js';
import { runCli } from '../support/cli-process.js';

// --help of every command says what each flag does and what happens without it.

function commandsOf(command: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  return command.commands.flatMap((sub) => [{ path: [...path, sub.name()].join(' '), command: sub }, ...commandsOf(sub, [...path, sub.name()])]);
}

describe('hookd --help', () => {
  const program = buildProgram();
  const commands = commandsOf(program);

  it('describes every flag of every command with its default', () => {
    expect(commands.map(({ path }) => path)).toEqual(expect.arrayContaining(['serve', 'migrate', 'keys create', 'tail', 'listen', 'events replay', 'backup']));
    for (const { path, command } of commands) {
      const help = command.createHelp();
      for (const option of command.options) {
        const where = `hookd ${path} ${option.flags}`;
        expect(option.description.length, where).toBeGreaterThan(10);
        const described = help.optionDescription(option);
        if (!option.mandatory) expect(described, where).toMatch(/default: /);
      }
    }
  });

  it('lists every setting as a serve flag, booleans without a value', async () => {
    const { stdout, code } = await runCli(['serve', '--help']);
    expect(code).toBe(0);
    for (const key of CONFIG_KEYS) expect(stdout).toContain(DEFAULT_CONFIG[key] === true ? `--no-${flagNameOf(key)} ` : `--${flagNameOf(key)} `);
    expect(stdout).toMatch(/--allow-private-urls +turn the SSRF URL guard off/);
    expect(stdout).toMatch(/--no-strict-event-types +accept events/);
    expect(stdout).toMatch(/--port <value> +the HTTP port [^-]*\(default: 8080\)/);
    expect(stdout).toContain('HOOKD_ALLOW_PRIVATE_URLS');
  });

  it('takes a boolean setting as a flag without a value, and leaves the environment alone when it is absent', async () => {
    const serve = buildProgram().commands.find((command) => command.name() === 'serve')!;
    serve.action(() => undefined);
    serve.parse(['--allow-private-urls', '--no-strict-event-types', '--port', '0'], { from: 'user' });
    const { settingFlagsOf } = await import('../../src/cli/setting-options.js');
    expect(settingFlagsOf(serve, CONFIG_KEYS)).toEqual({ allowPrivateUrls: 'true', strictEventTypes: 'false', port: '0' });

    const untouched = buildProgram().commands.find((command) => command.name() === 'serve')!;
    untouched.action(() => undefined);
    untouched.parse([], { from: 'user' });
    // No flag given: nothing overrides HOOKD_STRICT_EVENT_TYPES or any other variable.
    expect(settingFlagsOf(untouched, CONFIG_KEYS)).toEqual({});
  });
});
