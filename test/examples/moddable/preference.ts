// Stand-in for Moddable's `preference` module: an in-memory store the driver can preload and read.
export const store: { [key: string]: ArrayBuffer | string | number | boolean } = {};
export default {
  get(domain: string, key: string) {
    return store[domain + '.' + key];
  },
  set(domain: string, key: string, value: ArrayBuffer | string | number | boolean) {
    if (value instanceof ArrayBuffer && value.byteLength > 63) throw new Error('preference value too long');
    store[domain + '.' + key] = value instanceof ArrayBuffer ? value.slice(0) : value;
  },
  delete(domain: string, key: string) {
    delete store[domain + '.' + key];
  },
};
