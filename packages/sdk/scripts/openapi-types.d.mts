/** The text of `src/openapi.ts` for an OpenAPI document. */
export function renderOpenApiTypes(document: Record<string, unknown>): Promise<string>;
