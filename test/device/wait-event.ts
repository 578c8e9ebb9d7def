// For device tests over real sockets: the next event of a kind (that `pred` accepts), or a rejection
// naming it after timeoutMs.
import type { Device, DeviceEventName } from '../../targets/node/index';

export const waitFor = (device: Device, event: DeviceEventName, pred: (a: any) => boolean = () => true, timeoutMs = 10000) =>
  new Promise<any>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out waiting for ' + event)), timeoutMs);
    const fn = (arg: unknown) => {
      if (!pred(arg)) return;
      clearTimeout(t);
      device.off(event, fn);
      resolve(arg);
    };
    device.on(event, fn);
  });
