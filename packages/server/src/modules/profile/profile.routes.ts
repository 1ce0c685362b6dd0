import type { FastifyInstance } from 'fastify';
import type { ApiDocs } from '../../api/api-docs.ts';
import type { MerchantApi } from '../../api/merchant-api.ts';
import { MerchantOnly, ProfileObject } from '@fawtara/contract';
import type { createProfileService } from './profile.service.ts';

export function registerProfileRoutes(app: FastifyInstance, deps: { api: MerchantApi; profile: ReturnType<typeof createProfileService>; docs: ApiDocs }): void {
  const docs = deps.docs.encrypted({
    method: 'GET',
    url: '/api/v1/profile',
    tags: ['merchant'],
    summary: "The merchant's profile",
    description: 'Business details, enabled payment methods and settings. Never returns keys or secrets.',
    request: MerchantOnly,
    response: ProfileObject,
    successMessage: 'Profile details',
  });
  app.get('/api/v1/profile', { schema: docs }, deps.api.handler((ctx) => deps.profile.get(ctx.merchant, ctx.userId)));
}
