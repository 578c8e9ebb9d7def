// akenza-device/node: the Node entry, signing through node:crypto with cached KeyObjects.
/**
 * The Node entry: everything `akenza-device` exports, signing through node:crypto, and `createDevice` over node:net/tls.
 * @module akenza-device/node
 */
import { createDevice as createCoreDevice, type Device, type DeviceOptions } from '../../src/device/device';
import type { Platform } from '../../src/platform';
import { makeSignJwt } from '../../src/sign/sign-jwt';
import { nodePlatform } from './platform';
import { nodeSigners } from './sign-node';

export * from '../../src/index';
export { createNodeSigner, nodeSigners } from './sign-node';
export { nodePlatform } from './platform';
export type { Device, DeviceOptions, Downlink, PublishOptions, DeviceStats, DeviceEvents, DeviceEventName, DeviceEventHandler } from '../../src/device/device';
export type { ConnectedEvent, DisconnectedEvent, TokenRefreshedEvent, AuthRejectedEvent, MqttAuthRejectedEvent, TransportErrorEvent, ClockStateEvent, DroppedEvent, FallbackEvent, SentEvent } from '../../src/device/device';

/** Same contract as the portable signJwt, with the node:crypto fast path. */
export const signJwt = makeSignJwt(nodeSigners);

/** A device over node:net/tls; `platform` overrides parts of it (tests pass fake clocks here). */
export function createDevice(options: DeviceOptions, platform?: Partial<Platform>): Device {
  const p: Platform = Object.assign({}, nodePlatform, platform || {});
  return createCoreDevice(p, options);
}
