// The Moddable bundles are preloaded: what their top level makes is frozen into ROM at build time.
// A RegExp made there and run later crashed the real XS (segfault in RegExp exec, and before that a
// sporadic "certificate: auth err" from the memory it overwrote), so no regex literal or `new RegExp`
// may run at a bundle's top level; inside functions they are made at run time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', '..', 'dist', 'moddable');

/** Regex literals and `new RegExp` calls outside every function of `code`. */
function topLevelRegexps(code: string): string[] {
  const file = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const found: string[] = [];
  const visit = (node: ts.Node, inFunction: boolean) => {
    if (ts.isFunctionLike(node)) inFunction = true;
    if (!inFunction && ts.isRegularExpressionLiteral(node)) found.push(node.text);
    if (!inFunction && ts.isNewExpression(node) && node.expression.getText(file) === 'RegExp') found.push(node.getText(file));
    ts.forEachChild(node, (child) => visit(child, inFunction));
  };
  visit(file, false);
  return found;
}

describe('Moddable bundles (preloaded)', () => {
  it('the check finds a top-level regex and ignores one inside a function', () => {
    expect(topLevelRegexps('const A = /x(y)/; function f() { return /z/.test("z"); } const g = () => new RegExp("q");')).toEqual(['/x(y)/']);
    expect(topLevelRegexps('export const B = new RegExp("b");')).toEqual(['new RegExp("b")']);
  });

  for (const name of ['akenza-device.js', 'akenza-device-noble.js']) {
    it(name + ' makes no RegExp at its top level', () => {
      expect(topLevelRegexps(readFileSync(join(dist, name), 'utf8'))).toEqual([]);
    });
  }
});
