import type { RetrySchedule, SigningScheme } from '@hookd/sdk/client';
import { Field } from '../components/ui.js';
import type { FormSectionProps } from './form-model.js';

// How deliveries are made: retries and their schedule, the timeout of each attempt, a rate limit,
// and how requests are signed.

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
              <select id={id} value={form.schedule} onChange={(e) => update({ schedule: e.target.value as RetrySchedule })}>
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
      </div>
    </fieldset>
  );
}
