// akenza-device/node: the Node entry, signing through node:crypto with cached KeyObjects.
import { makeSignJwt } from '../../src/sign-jwt';
import { nodeSigners } from './sign-node';

export * from '../../src/index';
export { createNodeSigner, nodeSigners } from './sign-node';

/** Same contract as the portable signJwt, with the node:crypto fast path. */
export const signJwt = makeSignJwt(nodeSigners);
