/** oidc-provider's request store (a module of its own, default export; the package ships no types for it). */
declare module 'oidc-provider/lib/helpers/als.js' {
  import type { AsyncLocalStorage } from 'node:async_hooks';
  const store: AsyncLocalStorage<unknown>;
  export default store;
}
