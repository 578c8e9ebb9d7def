// A request body read with a byte bound, for the mock's HTTP endpoints (capture and admin): a declared
// Content-Length over the bound is refused before anything is read, a chunked body as soon as it passes it.
import type { IncomingMessage } from 'node:http';

/** Calls `done(null, body)` once the body is complete, or `done(reason)` once it is over `limit` bytes (then never again). */
export function readBoundedBody(req: IncomingMessage, limit: number, done: (err: string | null, body: Buffer) => void): void {
  const tooLarge = 'body larger than ' + limit + ' bytes';
  req.on('error', () => undefined);
  if (Number(req.headers['content-length']) > limit) {
    req.resume(); // drained, not kept
    return done(tooLarge, Buffer.alloc(0));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (c: Buffer) => {
    if (over) return;
    size += c.length;
    if (size > limit) {
      over = true;
      done(tooLarge, Buffer.alloc(0));
    } else chunks.push(c);
  });
  req.on('end', () => {
    if (!over) done(null, Buffer.concat(chunks));
  });
}
