// Emulates Espruino's missing function hoisting (espruino/Espruino#274; DESIGN.md section 3): every
// function declaration inside a function body becomes `var f = function f(...) {...};` where it
// stands, so code that calls it before that line fails in QuickJS as it would on the board, where a
// module (and our bundle's own wrapper) is a function body. Top-level declarations of a script keep
// their hoisting unless `module` is set: Espruino 2v29 has no hoisting pass at all (a function exists
// once its statement has run), and a Storage module's top level is where our bundles' functions sit.
import ts from 'typescript';

/** The code with every nested function declaration (with `module`, every one) turned into an assignment in place. */
export function unhoist(code: string, module = false): { code: string; rewritten: number } {
  const sf = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  // Insertions, applied from the end of the text backwards so earlier offsets stay valid. Where one
  // declaration ends and the next begins, the latter's `var` goes in first and the `;` before it.
  const inserts: [at: number, text: string, isStart: number][] = [];
  const visit = (node: ts.Node, inFunction: boolean): void => {
    if (ts.isFunctionDeclaration(node) && node.name && node.body && inFunction && !node.asteriskToken)
      inserts.push([node.getStart(sf), 'var ' + node.name.text + '=', 1], [node.getEnd(), ';', 0]);
    const fn = ts.isFunctionLike(node);
    ts.forEachChild(node, (c) => visit(c, inFunction || fn));
  };
  visit(sf, module);
  const rewritten = inserts.length / 2;
  inserts.sort((a, b) => b[0] - a[0] || b[2] - a[2]);
  let out = code;
  for (const [at, text] of inserts) out = out.slice(0, at) + text + out.slice(at);
  return { code: out, rewritten };
}
