import { DEFAULT_RETRY, providerRequest, type FetchLike, type RetryPolicy } from '../sync/provider-http';

/** The current Conta Azul API (developers.contaazul.com): OAuth2 authorization code at auth.contaazul.com. */
export const CONTA_AZUL_DEFAULTS = {
  authBaseUrl: 'https://auth.contaazul.com',
  apiBaseUrl: 'https://api-v2.contaazul.com',
} as const;
export const CONTA_AZUL_SCOPE = 'openid profile aws.cognito.signin.user.admin';
export const CALLBACK_PATH = '/settings/integrations/conta-azul/callback';

export interface TokenSet {
  accessToken: string;
  /** Single use: every refresh answers with a new one, which must replace the old at once. */
  refreshToken: string;
  expiresInSeconds: number;
}

/** The token endpoint refused (`{error, error_description}`, RFC 6749 §5.2), e.g. `invalid_grant`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}${description ? `: ${description}` : ''} (HTTP ${status})`);
  }
}

export interface OAuthClientConfig {
  authBaseUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** The browser goes here to let an administrator authorise Clientela in their Conta Azul account. */
export function authorizeUrl(config: Omit<OAuthClientConfig, 'clientSecret'>, state: string): string {
  const url = new URL('/oauth2/authorize', withSlash(config.authBaseUrl));
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    state,
    scope: CONTA_AZUL_SCOPE,
  }).toString();
  return url.toString();
}

/**
 * The token endpoint: code exchange and refresh, both with the client credentials in HTTP Basic. Timeouts
 * are short — a refresh runs while the settings row is locked — and a 4xx is never retried (a refresh
 * token must not be sent twice).
 */
export class ContaAzulOAuth {
  constructor(
    private readonly fetch: FetchLike,
    private readonly policy: RetryPolicy = {
      ...DEFAULT_RETRY,
      maxAttempts: 2,
      timeoutMs: 8_000,
      maxRateLimitWaitMs: 2_000,
    },
  ) {}

  exchangeCode(config: OAuthClientConfig, code: string): Promise<TokenSet> {
    return this.token(config, { grant_type: 'authorization_code', code, redirect_uri: config.redirectUri });
  }

  refresh(config: OAuthClientConfig, refreshToken: string): Promise<TokenSet> {
    return this.token(config, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async token(config: OAuthClientConfig, form: Record<string, string>): Promise<TokenSet> {
    const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`, 'utf8').toString('base64');
    const response = await providerRequest(
      new URL('/oauth2/token', withSlash(config.authBaseUrl)).toString(),
      {
        method: 'POST',
        headers: {
          Authorization: `Basic ${basic}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: new URLSearchParams(form).toString(),
      },
      // A refresh that timed out may have been used already: one retry only for answers that say "not done".
      {
        fetch: this.fetch,
        policy: form.grant_type === 'refresh_token' ? { ...this.policy, maxAttempts: 1 } : this.policy,
      },
    );
    const body = (response.body ?? {}) as Record<string, unknown>;
    if (response.status < 200 || response.status >= 300) {
      throw new OAuthError(
        response.status,
        typeof body.error === 'string' ? body.error : `http_${response.status}`,
        typeof body.error_description === 'string'
          ? body.error_description
          : typeof body === 'string'
            ? body
            : '',
      );
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new OAuthError(502, 'invalid_response', 'resposta sem access_token');
    }
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : '',
      expiresInSeconds: Number(body.expires_in) > 0 ? Number(body.expires_in) : 3600,
    };
  }
}

const withSlash = (base: string) => (base.endsWith('/') ? base : `${base}/`);
