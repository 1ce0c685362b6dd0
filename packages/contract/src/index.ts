/**
 * The merchant API's shapes, once: the server documents and checks its replies with these
 * schemas, and the SDK's parameter and result types are `Static<…>` of them (type-only, so the
 * SDK carries no runtime dependency). The field rules the schemas state (e-mail, Kuwaiti mobile
 * number) and every input limit are exported too, so the server validates with the same
 * definitions.
 */
export * from './email.ts';
export * from './limits.ts';
export * from './merchant-api.schemas.ts';
export * from './phone.ts';
