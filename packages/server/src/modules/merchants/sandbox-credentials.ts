import { SANDBOX_CREDENTIALS } from '@fawtara/wire';

/**
 * The sandbox merchant a local Fawtara creates in sandbox mode: Hesabe's public sandbox
 * credentials (in @fawtara/wire, shared with the SDK and the CLI) and a display name.
 */
export const SANDBOX = { ...SANDBOX_CREDENTIALS, merchantName: 'Fawtara Sandbox' } as const;
