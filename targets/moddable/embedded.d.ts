// The few Moddable / ECMA-419 host modules the adapter uses, typed as far as it relies on them.
declare module 'embedded:io/socket/tcp' {
  export interface TCPOptions {
    address?: string;
    host?: string;
    port: number;
    nodelay?: boolean;
    format?: 'buffer';
    onReadable?(this: TCP, count: number): void;
    onWritable?(this: TCP, count: number): void;
    onError?(this: TCP, message?: string): void;
  }
  export default class TCP {
    constructor(options: TCPOptions);
    read(count?: number): ArrayBuffer | undefined;
    write(buffer: ArrayBuffer): number;
    close(): void;
  }
}
declare module 'embedded:io/socket/tcp/tls' {
  import type { TCPOptions } from 'embedded:io/socket/tcp';
  export default class TLSSocket {
    /** TCP.io: the TCP class it runs over (required); host: SNI and the name check; secure.certificate: the CA (DER). */
    constructor(options: TCPOptions & { host: string; TCP: { io: new (options: Required<TCPOptions>) => unknown }; secure: Record<string, unknown> });
    read(count?: number): ArrayBuffer | undefined;
    write(buffer: ArrayBuffer): number;
    close(): void;
  }
}
declare module 'embedded:io/socket/udp' {
  export default class UDP {
    constructor(options: { port?: number; onReadable?(this: UDP, count: number): void; onError?(this: UDP): void });
    read(): ArrayBuffer & { address: string; port: number };
    write(buffer: ArrayBuffer, address: string, port: number): void;
    close(): void;
  }
}
declare module 'timer' {
  const Timer: {
    set(callback: () => void, ms?: number): unknown;
    clear(id: unknown): void;
  };
  export default Timer;
}
declare module 'net' {
  const Net: { resolve(host: string, callback: (name: string, address?: string) => void): void };
  export default Net;
}
declare module 'crypt' {
  /** Moddable's native message digests (modules/crypt/digest): write() takes an ArrayBuffer or a view. */
  export class Digest {
    constructor(type: 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512' | 'MD5');
    write(data: ArrayBuffer | ArrayBufferView | string): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}
