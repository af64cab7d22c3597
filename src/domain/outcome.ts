// What an attempt's result means for its delivery. Pure: the sender reports what happened,
// this decides whether it is a success, worth retrying, or final.

/** How an attempt ended, as the sender saw it. */
export type AttemptResult =
  | { kind: 'response'; statusCode: number }
  | { kind: 'error'; error: AttemptErrorCode };

/** Error words recorded on an attempt when no HTTP status came back. */
export type AttemptErrorCode =
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns'
  | 'tls'
  | 'url_not_allowed'
  | 'invalid_request'
  /** The receiver's credentials could not be had (an OAuth 2.0 token request failed). */
  | 'auth'
  | 'network';

export type AttemptVerdict =
  | { verdict: 'success' }
  /** Worth trying again if the schedule allows. */
  | { verdict: 'retry'; reason: string }
  /** Final without retries. `disableEndpoint` for 410 Gone: the receiver says it is gone for good. */
  | { verdict: 'drop'; reason: string; disableEndpoint: boolean };

export function classifyOutcome(result: AttemptResult, options: { dropOn4xx: boolean }): AttemptVerdict {
  if (result.kind === 'error') {
    // A URL that the guard refuses will be refused again: retrying only wastes the schedule.
    if (result.error === 'url_not_allowed' || result.error === 'invalid_request') {
      return { verdict: 'drop', reason: result.error, disableEndpoint: false };
    }
    return { verdict: 'retry', reason: result.error };
  }
  const status = result.statusCode;
  if (status >= 200 && status < 300) return { verdict: 'success' };
  if (status === 410) return { verdict: 'drop', reason: 'http_410', disableEndpoint: true };
  // 408 and 429 say "not now", never "never": they are retried even with dropOn4xx.
  if (status === 408 || status === 429) return { verdict: 'retry', reason: `http_${status}` };
  if (status >= 400 && status < 500 && options.dropOn4xx) {
    return { verdict: 'drop', reason: `http_${status}`, disableEndpoint: false };
  }
  // 3xx is not followed (a redirect could lead past the URL guard) and counts as a failure.
  return { verdict: 'retry', reason: `http_${status}` };
}
