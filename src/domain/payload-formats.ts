import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { Format } from 'ajv';
import { RE2JS } from 're2js';

// The `format`s a payload schema may use are ajv-formats' "full" set, with each one whose regular
// expression RE2 can run matched in linear time (see linear-regexp.ts): payload strings reach
// 256 KiB, and ajv-formats' `url` regex is quadratic on such a string (20,000 colons after
// `http://` took over a second).
//
// Left on JavaScript's engine, each for a reason that bounds it:
// - `date`, `time`, `date-time`, `iso-*`, `byte`: anchored, with fixed-width parts or one run
//   followed by a distinct character;
// - `duration`: each digit run is closed by its own letter, in a fixed order;
// - `hostname`: its look-ahead limits the whole match to 254 characters first;
// - `uri`: the same shape as `uri-reference` (which RE2 runs), measured linear on hostile input;
// - `regex`: compiles the string, never runs it.

/** Formats whose ajv-formats regex RE2 runs as it is. */
export const LINEAR_FORMATS = [
  'uri-reference',
  'uri-template',
  'email',
  'ipv4',
  'ipv6',
  'uuid',
  'json-pointer',
  'json-pointer-uri-fragment',
  'relative-json-pointer',
] as const;

function onRe2(name: (typeof LINEAR_FORMATS)[number]): (text: string) => boolean {
  const regex = fullFormats[name];
  if (!(regex instanceof RegExp)) throw new Error(`ajv-formats' ${name} format is no longer a regular expression`);
  // translateRegExp carries the flags over (`i` becomes `(?i)`).
  const compiled = RE2JS.compile(RE2JS.translateRegExp(regex));
  return (text) => compiled.test(text);
}

const uri = fullFormats.uri as (text: string) => boolean;
const URL_SCHEME = /^(?:https?|ftp):\/\//i;

/** Format name → definition, to be added over ajv-formats' own. */
export function linearFormats(): Record<string, Format> {
  const formats: Record<string, Format> = {};
  for (const name of LINEAR_FORMATS) formats[name] = onRe2(name);
  // ajv-formats' `url` (not a JSON Schema format) needs look-aheads RE2 refuses, to exclude
  // private IPv4 hosts. Here it is an http(s) or ftp `uri`: same shape of string, private hosts
  // allowed (hookd's URL guard, not a payload schema, decides where hookd connects).
  formats.url = (text: string) => URL_SCHEME.test(text) && uri(text);
  return formats;
}
