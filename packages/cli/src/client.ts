import { Client } from '@fawtara/sdk';
import { resolveConnection, type ConnectionFlags } from './connection.ts';
import { configError } from './exit-codes.ts';

/** Idempotency-Keys whose reply said `Idempotent-Replayed: true` (the request had been made before). */
export type ReplayTracker = Set<string>;

/**
 * The SDK client for the API commands, connected as the flags and FAWTARA_* variables say
 * (`note` hears about the sandbox fallback). `replays`, when given, collects the
 * Idempotency-Keys the server answered from its store — how `import` tells "created now" from
 * "already there". The SDK does not surface that header, so a thin fetch wrapper (the SDK's
 * instrumentation hook) reads it.
 */
export function createApiClient(flags: ConnectionFlags, note: (message: string) => void, options: { replays?: ReplayTracker } = {}): Client {
  const settings = resolveConnection(flags, process.env, note);
  const { replays } = options;
  const tracking: typeof fetch | undefined = replays
    ? async (input, init) => {
        const response = await fetch(input, init);
        if (response.headers.get('idempotent-replayed') === 'true') {
          const key = new Headers(init?.headers).get('idempotency-key');
          if (key) replays.add(key);
        }
        return response;
      }
    : undefined;
  try {
    return new Client({
      baseUrl: settings.baseUrl,
      merchantCode: settings.merchantCode,
      accessCode: settings.accessCode,
      secretKey: settings.secretKey,
      iv: settings.iv,
      username: settings.username,
      password: settings.password,
      ...(tracking ? { fetch: tracking } : {}),
    });
  } catch (err) {
    // Keys of the wrong length, an empty merchant code: the SDK says which (TypeError).
    if (err instanceof TypeError) throw configError(`Configuration error: ${err.message}.`);
    throw err;
  }
}
