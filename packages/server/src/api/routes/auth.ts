import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { TokenReply, type ApiDocs } from '../api-docs.ts';
import { loginExample, refreshTokenExample } from '../openapi/examples.ts';
import { fieldError } from '../../lib/app-error.ts';
import { asObject, FieldValidator } from '../../lib/field-validator.ts';
import type { AuthService } from '../../modules/auth/auth.service.ts';

/** Their bodies are read as fields: JSON, a form or multipart (a text body has no fields: 422). */
const FIELD_BODIES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'] as const;

/** Plain-JSON login and token refresh, the only merchant API calls that are not encrypted. */

export function registerAuthRoutes(app: FastifyInstance, deps: { auth: AuthService; docs: ApiDocs }): void {
  deps.docs.registerPlain(app, {
    method: 'POST',
    url: '/api/v1/login',
    operationId: 'login',
    auth: 'none',
    consumes: FIELD_BODIES,
    tags: ['auth'],
    summary: 'Log in with the panel username and password',
    description: 'Returns a 15-minute bearer token and a single-use refresh token. Failed attempts are limited per username and per client address.',
    request: Type.Object({ username: Type.String(), password: Type.String() }),
    response: TokenReply,
    successMessage: 'Success',
    errors: {
      401: 'Wrong username or password (one answer for both)',
      422: 'username or password missing',
      429: 'Too many failed attempts for the username or from the address (Retry-After header)',
    },
    example: loginExample,
    handler: async (request) => {
      const body = asObject(request.body) ?? {};
      const v = new FieldValidator();
      const username = v.string(body, 'username', { required: true, max: 100 });
      const password = typeof body.password === 'string' && body.password !== '' ? body.password : v.fail('password', 'The password field is required.');
      v.throwIfInvalid();
      const token = await deps.auth.login({ username: username!, password: password!, address: request.ip });
      return { status: true, message: 'Success', response: { token } };
    },
  });

  deps.docs.registerPlain(app, {
    method: 'POST',
    url: '/api/v1/token-refresh',
    operationId: 'refreshToken',
    auth: 'none',
    consumes: FIELD_BODIES,
    tags: ['auth'],
    summary: 'Exchange a refresh token for a new token pair',
    description:
      'The refresh token is rotated: the old one stops working. Presenting an already-used refresh token revokes every token descended from the same login.',
    request: Type.Object({ refreshToken: Type.String() }),
    response: TokenReply,
    successMessage: 'Success',
    errors: { 401: 'Unknown, expired or already used refresh token (a reuse revokes the whole family)', 422: 'refreshToken missing' },
    example: refreshTokenExample,
    handler: async (request) => {
      const body = asObject(request.body) ?? {};
      const refreshToken = body.refreshToken;
      if (typeof refreshToken !== 'string' || refreshToken === '') throw fieldError('refreshToken', 'The refreshToken field is required.');
      const token = await deps.auth.refresh(refreshToken);
      return { status: true, message: 'Success', response: { token } };
    },
  });
}
