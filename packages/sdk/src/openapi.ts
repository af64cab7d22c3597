// Generated from hookd's GET /openapi.json by packages/sdk/scripts/generate-openapi.mjs.
// Do not edit by hand: run `npm run generate -w @hookd/sdk` after changing a route's schema.
/* eslint-disable */

export interface paths {
    "/v1/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List accounts
         * @description Accounts in id order.
         */
        get: operations["accounts.list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an account */
        get: operations["accounts.get"];
        /**
         * Create or update an account
         * @description Creates or updates an account. `enabled: false` stops new deliveries to its endpoints.
         */
        put: operations["accounts.update"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{id}/callback-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an account's callback signing secret
         * @description The signing secret of deliveries to the callbackUrl of this account's events: admin keys and the account's own keys. Created the first time it is asked for or needed.
         */
        get: operations["accounts.callbackSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{id}/portal-sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a portal link for an account
         * @description A magic link to the account's self-service portal: a short-lived account key (60 s to 7 days, default 1 hour) and the portal URL carrying it. Call it from your backend and hand the URL to your customer.
         */
        post: operations["accounts.createPortalSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/callback-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the provider's callback signing secret
         * @description The signing secret of deliveries to the callbackUrl of events without an account (an account's events use its own: GET /v1/accounts/{id}/callback-secret).
         */
        get: operations["callbackSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List deliveries */
        get: operations["deliveries.list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a delivery */
        get: operations["deliveries.get"];
        put?: never;
        post?: never;
        /**
         * Cancel a pending delivery
         * @description Cancels a pending delivery. 409 when it is in flight or finished.
         */
        delete: operations["deliveries.cancel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries/{id}/attempts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a delivery's attempts
         * @description Attempts, newest first, with the request headers sent (credential headers redacted; the signature is kept) and the first 4 KiB of the response.
         */
        get: operations["deliveries.attempts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry a delivery now
         * @description One immediate new attempt, whatever the status. A pending delivery is simply made due now; a finished one gets exactly one more attempt (outside its ordering key: it is sent at once). 409 while it is in flight, or while it waits for the delivery before it in its ordering key.
         */
        post: operations["deliveries.retry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List endpoints */
        get: operations["endpoints.list"];
        put?: never;
        /**
         * Create an endpoint
         * @description Creates a subscription. The reply carries the signing secret; GET …/secret shows it again. 409 when the account already has HOOKD_ACCOUNT_MAX_ENDPOINTS endpoints.
         */
        post: operations["endpoints.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an endpoint */
        get: operations["endpoints.get"];
        put?: never;
        post?: never;
        /**
         * Delete an endpoint
         * @description Deletes the endpoint; its pending deliveries are canceled.
         */
        delete: operations["endpoints.delete"];
        options?: never;
        head?: never;
        /**
         * Update an endpoint
         * @description Changes the fields given. `active: true` clears disabledReason.
         */
        patch: operations["endpoints.update"];
        trace?: never;
    };
    "/v1/endpoints/{id}/recover": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry an endpoint's failed deliveries
         * @description Re-queues every failed delivery of this endpoint created since `since`, each for one new attempt.
         */
        post: operations["endpoints.recover"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End an endpoint's pause now
         * @description Ends a pause set by the receiver (429 or 503 with Retry-After) or by the circuit breaker, and closes the breaker: the endpoint's waiting deliveries are attempted at once, their attempt counts unchanged. An endpoint that is not paused is returned as it is.
         */
        post: operations["endpoints.resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an endpoint's signing secret */
        get: operations["endpoints.getSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}/secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate an endpoint's signing secret
         * @description Replaces the signing secret, and the ed25519 key pair when signing uses ed25519. During the grace period (default 24 h) every request carries both signatures of each kind, new first, and the old public key stays published.
         */
        post: operations["endpoints.rotateSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an endpoint's delivery statistics
         * @description Attempts by outcome and latency percentiles over the last hour and the last day, and `series`: the last 24 hours hour by hour (oldest first, the current hour last), for charts. Read from per-minute rollups: a window starts at the beginning of the minute an hour (a day) ago; percentiles come from a latency histogram, exact below 10 ms and within 14 % above.
         */
        get: operations["endpoints.stats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a test delivery to an endpoint
         * @description Sends one real delivery to this endpoint now (no retries) and returns its attempt: status, latency, response excerpt.
         */
        post: operations["endpoints.test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/endpoints/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Preview the request an endpoint would send
         * @description The exact HTTP request hookd would send for this endpoint definition and an event of `eventType` (its first example) or `payload` — for a broker destination, the message it would publish. Nothing is sent or stored.
         */
        post: operations["endpoints.preview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/event-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List event types
         * @description The catalog, in name order. Archived types are left out unless includeArchived=true.
         */
        get: operations["eventTypes.list"];
        put?: never;
        /** Create an event type */
        post: operations["eventTypes.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/event-types/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an event type */
        get: operations["eventTypes.get"];
        /**
         * Replace an event type
         * @description Replaces the type's description, category, schema, examples and parameters. Absent fields are reset.
         */
        put: operations["eventTypes.update"];
        post?: never;
        /**
         * Archive an event type
         * @description Archives the type: new events of it are refused in strict mode; stored events are kept.
         */
        delete: operations["eventTypes.archive"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List events */
        get: operations["events.list"];
        put?: never;
        /**
         * Send an event
         * @description Ingests one event. 202 once the event and its deliveries are committed; 200 when `id` repeats an event of the last 24 h.
         */
        post: operations["events.send"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an event with its deliveries
         * @description With `?payload=text` the payload is the exact JSON text the publisher sent, as a string.
         */
        get: operations["events.get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replay an event
         * @description Sends the event again as new deliveries (new webhook-ids): to the endpoints subscribed now and its callbackUrl, or only to `endpointIds`.
         */
        post: operations["events.replay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a batch of events
         * @description Ingests up to 500 events (a body of at most 5 MiB) in one transaction: all are stored, or none.
         */
        post: operations["events.sendBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API keys */
        get: operations["keys.list"];
        put?: never;
        /** Create an API key */
        post: operations["keys.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key */
        delete: operations["keys.revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Describe the calling key
         * @description The key making the request: its kind, account and expiry. Any key may ask, so that a client (the dashboard, the portal) can tell what it may do.
         */
        get: operations["me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List operations */
        get: operations["operations.list"];
        put?: never;
        /**
         * Start an operation
         * @description Starts tracking a long-running action. Answers at once with its protocol number; a webhook of `type` follows when it completes or times out.
         */
        post: operations["operations.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operations/{protocol}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an operation
         * @description The polling fallback: status, timestamps and the deliveries of its webhooks.
         */
        get: operations["operations.get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operations/{protocol}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Complete an operation
         * @description The provider's worker reports the outcome. A completion after the timeout is accepted and delivered with `late: true`. 409 when it already has an outcome.
         */
        post: operations["operations.complete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/public-keys/{endpointId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an endpoint's ed25519 public keys
         * @description Needs no key. The keys that verify the endpoint's `v1a` signatures: the current one and, during a rotation's grace period, the old one with its `until`. 404 when the endpoint does not exist or does not sign with ed25519.
         */
        get: operations["endpoints.getPublicKeys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AcceptedEvent: {
            accountId: string | null;
            /** Format: date-time */
            createdAt: string;
            deliveries: number;
            id: string;
            type: string;
        };
        Account: {
            /** Format: date-time */
            createdAt: string;
            enabled: boolean;
            id: string;
            metadata: {
                [key: string]: unknown;
            };
            name: string | null;
            /** Format: date-time */
            updatedAt: string;
        };
        ApiKey: {
            accountId: string | null;
            /** Format: date-time */
            createdAt: string;
            expiresAt: string | null;
            id: string;
            kind: "admin" | "publisher" | "account";
            lastUsedAt: string | null;
            name: string | null;
            rateLimitPerSecond: number | null;
        };
        Attempt: {
            deliveryId: string;
            durationMs: number;
            error: string | null;
            id: string;
            requestBody: string | null;
            requestHeaders: {
                [key: string]: string;
            };
            requestMethod: string | null;
            requestUrl: string | null;
            responseBody: string | null;
            responseHeaders: {
                [key: string]: string;
            };
            /** Format: date-time */
            startedAt: string;
            statusCode: number | null;
        };
        BasicAuth: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "basic";
            username: string;
        };
        BasicAuthInput: {
            /** @description Write-only. */
            password?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "basic";
            username: string;
        };
        BearerAuth: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "bearer";
        };
        BearerAuthInput: {
            /** @description Write-only. */
            token?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "bearer";
        };
        Delivery: {
            accountId: string | null;
            attempts: number;
            /** @description On a `fifo` endpoint, the unfinished delivery of the same orderingKey this one waits for (it has no nextAttemptAt meanwhile). */
            blockedBy: string | null;
            completedAt: string | null;
            correlationId: string | null;
            /** Format: date-time */
            createdAt: string;
            endpointId: string | null;
            eventId: string;
            eventType: string;
            id: string;
            lastError: string | null;
            lastStatusCode: number | null;
            nextAttemptAt: string | null;
            status: "pending" | "sending" | "succeeded" | "failed" | "dropped" | "canceled" | "aborted";
            url: string;
        };
        Endpoint: {
            accountId: string | null;
            active: boolean;
            auth: components["schemas"]["EndpointAuth"] | null;
            body: {
                contentType?: string;
                fields?: string[];
                format: "standard" | "raw" | "json" | "text";
                template?: string;
                userParams?: {
                    [key: string]: unknown;
                };
            };
            /** Format: date-time */
            createdAt: string;
            description: string;
            destination: components["schemas"]["EndpointDestination"];
            disabledReason: string | null;
            eventTypes: string[];
            filter: {
                in: (string | number | boolean | null)[];
                path: string;
            } | null;
            headers: {
                [key: string]: string;
            };
            id: string;
            method: "POST" | "PUT" | "PATCH" | "GET";
            /** @description `fifo`: deliveries sharing an event `orderingKey` are attempted one at a time in ingest order (null is one key of its own); different keys go in parallel. */
            ordering: "none" | "fifo";
            queryParams: {
                [key: string]: string;
            };
            rateLimitPerSecond: number | null;
            retry: {
                delaysSeconds?: number[];
                dropOn4xx: boolean;
                enabled: boolean;
                intervalSeconds?: number;
                jitter: boolean;
                maxAttempts?: number;
                schedule: "exponential" | "fixed" | "custom";
            };
            /** @description How requests are signed: `v1` (HMAC-SHA256), `v1a` (ed25519) or both entries in webhook-signature. */
            signing: "hmac" | "ed25519" | "both";
            state: {
                /** @description Attempts in flight at once to this endpoint (per node). */
                concurrency: number;
                mode: "normal" | "throttled" | "paused";
                reason: string | null;
                until: string | null;
            };
            timeoutMs: number;
            title: string;
            /** Format: date-time */
            updatedAt: string;
            url: string;
        };
        /** @description How hookd authenticates to the receiver, without its secret (write-only). */
        EndpointAuth: components["schemas"]["BasicAuth"] | components["schemas"]["BearerAuth"] | components["schemas"]["Oauth2Auth"] | components["schemas"]["MtlsAuth"];
        /** @description How hookd authenticates to the receiver. The secret field (password, token, clientSecret, keyPem) is write-only; leave it out of a PATCH to keep the stored one. */
        EndpointAuthInput: components["schemas"]["BasicAuthInput"] | components["schemas"]["BearerAuthInput"] | components["schemas"]["Oauth2AuthInput"] | components["schemas"]["MtlsAuthInput"];
        /** @description Where deliveries go; the broker URL is the endpoint's `url`, shown without its password. */
        EndpointDestination: components["schemas"]["HttpDestination"] | components["schemas"]["RabbitMqDestination"] | components["schemas"]["NatsDestination"] | components["schemas"]["RedisDestination"];
        /** @description Where deliveries go: `http` (the default) sends to `url`; `rabbitmq`, `nats` and `redis` publish to the broker at `url` (amqp[s]://user:password@host:5672/vhost, nats://user:password@host:4222 or tls://, redis[s]://user:password@host:6379/0). The URL's password is write-only: a PATCH whose broker URL has none keeps the stored one. */
        EndpointDestinationInput: components["schemas"]["HttpDestinationInput"] | components["schemas"]["RabbitMqDestinationInput"] | components["schemas"]["NatsDestinationInput"] | components["schemas"]["RedisDestinationInput"];
        Event: {
            accountId: string | null;
            callbackUrl: string | null;
            correlationId: string | null;
            /** Format: date-time */
            createdAt: string;
            id: string;
            /** Format: date-time */
            occurredAt: string;
            orderingKey: string | null;
            payload: unknown;
            type: string;
        };
        EventType: {
            archived: boolean;
            builtIn: boolean;
            category: string | null;
            /** Format: date-time */
            createdAt: string;
            description: string;
            examples: unknown[];
            name: string;
            parameters: {
                description: string;
                path: string;
                type: string;
            }[];
            schema: {
                [key: string]: unknown;
            } | null;
            /** Format: date-time */
            updatedAt: string;
        };
        HttpDestination: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "http";
        };
        HttpDestinationInput: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "http";
        };
        MtlsAuth: {
            /** @description CA the receiver's certificate must chain to (PEM). */
            caPem?: string;
            /** @description Client certificate (PEM). */
            certPem: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "mtls";
        };
        MtlsAuthInput: {
            /** @description CA the receiver's certificate must chain to (PEM). */
            caPem?: string;
            /** @description Client certificate (PEM). */
            certPem: string;
            /** @description Private key of certPem (PEM, unencrypted). Write-only. */
            keyPem?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "mtls";
        };
        NatsDestination: {
            /** @description Read-only: whether a password (NATS: a token) is stored for the broker URL. The password itself is never shown. */
            readonly hasPassword: boolean;
            /** @description Template, e.g. `hooks.{{event.type}}`; a JetStream stream must capture it. */
            subject: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "nats";
        };
        NatsDestinationInput: {
            /** @description Template, e.g. `hooks.{{event.type}}`; a JetStream stream must capture it. */
            subject: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "nats";
        };
        Oauth2Auth: {
            audience?: string;
            clientId: string;
            scope?: string;
            /** @description Client-credentials token endpoint; passes the URL guard. */
            tokenUrl: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "oauth2";
        };
        Oauth2AuthInput: {
            audience?: string;
            clientId: string;
            /** @description Write-only. */
            clientSecret?: string;
            scope?: string;
            /** @description Client-credentials token endpoint; passes the URL guard. */
            tokenUrl: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "oauth2";
        };
        Operation: {
            accountId: string | null;
            callbackUrl: string | null;
            completedAt: string | null;
            data: unknown;
            /** Format: date-time */
            expiresAt: string;
            late: boolean;
            protocol: string;
            /** Format: date-time */
            requestedAt: string;
            result: unknown;
            status: "pending" | "succeeded" | "failed" | "timed_out";
            subject: string | null;
            timedOutAt: string | null;
            type: string;
        };
        RabbitMqDestination: {
            /** @description The exchange published to ("" is the default exchange, which routes to the queue named by the routing key). */
            exchange: string;
            /** @description Read-only: whether a password (NATS: a token) is stored for the broker URL. The password itself is never shown. */
            readonly hasPassword: boolean;
            /** @description Template; default `{{event.type}}`. */
            routingKey: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "rabbitmq";
        };
        RabbitMqDestinationInput: {
            /** @description The exchange published to ("" is the default exchange, which routes to the queue named by the routing key). */
            exchange: string;
            /** @description Template; default `{{event.type}}`. */
            routingKey?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "rabbitmq";
        };
        RedisDestination: {
            /** @description Read-only: whether a password (NATS: a token) is stored for the broker URL. The password itself is never shown. */
            readonly hasPassword: boolean;
            /** @description The stream is trimmed to about this many entries (`MAXLEN ~`). Default 100000. */
            maxLen: number;
            /** @description Template: the stream key XADD appends to. */
            stream: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "redis";
        };
        RedisDestinationInput: {
            /** @description The stream is trimmed to about this many entries (`MAXLEN ~`). Default 100000. */
            maxLen?: number;
            /** @description Template: the stream key XADD appends to. */
            stream: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "redis";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    "accounts.list": {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Account"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "accounts.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        enabled: boolean;
                        id: string;
                        metadata: {
                            [key: string]: unknown;
                        };
                        name: string | null;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "accounts.update": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    enabled?: boolean;
                    metadata?: {
                        [key: string]: unknown;
                    };
                    name?: string | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        enabled: boolean;
                        id: string;
                        metadata: {
                            [key: string]: unknown;
                        };
                        name: string | null;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "accounts.callbackSecret": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        secret: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "accounts.createPortalSession": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default 3600 */
                    ttlSeconds?: number;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        expiresAt: string;
                        /** @description The key behind the session: DELETE /v1/keys/{keyId} ends it early. */
                        keyId: string;
                        /** @description An account key that expires at expiresAt. */
                        token: string;
                        /** @description The portal, with the token in the fragment (#token=…): absolute on HOOKD_PUBLIC_URL when set, else relative (`/portal#token=…`). */
                        url: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    callbackSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        secret: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "deliveries.list": {
        parameters: {
            query?: {
                correlationId?: string;
                cursor?: string;
                endpointId?: string;
                eventId?: string;
                limit?: number;
                status?: "pending" | "sending" | "succeeded" | "failed" | "dropped" | "canceled" | "aborted";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Delivery"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "deliveries.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        attempts: number;
                        /** @description On a `fifo` endpoint, the unfinished delivery of the same orderingKey this one waits for (it has no nextAttemptAt meanwhile). */
                        blockedBy: string | null;
                        completedAt: string | null;
                        correlationId: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        endpointId: string | null;
                        eventId: string;
                        eventType: string;
                        id: string;
                        lastError: string | null;
                        lastStatusCode: number | null;
                        nextAttemptAt: string | null;
                        status: "pending" | "sending" | "succeeded" | "failed" | "dropped" | "canceled" | "aborted";
                        url: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "deliveries.cancel": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        attempts: number;
                        /** @description On a `fifo` endpoint, the unfinished delivery of the same orderingKey this one waits for (it has no nextAttemptAt meanwhile). */
                        blockedBy: string | null;
                        completedAt: string | null;
                        correlationId: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        endpointId: string | null;
                        eventId: string;
                        eventType: string;
                        id: string;
                        lastError: string | null;
                        lastStatusCode: number | null;
                        nextAttemptAt: string | null;
                        status: "pending" | "sending" | "succeeded" | "failed" | "dropped" | "canceled" | "aborted";
                        url: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description conflict: the resource is not in a state that allows this. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "deliveries.attempts": {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Attempt"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "deliveries.retry": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        attempts: number;
                        /** @description On a `fifo` endpoint, the unfinished delivery of the same orderingKey this one waits for (it has no nextAttemptAt meanwhile). */
                        blockedBy: string | null;
                        completedAt: string | null;
                        correlationId: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        endpointId: string | null;
                        eventId: string;
                        eventType: string;
                        id: string;
                        lastError: string | null;
                        lastStatusCode: number | null;
                        nextAttemptAt: string | null;
                        status: "pending" | "sending" | "succeeded" | "failed" | "dropped" | "canceled" | "aborted";
                        url: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description conflict: the resource is not in a state that allows this. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.list": {
        parameters: {
            query?: {
                accountId?: string;
                active?: boolean;
                cursor?: string;
                eventType?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Endpoint"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    accountId?: string | null;
                    active?: boolean;
                    auth?: components["schemas"]["EndpointAuthInput"] | null;
                    body?: {
                        contentType?: string;
                        fields?: string[];
                        format: "standard" | "raw" | "json" | "text";
                        template?: string;
                        userParams?: {
                            [key: string]: unknown;
                        };
                    };
                    description?: string;
                    destination?: components["schemas"]["EndpointDestinationInput"];
                    eventTypes?: string[];
                    filter?: {
                        in: (string | number | boolean | null)[];
                        path: string;
                    } | null;
                    headers?: {
                        [key: string]: string;
                    };
                    method?: "POST" | "PUT" | "PATCH" | "GET";
                    /** @description `fifo`: deliveries sharing an event `orderingKey` are attempted one at a time in ingest order (null is one key of its own); different keys go in parallel. */
                    ordering?: "none" | "fifo";
                    queryParams?: {
                        [key: string]: string;
                    };
                    rateLimitPerSecond?: number | null;
                    retry?: {
                        delaysSeconds?: number[];
                        dropOn4xx?: boolean;
                        enabled?: boolean;
                        intervalSeconds?: number;
                        /** @description Spread each delay by ±10 %. Default: true for exponential, false for fixed and custom (exact). */
                        jitter?: boolean;
                        maxAttempts?: number;
                        schedule?: "exponential" | "fixed" | "custom";
                    };
                    secret?: string;
                    /** @description How requests are signed: `v1` (HMAC-SHA256), `v1a` (ed25519) or both entries in webhook-signature. */
                    signing?: "hmac" | "ed25519" | "both";
                    /** @description Your own ed25519 signing key, `whsk_` + base64 of the 32-byte seed or of the 64-byte seed+public key; only with `signing` ed25519 or both. Write-only: the answer shows its public key. hookd generates one when left out. */
                    signingKey?: string;
                    timeoutMs?: number;
                    title?: string;
                    url: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"] & {
                        secret: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description conflict: the resource is not in a state that allows this. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description url_not_allowed: the URL points at a private or refused address. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        active: boolean;
                        auth: components["schemas"]["EndpointAuth"] | null;
                        body: {
                            contentType?: string;
                            fields?: string[];
                            format: "standard" | "raw" | "json" | "text";
                            template?: string;
                            userParams?: {
                                [key: string]: unknown;
                            };
                        };
                        /** Format: date-time */
                        createdAt: string;
                        description: string;
                        destination: components["schemas"]["EndpointDestination"];
                        disabledReason: string | null;
                        eventTypes: string[];
                        filter: {
                            in: (string | number | boolean | null)[];
                            path: string;
                        } | null;
                        headers: {
                            [key: string]: string;
                        };
                        id: string;
                        method: "POST" | "PUT" | "PATCH" | "GET";
                        /** @description `fifo`: deliveries sharing an event `orderingKey` are attempted one at a time in ingest order (null is one key of its own); different keys go in parallel. */
                        ordering: "none" | "fifo";
                        queryParams: {
                            [key: string]: string;
                        };
                        rateLimitPerSecond: number | null;
                        retry: {
                            delaysSeconds?: number[];
                            dropOn4xx: boolean;
                            enabled: boolean;
                            intervalSeconds?: number;
                            jitter: boolean;
                            maxAttempts?: number;
                            schedule: "exponential" | "fixed" | "custom";
                        };
                        /** @description How requests are signed: `v1` (HMAC-SHA256), `v1a` (ed25519) or both entries in webhook-signature. */
                        signing: "hmac" | "ed25519" | "both";
                        state: {
                            /** @description Attempts in flight at once to this endpoint (per node). */
                            concurrency: number;
                            mode: "normal" | "throttled" | "paused";
                            reason: string | null;
                            until: string | null;
                        };
                        timeoutMs: number;
                        title: string;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.delete": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.update": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    accountId?: string | null;
                    active?: boolean;
                    auth?: components["schemas"]["EndpointAuthInput"] | null;
                    body?: {
                        contentType?: string;
                        fields?: string[];
                        format: "standard" | "raw" | "json" | "text";
                        template?: string;
                        userParams?: {
                            [key: string]: unknown;
                        };
                    };
                    description?: string;
                    destination?: components["schemas"]["EndpointDestinationInput"];
                    eventTypes?: string[];
                    filter?: {
                        in: (string | number | boolean | null)[];
                        path: string;
                    } | null;
                    headers?: {
                        [key: string]: string;
                    };
                    method?: "POST" | "PUT" | "PATCH" | "GET";
                    /** @description `fifo`: deliveries sharing an event `orderingKey` are attempted one at a time in ingest order (null is one key of its own); different keys go in parallel. */
                    ordering?: "none" | "fifo";
                    queryParams?: {
                        [key: string]: string;
                    };
                    rateLimitPerSecond?: number | null;
                    retry?: {
                        delaysSeconds?: number[];
                        dropOn4xx?: boolean;
                        enabled?: boolean;
                        intervalSeconds?: number;
                        /** @description Spread each delay by ±10 %. Default: true for exponential, false for fixed and custom (exact). */
                        jitter?: boolean;
                        maxAttempts?: number;
                        schedule?: "exponential" | "fixed" | "custom";
                    };
                    /** @description How requests are signed: `v1` (HMAC-SHA256), `v1a` (ed25519) or both entries in webhook-signature. */
                    signing?: "hmac" | "ed25519" | "both";
                    timeoutMs?: number;
                    title?: string;
                    url?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        active: boolean;
                        auth: components["schemas"]["EndpointAuth"] | null;
                        body: {
                            contentType?: string;
                            fields?: string[];
                            format: "standard" | "raw" | "json" | "text";
                            template?: string;
                            userParams?: {
                                [key: string]: unknown;
                            };
                        };
                        /** Format: date-time */
                        createdAt: string;
                        description: string;
                        destination: components["schemas"]["EndpointDestination"];
                        disabledReason: string | null;
                        eventTypes: string[];
                        filter: {
                            in: (string | number | boolean | null)[];
                            path: string;
                        } | null;
                        headers: {
                            [key: string]: string;
                        };
                        id: string;
                        method: "POST" | "PUT" | "PATCH" | "GET";
                        /** @description `fifo`: deliveries sharing an event `orderingKey` are attempted one at a time in ingest order (null is one key of its own); different keys go in parallel. */
                        ordering: "none" | "fifo";
                        queryParams: {
                            [key: string]: string;
                        };
                        rateLimitPerSecond: number | null;
                        retry: {
                            delaysSeconds?: number[];
                            dropOn4xx: boolean;
                            enabled: boolean;
                            intervalSeconds?: number;
                            jitter: boolean;
                            maxAttempts?: number;
                            schedule: "exponential" | "fixed" | "custom";
                        };
                        /** @description How requests are signed: `v1` (HMAC-SHA256), `v1a` (ed25519) or both entries in webhook-signature. */
                        signing: "hmac" | "ed25519" | "both";
                        state: {
                            /** @description Attempts in flight at once to this endpoint (per node). */
                            concurrency: number;
                            mode: "normal" | "throttled" | "paused";
                            reason: string | null;
                            until: string | null;
                        };
                        timeoutMs: number;
                        title: string;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description url_not_allowed: the URL points at a private or refused address. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.recover": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: date-time */
                    since: string;
                };
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        requeued: number;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.resume": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        active: boolean;
                        auth: components["schemas"]["EndpointAuth"] | null;
                        body: {
                            contentType?: string;
                            fields?: string[];
                            format: "standard" | "raw" | "json" | "text";
                            template?: string;
                            userParams?: {
                                [key: string]: unknown;
                            };
                        };
                        /** Format: date-time */
                        createdAt: string;
                        description: string;
                        destination: components["schemas"]["EndpointDestination"];
                        disabledReason: string | null;
                        eventTypes: string[];
                        filter: {
                            in: (string | number | boolean | null)[];
                            path: string;
                        } | null;
                        headers: {
                            [key: string]: string;
                        };
                        id: string;
                        method: "POST" | "PUT" | "PATCH" | "GET";
                        /** @description `fifo`: deliveries sharing an event `orderingKey` are attempted one at a time in ingest order (null is one key of its own); different keys go in parallel. */
                        ordering: "none" | "fifo";
                        queryParams: {
                            [key: string]: string;
                        };
                        rateLimitPerSecond: number | null;
                        retry: {
                            delaysSeconds?: number[];
                            dropOn4xx: boolean;
                            enabled: boolean;
                            intervalSeconds?: number;
                            jitter: boolean;
                            maxAttempts?: number;
                            schedule: "exponential" | "fixed" | "custom";
                        };
                        /** @description How requests are signed: `v1` (HMAC-SHA256), `v1a` (ed25519) or both entries in webhook-signature. */
                        signing: "hmac" | "ed25519" | "both";
                        state: {
                            /** @description Attempts in flight at once to this endpoint (per node). */
                            concurrency: number;
                            mode: "normal" | "throttled" | "paused";
                            reason: string | null;
                            until: string | null;
                        };
                        timeoutMs: number;
                        title: string;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.getSecret": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        previousSecretExpiresAt: string | null;
                        publicKey: string | null;
                        secret: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.rotateSecret": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    graceSeconds?: number;
                    secret?: string;
                    /** @description Your own ed25519 signing key, `whsk_` + base64 of the 32-byte seed or of the 64-byte seed+public key; only with `signing` ed25519 or both. Write-only: the answer shows its public key. hookd generates one when left out. */
                    signingKey?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        previousSecretExpiresAt: string | null;
                        publicKey: string | null;
                        secret: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.stats": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        lastDay: {
                            attempts: {
                                failed: number;
                                succeeded: number;
                                total: number;
                            };
                            latencyMs: {
                                p50: number | null;
                                p90: number | null;
                                p99: number | null;
                            };
                        };
                        lastHour: {
                            attempts: {
                                failed: number;
                                succeeded: number;
                                total: number;
                            };
                            latencyMs: {
                                p50: number | null;
                                p90: number | null;
                                p99: number | null;
                            };
                        };
                        series: {
                            failed: number;
                            latencyMs: {
                                p50: number | null;
                                p99: number | null;
                            };
                            /** Format: date-time */
                            start: string;
                            succeeded: number;
                        }[];
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.test": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    eventType?: string;
                    payload?: unknown;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attempt: components["schemas"]["Attempt"];
                        delivery: components["schemas"]["Delivery"];
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description gateway_timeout: no worker made the attempt in time. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    endpoint: {
                        accountId?: string | null;
                        active?: boolean;
                        auth?: components["schemas"]["EndpointAuthInput"] | null;
                        body?: {
                            contentType?: string;
                            fields?: string[];
                            format: "standard" | "raw" | "json" | "text";
                            template?: string;
                            userParams?: {
                                [key: string]: unknown;
                            };
                        };
                        description?: string;
                        destination?: components["schemas"]["EndpointDestinationInput"];
                        eventTypes?: string[];
                        filter?: {
                            in: (string | number | boolean | null)[];
                            path: string;
                        } | null;
                        headers?: {
                            [key: string]: string;
                        };
                        method?: "POST" | "PUT" | "PATCH" | "GET";
                        /** @description `fifo`: deliveries sharing an event `orderingKey` are attempted one at a time in ingest order (null is one key of its own); different keys go in parallel. */
                        ordering?: "none" | "fifo";
                        queryParams?: {
                            [key: string]: string;
                        };
                        rateLimitPerSecond?: number | null;
                        retry?: {
                            delaysSeconds?: number[];
                            dropOn4xx?: boolean;
                            enabled?: boolean;
                            intervalSeconds?: number;
                            /** @description Spread each delay by ±10 %. Default: true for exponential, false for fixed and custom (exact). */
                            jitter?: boolean;
                            maxAttempts?: number;
                            schedule?: "exponential" | "fixed" | "custom";
                        };
                        secret?: string;
                        /** @description How requests are signed: `v1` (HMAC-SHA256), `v1a` (ed25519) or both entries in webhook-signature. */
                        signing?: "hmac" | "ed25519" | "both";
                        /** @description Your own ed25519 signing key, `whsk_` + base64 of the 32-byte seed or of the 64-byte seed+public key; only with `signing` ed25519 or both. Write-only: the answer shows its public key. hookd generates one when left out. */
                        signingKey?: string;
                        timeoutMs?: number;
                        title?: string;
                        url: string;
                    };
                    eventType?: string;
                    payload?: unknown;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        body: string | null;
                        /** @description Only for a broker destination: where the message is published. */
                        destination?: {
                            exchange?: string;
                            /** @description The rendered routing key (RabbitMQ), subject (NATS) or stream (Redis). */
                            target: string;
                            type: "rabbitmq" | "nats" | "redis";
                        };
                        headers: {
                            [key: string]: string;
                        };
                        /** @description The HTTP method, or for a broker destination its verb: `PUBLISH` (RabbitMQ, NATS) or `XADD` (Redis). */
                        method: string;
                        /** @description Where it goes; for a broker, its URL (without password) and the target as the fragment. */
                        url: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description url_not_allowed: the URL points at a private or refused address. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "eventTypes.list": {
        parameters: {
            query?: {
                category?: string;
                cursor?: string;
                includeArchived?: boolean;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["EventType"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "eventTypes.create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    category?: string | null;
                    description?: string;
                    examples?: unknown[];
                    name: string;
                    parameters?: {
                        description: string;
                        path: string;
                        type: string;
                    }[];
                    schema?: {
                        [key: string]: unknown;
                    } | null;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        archived: boolean;
                        builtIn: boolean;
                        category: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        description: string;
                        examples: unknown[];
                        name: string;
                        parameters: {
                            description: string;
                            path: string;
                            type: string;
                        }[];
                        schema: {
                            [key: string]: unknown;
                        } | null;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description conflict: the resource is not in a state that allows this. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "eventTypes.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        archived: boolean;
                        builtIn: boolean;
                        category: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        description: string;
                        examples: unknown[];
                        name: string;
                        parameters: {
                            description: string;
                            path: string;
                            type: string;
                        }[];
                        schema: {
                            [key: string]: unknown;
                        } | null;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "eventTypes.update": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    archived?: boolean;
                    category?: string | null;
                    description?: string;
                    examples?: unknown[];
                    parameters?: {
                        description: string;
                        path: string;
                        type: string;
                    }[];
                    schema?: {
                        [key: string]: unknown;
                    } | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        archived: boolean;
                        builtIn: boolean;
                        category: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        description: string;
                        examples: unknown[];
                        name: string;
                        parameters: {
                            description: string;
                            path: string;
                            type: string;
                        }[];
                        schema: {
                            [key: string]: unknown;
                        } | null;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "eventTypes.archive": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "events.list": {
        parameters: {
            query?: {
                accountId?: string;
                correlationId?: string;
                cursor?: string;
                limit?: number;
                since?: string;
                type?: string;
                until?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Event"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "events.send": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    accountId?: string | null;
                    callbackUrl?: string | null;
                    correlationId?: string | null;
                    id?: string;
                    /** Format: date-time */
                    occurredAt?: string;
                    /** @description Deliveries to `fifo` endpoints sharing this key are attempted one at a time in ingest order; null (or absent) is one key of its own. */
                    orderingKey?: string | null;
                    payload: unknown;
                    type: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        deliveries: number;
                        id: string;
                        type: string;
                    };
                };
            };
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        deliveries: number;
                        id: string;
                        type: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description conflict: the resource is not in a state that allows this. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description url_not_allowed: the URL points at a private or refused address. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "events.get": {
        parameters: {
            query?: {
                /** @description `json` (default): the payload as parsed JSON. `text`: the payload as the exact JSON text the publisher sent (a string), whitespace, number spelling, large integers and key order kept. */
                payload?: "json" | "text";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Event"] & {
                        deliveries: components["schemas"]["Delivery"][];
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "events.replay": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    endpointIds?: string[];
                };
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveries: components["schemas"]["Delivery"][];
                        id: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "events.sendBatch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    events: {
                        accountId?: string | null;
                        callbackUrl?: string | null;
                        correlationId?: string | null;
                        id?: string;
                        /** Format: date-time */
                        occurredAt?: string;
                        /** @description Deliveries to `fifo` endpoints sharing this key are attempted one at a time in ingest order; null (or absent) is one key of its own. */
                        orderingKey?: string | null;
                        payload: unknown;
                        type: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: (components["schemas"]["AcceptedEvent"] & {
                            duplicate: boolean;
                        })[];
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description conflict: the resource is not in a state that allows this. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description url_not_allowed: the URL points at a private or refused address. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "keys.list": {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ApiKey"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "keys.create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    accountId?: string | null;
                    expiresAt?: string | null;
                    kind: "admin" | "publisher" | "account";
                    name?: string | null;
                    rateLimitPerSecond?: number | null;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKey"] & {
                        key: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "keys.revoke": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        expiresAt: string | null;
                        keyId: string;
                        kind: "admin" | "publisher" | "account";
                        name: string | null;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "operations.list": {
        parameters: {
            query?: {
                accountId?: string;
                cursor?: string;
                limit?: number;
                status?: "pending" | "succeeded" | "failed" | "timed_out";
                type?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Operation"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "operations.create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    accountId?: string | null;
                    callbackUrl?: string | null;
                    data?: unknown;
                    subject?: string | null;
                    timeoutSeconds?: number;
                    type: string;
                };
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        expiresAt: string;
                        protocol: string;
                        /** @enum {string} */
                        status: "pending";
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description url_not_allowed: the URL points at a private or refused address. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "operations.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                protocol: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Operation"] & {
                        deliveries: components["schemas"]["Delivery"][];
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "operations.complete": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                protocol: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    data?: unknown;
                    status: "succeeded" | "failed";
                };
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        accountId: string | null;
                        callbackUrl: string | null;
                        completedAt: string | null;
                        data: unknown;
                        /** Format: date-time */
                        expiresAt: string;
                        late: boolean;
                        protocol: string;
                        /** Format: date-time */
                        requestedAt: string;
                        result: unknown;
                        status: "pending" | "succeeded" | "failed" | "timed_out";
                        subject: string | null;
                        timedOutAt: string | null;
                        type: string;
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unauthorized: no key, or a key that is unknown, revoked or expired. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description forbidden: this kind of key may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description conflict: the resource is not in a state that allows this. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description payload_too_large: the body or the payload is larger than the limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description unsupported_media_type: the body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description rate_limited: this key made too many requests; retry after the `retry-after` header's seconds. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
    "endpoints.getPublicKeys": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: {
                            /** @description whpk_ followed by the base64 of the 32-byte ed25519 public key. */
                            publicKey: string;
                            /** Format: date-time */
                            since: string;
                            /** @description When a rotated-out key stops signing; null for the current key. */
                            until: string | null;
                        }[];
                    };
                };
            };
            /** @description validation_failed: the request is malformed; `details` names each bad field by JSON pointer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
            /** @description not_found: no such resource, or one of another account. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string;
                            details: {
                                field: string;
                                in: string;
                                message: string;
                            }[];
                            message: string;
                        };
                    };
                };
            };
        };
    };
}
