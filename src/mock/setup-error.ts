// The mock cannot start for a reason its user can fix (the state dir, its kept CA, the openssl CLI):
// the CLI prints the message and exits 1 instead of reporting an internal error.
/** The mock cannot start for a reason its user can fix; the message says what and how. */
export class MockSetupError extends Error {
  override name = 'MockSetupError';
}
