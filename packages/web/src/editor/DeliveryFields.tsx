import type { DeliveryOrdering, RetrySchedule, SigningScheme } from '@hookd/sdk/client';
import { Field } from '../components/ui.js';
import type { FormSectionProps } from './form-model.js';

// How deliveries are made: retries and their schedule, the timeout of each attempt, a rate limit,
// how requests are signed, and whether deliveries of one ordering key go one at a time.

const SCHEDULES: Array<{ value: RetrySchedule; label: string }> = [
  { value: 'exponential', label: 'Exponential (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)' },
  { value: 'fixed', label: 'Fixed interval' },
  { value: 'custom', label: 'Custom delays' },
];

const SIGNING: Array<{ value: SigningScheme; label: string }> = [
  { value: 'hmac', label: 'HMAC-SHA256 (v1): receivers verify with the secret' },
  { value: 'ed25519', label: 'ed25519 (v1a): receivers verify with a public key' },
  { value: 'both', label: 'Both: a v1 and a v1a signature on each request' },
];

const ORDERING: Array<{ value: DeliveryOrdering; label: string }> = [
  { value: 'none', label: 'None: deliveries go in parallel' },
  { value: 'fifo', label: 'FIFO: one at a time per orderingKey, in ingest order' },
];

export function DeliveryFields({ form, update, problem }: FormSectionProps) {
  return (
    <fieldset className="section">
      <legend>Delivery</legend>
      <div className="grid-2">
        <div className="field checkbox-field">
          <label>
            <input type="checkbox" checked={form.retryEnabled} onChange={(e) => update({ retryEnabled: e.target.checked })} /> Retry if error
          </label>
          <p className="hint">Off: one attempt only.</p>
        </div>
        <div className="field checkbox-field">
          <label>
            <input type="checkbox" checked={form.dropOn4xx} onChange={(e) => update({ dropOn4xx: e.target.checked })} /> A 4xx answer is final
          </label>
          <p className="hint">Never retry client errors (408 and 429 excepted).</p>
        </div>
        {form.retryEnabled && (
          <Field label="Retry schedule" error={problem('/retry/schedule')} className="span-2">
            {(id) => (
              // A new schedule brings its own jitter default (the API's rule): exponential spreads, the others are exact.
              <select
                id={id}
                value={form.schedule}
                onChange={(e) => update({ schedule: e.target.value as RetrySchedule, jitter: e.target.value === 'exponential' })}
              >
                {SCHEDULES.map((schedule) => (
                  <option key={schedule.value} value={schedule.value}>
                    {schedule.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {form.retryEnabled && form.schedule === 'fixed' && (
          <>
            <Field label="Interval (seconds)" error={problem('/retry/intervalSeconds')} hint="Default 300.">
              {(id, described) => <input id={id} aria-describedby={described} inputMode="numeric" value={form.intervalSeconds} placeholder="300" onChange={(e) => update({ intervalSeconds: e.target.value })} />}
            </Field>
            <Field label="Attempts in all" error={problem('/retry/maxAttempts')} hint="The first one included; default 16.">
              {(id, described) => <input id={id} aria-describedby={described} inputMode="numeric" value={form.maxAttempts} placeholder="16" onChange={(e) => update({ maxAttempts: e.target.value })} />}
            </Field>
          </>
        )}
        {form.retryEnabled && form.schedule === 'custom' && (
          <Field label="Delays before each retry (seconds)" error={problem('/retry/delaysSeconds')} hint="Comma-separated, e.g. 10, 60, 600." className="span-2">
            {(id, described) => <input id={id} aria-describedby={described} className="mono" value={form.delays} placeholder="10, 60, 600" onChange={(e) => update({ delays: e.target.value })} />}
          </Field>
        )}
        {form.retryEnabled && (
          <div className="field checkbox-field span-2">
            <label>
              <input type="checkbox" checked={form.jitter} onChange={(e) => update({ jitter: e.target.checked })} /> Jitter
            </label>
            <p className="hint">Spread each delay by ±10 % so that retries of many deliveries do not arrive together.</p>
          </div>
        )}
        <Field label="Timeout (ms)" error={problem('/timeoutMs')} hint="Per attempt, 1000–60000.">
          {(id, described) => <input id={id} aria-describedby={described} inputMode="numeric" value={form.timeoutMs} onChange={(e) => update({ timeoutMs: e.target.value })} />}
        </Field>
        <Field label="Rate limit (attempts per second)" error={problem('/rateLimitPerSecond')} hint="Empty: no limit.">
          {(id, described) => <input id={id} aria-describedby={described} inputMode="numeric" value={form.rateLimitPerSecond} onChange={(e) => update({ rateLimitPerSecond: e.target.value })} />}
        </Field>
        <Field label="Signing" error={problem('/signing')} hint="ed25519: hookd publishes the public key; receivers hold no secret." className="span-2">
          {(id, described) => (
            <select id={id} aria-describedby={described} value={form.signing} onChange={(e) => update({ signing: e.target.value as SigningScheme })}>
              {SIGNING.map((scheme) => (
                <option key={scheme.value} value={scheme.value}>
                  {scheme.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Ordering" error={problem('/ordering')} hint="FIFO: the next delivery of an event's orderingKey starts once the one before has ended." className="span-2">
          {(id, described) => (
            <select id={id} aria-describedby={described} value={form.ordering} onChange={(e) => update({ ordering: e.target.value as DeliveryOrdering })}>
              {ORDERING.map((ordering) => (
                <option key={ordering.value} value={ordering.value}>
                  {ordering.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
    </fieldset>
  );
}
