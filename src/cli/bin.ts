// Executable entry of the `akenza-device` bin: wires main() to the process.
import { main } from './main';

main(process.argv.slice(2), {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write('akenza-device: internal error: ' + (e && e.stack ? e.stack : String(e)) + '\n');
    process.exitCode = 70;
  },
);
