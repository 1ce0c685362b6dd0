import type { Core, RequestOptions } from '../core.ts';
import { singleObject } from '../framing.ts';
import type { Profile } from '../types.ts';
import { expectObject } from './shared.ts';

/**
 * The merchant's profile.
 *
 * @example
 * const profile = await client.profile.get();
 * console.log(profile.business_name, profile.payment_methods.map((m) => m.name));
 */
export class ProfileResource {
  constructor(private readonly core: Core) {}

  /**
   * GET /api/v1/profile: business details and enabled payment methods (never a secret).
   *
   * @example
   * const { username, business_name } = await client.profile.get();
   */
  async get(options: RequestOptions = {}): Promise<Profile> {
    const result = await this.core.api({ method: 'GET', path: '/api/v1/profile', options });
    return expectObject<Profile>(singleObject(result), 'profile.get');
  }
}
