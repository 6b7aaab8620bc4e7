/**
 * Options that take one of a fixed set of words, declared with commander's `.choices` (so `--help` lists
 * them) but refused with apieval's one-line error (a UserError: exit 2, `--flag 'x': expected one of a, b`)
 * instead of commander's error followed by the whole help text.
 */
import { Option } from 'commander';
import { UserError } from '../../core/errors.js';

export function choiceOption(flags: string, description: string, choices: readonly string[]): Option {
  const opt = new Option(flags, description).choices(choices);
  const flag = opt.long ?? flags;
  return opt.argParser((v: string) => {
    if (!choices.includes(v)) throw new UserError(`${flag} '${v}': expected one of ${choices.join(', ')}`);
    return v;
  });
}
