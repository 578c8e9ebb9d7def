// Preloaded by the test app's manifest: shows how XS treats a BigInt made at preload time (in ROM).
export const ONE = 1n;
