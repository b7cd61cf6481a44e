// node:crypto, loaded when first used. Loading it takes 15–20 ms on the Node we ship (a tenth of
// `get`, which hashes nothing), so the modules on `get`'s path call this instead of importing it:
// a bundled import runs when the module loads, not when the function is called.
import type * as NodeCrypto from 'node:crypto';

export function nodeCrypto(): typeof NodeCrypto {
  return process.getBuiltinModule('node:crypto');
}
