/**
 * @module update/releaseKey
 * The public half of the release key: the only key whose signature makes the agent install a
 * package (ADR 0022). It is a constant of the build, never a setting: nothing on the device
 * (configuration files, environment, the server) can change whom the agent trusts.
 *
 * Tests bundle the agent with their own key through esbuild's `define` of
 * `__RH_RELEASE_PUBLIC_KEY__` (`packaging/agentTree.mjs` `releasePublicKey`): a build made that
 * way is a different program, as a build with another built-in key would be. Running from source
 * (tsx, vitest) the global is undefined and the built-in key applies.
 *
 * The built-in key below is a placeholder made when self-update was built; its private half was
 * not kept, so until the maintainers put their release key's public half here, no package is
 * accepted (fail closed). Make a key with `npm run release:sign -- --keygen DIR`.
 */
declare const __RH_RELEASE_PUBLIC_KEY__: string | undefined;

const BUILT_IN = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA8q9nV5aeDG7tgLSlOPEK8329Sb386D7HCXc54yOQEpg=
-----END PUBLIC KEY-----
`;

/** The release key the agent trusts (PEM, SPKI, Ed25519). */
export const RELEASE_PUBLIC_KEY: string =
  typeof __RH_RELEASE_PUBLIC_KEY__ === 'string' ? __RH_RELEASE_PUBLIC_KEY__ : BUILT_IN;
