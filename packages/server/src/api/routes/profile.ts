import { MerchantOnly, ProfileObject } from '@fawtara/contract';
import type { ProfileService } from '../../modules/profile/profile.service.ts';
import { encryptedRoute, type EncryptedRoute } from '../merchant-api.ts';

export function profileRoutes(deps: { profile: ProfileService }): EncryptedRoute[] {
  return [
    encryptedRoute({
      method: 'GET',
      url: '/api/v1/profile',
      operationId: 'getProfile',
      tags: ['merchant'],
      summary: "The merchant's profile",
      description: 'Business details, enabled payment methods and settings. Never returns keys or secrets.',
      request: MerchantOnly,
      response: ProfileObject,
      successMessage: 'Profile details',
      handle: (call) => deps.profile.get(call.merchant, call.userId),
    }),
  ];
}
