import type { DestinationType } from '@hookd/sdk/client';
import type { ChangeEvent, FocusEvent } from 'react';
import { Field } from '../components/ui.js';
import { BROKER_LABEL, isBrokerType, type FormSectionProps } from './form-model.js';

// A broker destination's own fields: the URL's password (write-only, like an auth secret: never
// shown, only said to be set; left empty to keep the stored one) and where the message goes — RabbitMQ's exchange and
// routing key, NATS's subject, Redis's stream. The routing key, subject and stream are templates:
// the field picker inserts into them like into a header value.

export const DESTINATION_OPTIONS: Array<{ value: DestinationType; label: string }> = [
  { value: 'http', label: 'HTTP(S) receiver' },
  { value: 'rabbitmq', label: `${BROKER_LABEL.rabbitmq} exchange` },
  { value: 'nats', label: `${BROKER_LABEL.nats} subject` },
  { value: 'redis', label: `${BROKER_LABEL.redis} stream` },
];

export const URL_PLACEHOLDER: Record<DestinationType, string> = {
  http: 'https://example.com/webhooks',
  rabbitmq: 'amqp://user@mq.internal:5672/vhost',
  nats: 'nats://user@nats.internal:4222',
  redis: 'redis://default@cache.internal:6379/0',
};

type Track = (element: HTMLInputElement, apply: (value: string) => void) => void;

export function BrokerFields({ form, update, problem, track }: FormSectionProps & { track: Track }) {
  const type = form.destinationType;
  if (!isBrokerType(type)) return null;
  const keeping = type === form.destinationStoredType;
  const stored = keeping && form.destinationHasPassword;
  const passwordHint = stored
    ? 'Password set, never shown: leave empty to keep it, or type a new one.'
    : keeping
      ? 'No password is stored. Empty for a broker that asks for none.'
      : 'Write-only: it is never shown again. Empty for a broker that asks for none.';
  const template = (value: string, apply: (value: string) => void) => ({
    className: 'mono',
    value,
    onChange: (e: ChangeEvent<HTMLInputElement>) => apply(e.target.value),
    onFocus: (e: FocusEvent<HTMLInputElement>) => track(e.target, apply),
  });
  return (
    <>
      <Field label="Broker password" hint={passwordHint}>
        {(id, described) => (
          <input id={id} aria-describedby={described} type="password" autoComplete="new-password" placeholder={stored ? '(password set)' : ''} value={form.brokerPassword} onChange={(e) => update({ brokerPassword: e.target.value })} />
        )}
      </Field>
      {type === 'rabbitmq' && (
        <>
          <Field label="Exchange" error={problem('/destination/exchange')} hint='Empty: the default exchange, which routes to the queue the routing key names.'>
            {(id, described) => <input id={id} aria-describedby={described} className="mono" value={form.exchange} placeholder="hooks" onChange={(e) => update({ exchange: e.target.value })} />}
          </Field>
          <Field label="Routing key" error={problem('/destination/routingKey')} hint="A template. Empty: {{event.type}}.">
            {(id, described) => <input id={id} aria-describedby={described} placeholder="{{event.type}}" {...template(form.routingKey, (routingKey) => update({ routingKey }))} />}
          </Field>
        </>
      )}
      {type === 'nats' && (
        <Field label="Subject" error={problem('/destination/subject')} hint="A template; a JetStream stream must capture the subject." className="span-2">
          {(id, described) => <input id={id} aria-describedby={described} placeholder="hooks.{{event.type}}" {...template(form.subject, (subject) => update({ subject }))} />}
        </Field>
      )}
      {type === 'redis' && (
        <>
          <Field label="Stream" error={problem('/destination/stream')} hint="A template: the key XADD appends to.">
            {(id, described) => <input id={id} aria-describedby={described} placeholder="hooks:{{event.type}}" {...template(form.stream, (stream) => update({ stream }))} />}
          </Field>
          <Field label="Keep about (entries)" error={problem('/destination/maxLen')} hint="The stream is trimmed to about this many (MAXLEN ~). Empty: 100000.">
            {(id, described) => <input id={id} aria-describedby={described} inputMode="numeric" value={form.maxLen} placeholder="100000" onChange={(e) => update({ maxLen: e.target.value })} />}
          </Field>
        </>
      )}
    </>
  );
}
