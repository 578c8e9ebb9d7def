// What the HTTP, CoAP and UDP capture endpoints need from the cloud: registry, clock, recorders, options.
import type { AuthLogEntry } from './mqtt-session';
import type { Registry } from './registry';
import type { Uplink } from './uplinks';

export interface CaptureHost {
  registry(): Registry;
  now(): number;
  uplink(u: Uplink): void;
  authLog(e: AuthLogEntry): void;
  log(line: string): void;
  allowSecretInQuery: boolean;
  bodyLimit: number;
  faults: { latencyMs: number };
}
