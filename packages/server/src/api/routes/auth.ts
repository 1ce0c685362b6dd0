import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { TokenReply, type ApiDocs } from '../api-docs.ts';
import { fieldError } from '../../lib/app-error.ts';
import { asObject, FieldValidator } from '../../lib/field-validator.ts';
import type { AuthService } from '../../modules/auth/auth.service.ts';

/** Plain-JSON login and token refresh, the only merchant API calls that are not encrypted. */
export function registerAuthRoutes(app: FastifyInstance, deps: { auth: AuthService; docs: ApiDocs }): void {
  deps.docs.registerPlain(app, {
    method: 'POST',
    url: '/api/v1/login',
    tags: ['auth'],
    summary: 'Log in with the panel username and password',
    description: 'Returns a 15-minute bearer token and a single-use refresh token. Failed attempts are limited per username and per client address.',
    request: Type.Object({ username: Type.String(), password: Type.String() }),
    response: TokenReply,
    successMessage: 'Success',
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
    tags: ['auth'],
    summary: 'Exchange a refresh token for a new token pair',
    description:
      'The refresh token is rotated: the old one stops working. Presenting an already-used refresh token revokes every token descended from the same login.',
    request: Type.Object({ refreshToken: Type.String() }),
    response: TokenReply,
    successMessage: 'Success',
    handler: async (request) => {
      const body = asObject(request.body) ?? {};
      const refreshToken = body.refreshToken;
      if (typeof refreshToken !== 'string' || refreshToken === '') throw fieldError('refreshToken', 'The refreshToken field is required.');
      const token = await deps.auth.refresh(refreshToken);
      return { status: true, message: 'Success', response: { token } };
    },
  });
}
