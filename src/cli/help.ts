import { Help, type Option } from 'commander';

// --help says, for every flag, what it does and what happens without it. Commander shows a default
// only where one was set as a value; this adds the rest: "none" for a value flag with no default
// (the setting stays unset) and "off" for a flag without a value. A `--no-…` flag, whose default is
// the thing it turns off, says so in its own description.

export function optionDescriptionWithDefault(option: Option): string {
  const described = Help.prototype.optionDescription.call(new Help(), option);
  if (/default: /.test(described) || option.mandatory || option.negate || ['--help', '--version'].includes(option.long ?? '')) return described;
  if (option.defaultValue === undefined && option.defaultValueDescription !== undefined) return `${described} (default: ${option.defaultValueDescription})`;
  if (option.required || option.optional) return `${described} (default: none)`;
  return `${described} (default: off)`;
}
