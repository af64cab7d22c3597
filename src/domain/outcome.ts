// What an attempt's result means for its delivery. Pure: the sender reports what happened,
// this decides whether it is a success, worth retrying, or final.

/** How an attempt ended, as the sender saw it. */
export type AttemptResult =
  | { kind: 'response'; statusCode: number; control: DeliveryControl }
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
  /** The receiver's credentials could not be had (an OAuth 2.0 token request failed), or a broker refused them. */
  | 'auth'
  /** A broker has no such exchange, vhost or stream (NATS: no stream captures the subject). */
  | 'not_found'
  /** RabbitMQ returned the message (mandatory flag): no queue is bound for its routing key. */
  | 'unroutable'
  /** A broker refused the message (a negative acknowledgement, a stream full or of the wrong type). */
  | 'rejected'
  | 'network';

/** What a receiver asked for in its `webhook-delivery` response header (README, "Receivers in control"). */
export interface DeliveryControl {
  /** `abort-message`: this delivery ends now as `aborted` (heeded on a non-2xx answer only). */
  abortMessage: boolean;
  /** `disable`: the endpoint is disabled, whatever the status code. */
  disable: boolean;
}

export const NO_DELIVERY_CONTROL: DeliveryControl = { abortMessage: false, disable: false };

/**
 * The `webhook-delivery` header's directives: case-insensitive, trimmed, and comma-separated so one
 * answer can carry both. Unknown words are ignored (a receiver written for a later version).
 */
export function parseDeliveryControl(value: string | undefined): DeliveryControl {
  if (value === undefined) return NO_DELIVERY_CONTROL;
  // Repeated header lines arrive joined with ", " (the sender flattens them), so they split here too.
  const words = new Set(value.split(',').map((word) => word.trim().toLowerCase()));
  return { abortMessage: words.has('abort-message'), disable: words.has('disable') };
}

/** Why an attempt's answer disables its endpoint: a 410 Gone, or the receiver's `webhook-delivery: disable`. */
export type DisableCause = 'gone' | 'receiver';

export type AttemptVerdict = (
  | { verdict: 'success' }
  /** Worth trying again if the schedule allows. */
  | { verdict: 'retry'; reason: string }
  /** Final without retries, by hookd's rules (410 Gone, dropOn4xx, a request that cannot be sent). */
  | { verdict: 'drop'; reason: string }
  /** Final without retries because the receiver said so (`webhook-delivery: abort-message`). */
  | { verdict: 'abort' }
) & { disableEndpoint: DisableCause | null };

export function classifyOutcome(result: AttemptResult, options: { dropOn4xx: boolean }): AttemptVerdict {
  if (result.kind === 'error') {
    // A URL that the guard refuses will be refused again: retrying only wastes the schedule.
    if (result.error === 'url_not_allowed' || result.error === 'invalid_request') {
      return { verdict: 'drop', reason: result.error, disableEndpoint: null };
    }
    return { verdict: 'retry', reason: result.error, disableEndpoint: null };
  }
  const status = result.statusCode;
  // The receiver's explicit word names the cause even when it also answers 410.
  const disableEndpoint: DisableCause | null = result.control.disable ? 'receiver' : status === 410 ? 'gone' : null;
  if (status >= 200 && status < 300) return { verdict: 'success', disableEndpoint };
  if (result.control.abortMessage) return { verdict: 'abort', disableEndpoint };
  if (status === 410) return { verdict: 'drop', reason: 'http_410', disableEndpoint };
  // 408 and 429 say "not now", never "never": they are retried even with dropOn4xx.
  if (status === 408 || status === 429) return { verdict: 'retry', reason: `http_${status}`, disableEndpoint };
  if (status >= 400 && status < 500 && options.dropOn4xx) {
    return { verdict: 'drop', reason: `http_${status}`, disableEndpoint };
  }
  // 3xx is not followed (a redirect could lead past the URL guard) and counts as a failure.
  return { verdict: 'retry', reason: `http_${status}`, disableEndpoint };
}
