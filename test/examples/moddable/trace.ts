// Moddable's global trace() for the xsnap CLI (which has print only), imported before the firmware
// so its top-level code can trace; lines are kept for the driver's result.
declare const print: (s: string) => void;
export const traced: string[] = [];
let pending = '';
(globalThis as any).trace = (s: unknown) => {
  pending += String(s);
  const lines = pending.split('\n');
  pending = lines.pop() as string;
  for (const l of lines) traced.push(l);
};
void print;
