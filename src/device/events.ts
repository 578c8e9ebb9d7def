// A tiny event emitter (no Map: Espruino has none). Handlers run in registration order; a throwing
// handler is reported to 'error' handlers instead of breaking the device's own state machine.
// A class: its methods are shared, so an emitter costs a device one object and its handler lists.

/** An event handler; the argument's shape depends on the event. @inline */
export type Handler = (arg: any) => void;

export class Emitter {
  /** Handler lists by event name. */
  declare h: { [name: string]: Handler[] };
  constructor() {
    this.h = {};
  }
  on(name: string, fn: Handler): void {
    (this.h[name] = this.h[name] || []).push(fn);
  }
  off(name: string, fn: Handler): void {
    const list = this.h[name] || [];
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  }
  emit(name: string, arg?: unknown): void {
    const list = (this.h[name] || []).slice();
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](arg);
      } catch (e) {
        if (name !== 'error') this.emit('error', e);
      }
    }
  }
}
