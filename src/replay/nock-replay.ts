/**
 * Replays a fixture with nock in this process: every recorded exchange is an
 * interceptor (consumed once, in file order for repeated URLs), the network is
 * disabled, and whatever nock refuses becomes a `not-recorded` failure instead
 * of a connection error. nock is imported only here, and only when a replay
 * starts. Fetching happens in the main process, so nock sees all of it;
 * parser workers never fetch.
 *
 * nock's interceptors and its net-connect switch are process-wide: replays in
 * one process run one at a time (a second one waits for the first to close).
 */
import { createRequire } from 'node:module';
import type { Interceptor } from 'nock';
import type { Fetcher } from '../fetch/fetcher.js';
import type { FetchResult } from '../fetch/fetch-types.js';
import type { Fixture } from './read-fixture.js';

/** A running replay; `close()` removes its interceptors and enables the network again. */
export interface NockReplay {
  close(): Promise<void>;
}

/** The code of a request the fixture does not hold. */
export const NOT_RECORDED_CODE = 'ERR_NOT_RECORDED';

let queue: Promise<void> = Promise.resolve();

/** Waits for earlier replays in this process to close; resolves with the release function. */
function acquire(): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const previous = queue;
  queue = previous.then(() => held);
  return previous.then(() => release);
}

/** Defines the fixture's exchanges in nock and refuses every other request. */
export async function startNockReplay(fixture: Fixture): Promise<NockReplay> {
  const release = await acquire();
  try {
    const require = createRequire(import.meta.url);
    const loadedBefore = require.resolve('nock') in require.cache;
    const { default: nock } = await import('nock');
    // Ours to switch off at the end unless someone else had nock active already.
    const owned = !(loadedBefore && nock.isActive());
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
    const scopes = nock.define(fixture.definitions as unknown as Parameters<typeof nock.define>[0]);
    let closed = false;
    return {
      async close() {
        if (closed) return;
        closed = true;
        for (const scope of scopes) {
          for (const interceptor of [...((scope as unknown as { interceptors: Interceptor[] }).interceptors ?? [])]) nock.removeInterceptor(interceptor);
        }
        nock.enableNetConnect();
        if (owned && nock.isActive()) nock.restore();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** A fetcher whose nock refusals read as `not-recorded` failures. */
export function notRecordedFetcher(fetcher: Fetcher): Fetcher {
  return {
    fetch: async (url, opts) => asNotRecorded(await fetcher.fetch(url, opts), opts?.method),
    close: () => fetcher.close(),
  };
}

/**
 * Maps nock's refusals (`NetConnectNotAllowedError`: no interceptor for the
 * host; `ERR_NOCK_NO_MATCH`: none left for the path) to `not-recorded`. Pure.
 */
export function asNotRecorded(result: FetchResult, method: 'GET' | 'HEAD' = 'GET'): FetchResult {
  if (result.ok) return result;
  const refused = result.code === 'ERR_NOCK_NO_MATCH' || (result.code === 'ENETUNREACH' && result.message.startsWith('Nock: Disallowed net connect'));
  if (!refused) return result;
  return { ...result, reason: 'not-recorded', code: NOT_RECORDED_CODE, message: `not in the fixture: ${method} ${result.finalUrl ?? result.url}` };
}
