import type { paths } from './openapi.js';

// Types that read a route's request and response shapes out of the generated `paths`, so each SDK
// method is checked against /openapi.json at compile time: a renamed field or a removed route is a
// type error in the SDK, not a surprise for its users.

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type RoutePath = keyof paths;

/** The methods a path has (absent ones are `never` in the generated types). */
export type MethodsOf<P extends RoutePath> = {
  [M in HttpMethod]: [NonNullable<paths[P][M]>] extends [never] ? never : M;
}[HttpMethod];

export type Route<P extends RoutePath, M extends MethodsOf<P>> = NonNullable<paths[P][M]>;

type JsonContent<T> = T extends { content: { 'application/json': infer J } } ? J : never;

export type RequestBody<Op> = Op extends { requestBody?: infer R } ? JsonContent<NonNullable<R>> : never;

export type QueryOf<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type PathParamsOf<Op> = Op extends { parameters: { path?: infer P } } ? NonNullable<P> : never;

type SuccessStatus = 200 | 201 | 202 | 204;

/** The JSON of the route's 2xx answers (void for 204). */
export type SuccessBody<Op> = Op extends { responses: infer R }
  ? {
      [S in keyof R & SuccessStatus]: R[S] extends { content: { 'application/json': infer J } } ? J : void;
    }[keyof R & SuccessStatus]
  : never;
