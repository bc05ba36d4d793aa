/**
 * @module identity/idpRequests
 * oidc-provider keeps the request it serves in an `AsyncLocalStorage` of its own
 * (`lib/helpers/als.js`), entered with `run` for each request. On Node 20 a store that was
 * entered once keeps promise hooks on for every promise of the process: `async_hooks` turns its
 * storage hook off only when every store is disabled. So after the first sign-in, every promise a
 * node makes (signaling, chat, the database) paid for them. {@link IdpRequests} counts the IdP's
 * requests in flight and disables the store when the last one ends; the next request's `run`
 * enables it again. A continuation of an IdP request after its response has ended (none is
 * known) would find no store.
 */
import oidcStore from 'oidc-provider/lib/helpers/als.js';

/** Counts the embedded IdP's requests in flight (see the module description). */
export class IdpRequests {
  #inFlight = 0;

  /** A request starts; call the returned function (once or more) when its response has ended. */
  begin(): () => void {
    this.#inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.#inFlight === 0) oidcStore.disable();
    };
  }

  get inFlight(): number {
    return this.#inFlight;
  }
}
