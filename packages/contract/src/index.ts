/**
 * The merchant API's shapes, once: the server documents and checks its replies with these
 * schemas, and the SDK's parameter and result types are `Static<…>` of them (type-only, so the
 * SDK carries no runtime dependency).
 */
export * from './merchant-api.schemas.ts';
