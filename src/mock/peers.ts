// The mock's own npm packages (mqtt-packet, ws): optional peer dependencies of akenza-device, so a
// device project does not install them. They are loaded on first use, not imported at load, so the
// CLI's other commands and the mock entry's registry and JWT helpers run without them; a missing one
// is a MockDependencyError naming the install command (startMockCloud checks before it starts).
// The packages' types stay out of this file (it is in the mock entry's declarations, and a mock user
// need not install @types/ws): peer-modules.ts types them for the mock's own code.
import { createRequire } from 'node:module';
import { MockSetupError } from './setup-error';

/** The versions this package is tested with (its devDependencies; package.json's peerDependencies accept the same major). */
export const MOCK_PEERS = { 'mqtt-packet': '9.0.2', ws: '8.23.0' } as const;
export type MockPeer = keyof typeof MOCK_PEERS;

/** The mock cloud needs packages that are not installed: `missing` names them, the message gives the npm command. */
export class MockDependencyError extends MockSetupError {
  override name = 'MockDependencyError';
  readonly code = 'MOCK_DEPENDENCY_MISSING';
  /** The packages to install, e.g. ['mqtt-packet', 'ws']. */
  readonly missing: MockPeer[];
  /** The command that installs them, e.g. `npm install --save-dev mqtt-packet@9.0.2 ws@8.23.0`. */
  readonly command: string;
  constructor(missing: MockPeer[]) {
    const command = 'npm install --save-dev ' + missing.map((p) => p + '@' + MOCK_PEERS[p]).join(' ');
    super('the mock cloud needs ' + missing.join(' and ') + ' (optional peer dependencies of akenza-device, not installed with it): ' + command);
    this.missing = missing;
    this.command = command;
  }
}

// Resolved from this module's own place: dist/mock/ or dist/node/ inside the user's node_modules
// (or src/mock/ in this checkout), so the user's installed copies are found.
const load = createRequire(import.meta.url);

function installed(name: MockPeer): boolean {
  try {
    load.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Throws MockDependencyError naming every mock package that is not installed. */
export function checkMockPeers(has: (name: MockPeer) => boolean = installed): void {
  const missing = (Object.keys(MOCK_PEERS) as MockPeer[]).filter((p) => !has(p));
  if (missing.length > 0) throw new MockDependencyError(missing);
}

const cache: { [K in MockPeer]?: unknown } = {};
/** The package `name`, loaded on first use (peer-modules.ts gives each its type). */
export function loadPeer(name: MockPeer): unknown {
  if (!(name in cache)) {
    checkMockPeers((p) => p !== name || installed(p));
    cache[name] = load(name);
  }
  return cache[name];
}
