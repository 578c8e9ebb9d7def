// A tiny event emitter (no Map: Espruino has none). Handlers run in registration order; a throwing
// handler is reported to 'error' handlers instead of breaking the device's own state machine.
// A class: its methods are shared, so an emitter costs a device one object and its handler lists.

/** A handler as the emitter stores it. */
export type Handler = (arg: any) => void;

/** `M` maps event names to payloads (the device's: DeviceEvents), so emitting code is checked against it. */
export class Emitter<M extends object = { [name: string]: unknown }> {
  /** Handler lists by event name. */
  declare h: { [name: string]: Handler[] };
  constructor() {
    this.h = {};
  }
  on<K extends keyof M & string>(name: K, fn: (arg: M[K]) => void): void {
    (this.h[name] = this.h[name] || []).push(fn);
  }
  off<K extends keyof M & string>(name: K, fn: (arg: M[K]) => void): void {
    const list = this.h[name] || [];
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  }
  emit<K extends keyof M & string>(name: K, arg: M[K]): void {
    const list = (this.h[name] || []).slice();
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](arg);
      } catch (e) {
        if (name !== 'error') (this as Emitter).emit('error', e);
      }
    }
  }
}
