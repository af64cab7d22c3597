import type { components } from './openapi.js';
import type { QueryOf, RequestBody, Route, SuccessBody } from './typed-routes.js';

// The resources and inputs of the API under the names the contract uses, all read from the
// generated OpenAPI types (see typed-routes.ts): nothing here is written by hand twice.

type Schemas = components['schemas'];

export type ApiKey = Schemas['ApiKey'];
export type KeyKind = ApiKey['kind'];
export type Account = Schemas['Account'];
export type EventType = Schemas['EventType'];
/** A payload field of an event type, as templates and json bodies name it. */
export type EventTypeParameter = EventType['parameters'][number];
export type Endpoint = Schemas['Endpoint'];
export type EndpointMethod = Endpoint['method'];
export type BodyFormat = Endpoint['body']['format'];
export type RetrySchedule = Endpoint['retry']['schedule'];
/** How requests are signed: `v1` HMAC entries, `v1a` ed25519 entries, or both. */
export type SigningScheme = Endpoint['signing'];
/** `fifo`: deliveries sharing an event's orderingKey go one at a time, in ingest order. */
export type DeliveryOrdering = Endpoint['ordering'];
/** How hookd authenticates to the receiver, as the API shows it (never the secret). */
export type EndpointAuth = Schemas['EndpointAuth'];
/** `auth` as sent: the secret (password, token, clientSecret, keyPem) may be left out of an update to keep it. */
export type EndpointAuthInput = Schemas['EndpointAuthInput'];
/** Where deliveries go: `http` (the default) or a broker (`rabbitmq`, `nats`, `redis`) at the endpoint's `url`. */
export type EndpointDestination = Schemas['EndpointDestination'];
export type DestinationType = EndpointDestination['type'];
/** `destination` as sent: `routingKey` and `maxLen` have defaults. */
export type EndpointDestinationInput = Schemas['EndpointDestinationInput'];
/** A stored event (named so that it does not shadow the DOM's `Event`). */
export type HookdEvent = Schemas['Event'];
export type AcceptedEvent = Schemas['AcceptedEvent'];
export type Delivery = Schemas['Delivery'];
export type DeliveryStatus = Delivery['status'];
export type Attempt = Schemas['Attempt'];
export type Operation = Schemas['Operation'];
export type OperationStatus = Operation['status'];
/** An operation with the deliveries of its webhooks (GET /v1/operations/{protocol}). */
export type OperationWithDeliveries = SuccessBody<Route<'/v1/operations/{protocol}', 'get'>>;

/** An ISO-8601 timestamp, or a Date that the SDK turns into one. */
export type Timestamp = string | Date;
/** T with the fields K also taking a Date (optional ones stay optional). */
type WithTimestamps<T, K extends keyof T> = { [P in keyof T]: P extends K ? Timestamp | Exclude<T[P], string> : T[P] };

export type CreateKeyInput = RequestBody<Route<'/v1/keys', 'post'>>;
export type CreatedKey = SuccessBody<Route<'/v1/keys', 'post'>>;
export type ListKeysQuery = QueryOf<Route<'/v1/keys', 'get'>>;

export type ListAccountsQuery = QueryOf<Route<'/v1/accounts', 'get'>>;
export type UpdateAccountInput = RequestBody<Route<'/v1/accounts/{id}', 'put'>>;
export type CreatePortalSessionInput = RequestBody<Route<'/v1/accounts/{id}/portal-sessions', 'post'>>;
export type PortalSession = SuccessBody<Route<'/v1/accounts/{id}/portal-sessions', 'post'>>;

/** What the key in use is: kind, account, expiry. */
export type KeyIdentity = SuccessBody<Route<'/v1/me', 'get'>>;

export type ListEventTypesQuery = QueryOf<Route<'/v1/event-types', 'get'>>;
export type CreateEventTypeInput = RequestBody<Route<'/v1/event-types', 'post'>>;
export type UpdateEventTypeInput = RequestBody<Route<'/v1/event-types/{name}', 'put'>>;

export type CreateEndpointInput = RequestBody<Route<'/v1/endpoints', 'post'>>;
/** The endpoint with its signing secret: only the create answer carries it. */
export type CreatedEndpoint = SuccessBody<Route<'/v1/endpoints', 'post'>>;
export type UpdateEndpointInput = RequestBody<Route<'/v1/endpoints/{id}', 'patch'>>;
export type ListEndpointsQuery = QueryOf<Route<'/v1/endpoints', 'get'>>;
export type EndpointSecret = SuccessBody<Route<'/v1/endpoints/{id}/secret', 'get'>>;
export type RotateSecretInput = RequestBody<Route<'/v1/endpoints/{id}/secret/rotate', 'post'>>;
export type RotatedSecret = SuccessBody<Route<'/v1/endpoints/{id}/secret/rotate', 'post'>>;
/** An endpoint's ed25519 public keys (`whpk_…`): the current one and, during a rotation's grace period, the old one. */
export type EndpointPublicKeys = SuccessBody<Route<'/v1/public-keys/{endpointId}', 'get'>>;
export type TestEndpointInput = RequestBody<Route<'/v1/endpoints/{id}/test', 'post'>>;
export type EndpointTestResult = SuccessBody<Route<'/v1/endpoints/{id}/test', 'post'>>;
export type RecoverInput = WithTimestamps<RequestBody<Route<'/v1/endpoints/{id}/recover', 'post'>>, 'since'>;
export type RecoverResult = SuccessBody<Route<'/v1/endpoints/{id}/recover', 'post'>>;
export type EndpointStats = SuccessBody<Route<'/v1/endpoints/{id}/stats', 'get'>>;
/** Attempts by outcome and latency percentiles over one window (the last hour, the last day). */
export type EndpointStatsWindow = EndpointStats['lastHour'];
/** One hour of the stats' `series`. */
export type EndpointStatsBucket = EndpointStats['series'][number];
export type PreviewInput = RequestBody<Route<'/v1/endpoints/preview', 'post'>>;
export type PreviewedRequest = SuccessBody<Route<'/v1/endpoints/preview', 'post'>>;

export type SendEventInput = WithTimestamps<RequestBody<Route<'/v1/events', 'post'>>, 'occurredAt'>;
export type BatchResult = SuccessBody<Route<'/v1/events/batch', 'post'>>;
export type ListEventsQuery = WithTimestamps<QueryOf<Route<'/v1/events', 'get'>>, 'since' | 'until'>;
export type EventWithDeliveries = SuccessBody<Route<'/v1/events/{id}', 'get'>>;
export type ReplayInput = RequestBody<Route<'/v1/events/{id}/replay', 'post'>>;
export type ReplayResult = SuccessBody<Route<'/v1/events/{id}/replay', 'post'>>;

export type ListDeliveriesQuery = QueryOf<Route<'/v1/deliveries', 'get'>>;
export type ListAttemptsQuery = QueryOf<Route<'/v1/deliveries/{id}/attempts', 'get'>>;

export type CreateOperationInput = RequestBody<Route<'/v1/operations', 'post'>>;
export type StartedOperation = SuccessBody<Route<'/v1/operations', 'post'>>;
export type CompleteOperationInput = RequestBody<Route<'/v1/operations/{protocol}/complete', 'post'>>;
export type ListOperationsQuery = QueryOf<Route<'/v1/operations', 'get'>>;
