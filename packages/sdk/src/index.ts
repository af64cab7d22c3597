// @hookd/sdk: a typed client for the hookd API (`Hookd`) and a Standard Webhooks verifier for the
// receiving side (`verifyWebhook`). `@hookd/sdk/client` and `@hookd/sdk/webhooks` import one half
// alone (the client needs only fetch; the verifier needs node:crypto).

export * from './client.js';
export * from './webhooks.js';
