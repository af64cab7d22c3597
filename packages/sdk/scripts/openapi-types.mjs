import openapiTS, { astToString } from 'openapi-typescript';

// The SDK's types are generated from the server's own /openapi.json, so the client cannot drift
// from the routes without `test/sdk/openapi-types.test.ts` failing. One function renders them, used
// by the generate script and by that test alike, so both produce byte-identical text.

const HEADER = `// Generated from hookd's GET /openapi.json by packages/sdk/scripts/generate-openapi.mjs.
// Do not edit by hand: run \`npm run generate -w @hookd/sdk\` after changing a route's schema.
/* eslint-disable */

`;

/** @param {Record<string, unknown>} document the OpenAPI 3.1 document */
export async function renderOpenApiTypes(document) {
  const ast = await openapiTS(/** @type {any} */ (document), { alphabetize: true });
  return HEADER + astToString(ast);
}
