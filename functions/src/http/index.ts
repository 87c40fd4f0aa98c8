export { createApiHandler, type ApiDeps } from './api-handler';
export type { Caller, IdTokenClaims } from './caller';
export { readJsonBody, sendError, sendJson, type HttpRequest, type HttpResponse } from './json-io';
