// A tiny event emitter (no Map: Espruino has none). Handlers run in registration order; a throwing
// handler is reported to 'error' handlers instead of breaking the device's own state machine.

/** An event handler; the argument's shape depends on the event. @inline */
export type Handler = (arg: any) => void;

export interface Emitter {
  on(name: string, fn: Handler): void;
  off(name: string, fn: Handler): void;
  emit(name: string, arg?: unknown): void;
}

export function createEmitter(): Emitter {
  const handlers: { [name: string]: Handler[] } = {};
  const self: Emitter = {
    on(name, fn) {
      (handlers[name] = handlers[name] || []).push(fn);
    },
    off(name, fn) {
      const list = handlers[name] || [];
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    },
    emit(name, arg) {
      const list = (handlers[name] || []).slice();
      for (let i = 0; i < list.length; i++) {
        try {
          list[i](arg);
        } catch (e) {
          if (name !== 'error') self.emit('error', e);
        }
      }
    },
  };
  return self;
}
