// Refuses option keys the SDK does not know (a typo, or an option of another MQTT client), naming
// the nearest known one: a misspelt option would otherwise be ignored without a word.
import { fail, OPTION_INVALID } from '../errors';

/**
 * Throws OPTION_INVALID for the first key of `o` not in `known` (names separated by single spaces:
 * one string, not an array, costs the least on Espruino). `where` prefixes the names ("mqtt.").
 * The nearest known name shares the most leading plus trailing characters (case-insensitive), at
 * least 3; without one the message lists the known names.
 */
export function checkKeys(o: object | undefined, known: string, where: string): void {
  for (const k in o) {
    if ((' ' + known + ' ').indexOf(' ' + k + ' ') >= 0) continue;
    const names = known.split(' ');
    const low = k.toLowerCase();
    let best = '';
    let score = 2;
    for (let i = 0; i < names.length; i++) {
      const n = names[i].toLowerCase();
      let a = 0;
      let z = 0;
      while (a < low.length && low.charAt(a) === n.charAt(a)) a++;
      while (z < low.length - a && z < n.length - a && low.charAt(low.length - 1 - z) === n.charAt(n.length - 1 - z)) z++;
      if (a + z > score) {
        score = a + z;
        best = names[i];
      }
    }
    fail(OPTION_INVALID, 'unknown option "' + where + k + '"' + (best ? ' (did you mean "' + where + best + '"?)' : ' (known: ' + known + ')'));
  }
}
