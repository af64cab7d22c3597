import { stripVTControlCharacters, styleText } from 'node:util';

// How command output looks on a terminal: colour, and times of day.
//
// Colour comes from node's styleText. Whether to colour at all is asked of node once per stream
// (its rules: a terminal, NO_COLOR, FORCE_COLOR, TERM=dumb), so pipes and CI logs get plain text
// without every caller checking. Node 20 skips that check for a list of formats, hence the probe.

/** One format: a colour or a modifier such as `bold`. */
export type TextStyle = Extract<Parameters<typeof styleText>[0], string>;
export type Paint = (style: TextStyle | TextStyle[], text: string) => string;

export function painterFor(stream: NodeJS.WritableStream): Paint {
  const colours = styleText('red', 'x', { stream }) !== 'x';
  return colours ? (style, text) => styleText(style, text, { validateStream: false }) : (_style, text) => text;
}

/** The colour of an HTTP status a receiver answers: green 2xx, yellow 3xx/4xx, red 5xx. */
export function statusStyle(status: number): TextStyle {
  if (status >= 200 && status < 300) return 'green';
  return status >= 500 ? 'red' : 'yellow';
}

/** Width on screen, colour codes left out. */
export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

/** `08:00:01.234`, local time: when something happened, to a person watching it happen. */
export function clockTime(time: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
}
