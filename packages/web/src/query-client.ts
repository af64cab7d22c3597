import { HookdError } from '@hookd/sdk/client';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { errorMessage, isUnauthorized } from './client.js';

// One TanStack Query cache per signed-in key: pages share what they loaded (an endpoint's title in
// every delivery row is one request), identical requests in flight are made once, a page left
// cancels its requests, and mutations invalidate what they changed. Signing out drops the cache,
// so nothing of one key is ever shown to the next.

/** A 4xx will not change by asking again; a network blip or a 503 may. */
function worthRetrying(failures: number, error: unknown): boolean {
  if (error instanceof HookdError && error.status < 500) return false;
  return failures < 2;
}

export function createQueryClient(onUnauthorized: (message: string) => void): QueryClient {
  const signOutOn = (error: unknown) => {
    if (isUnauthorized(error)) onUnauthorized(errorMessage(error));
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: signOutOn }),
    mutationCache: new MutationCache({ onError: signOutOn }),
    defaultOptions: {
      queries: {
        retry: worthRetrying,
        // Opening a page again within a few seconds shows what was loaded without asking again.
        staleTime: 5_000,
      },
      mutations: { retry: false },
    },
  });
}
