import {
  excerpt,
  fillTemplate,
  hasLineBreak,
  type OriginateRequest,
  type OriginateResult,
  type TelephonyErrorCode,
  type TelephonyProvider,
  type TestResult,
} from './telephony-provider';
import type { HttpMethod } from './telephony-settings.entity';

export interface HttpTemplateConfig {
  /** `https://pbx.example/click2dial?ramal={extension}&destino={number}`: values are URL-encoded. */
  urlTemplate: string;
  method: HttpMethod;
  /** One `Name: value` per line, e.g. `Authorization: {secret}`. */
  headersTemplate: string | null;
  /** POST only; JSON (values JSON-escaped) when it starts with `{` or `[`, otherwise form-encoded values. */
  bodyTemplate: string | null;
  username: string | null;
  secret: string | null;
  timeoutMs: number;
}

const MAX_BODY = 16 * 1024;

class HttpDialError extends Error {
  constructor(
    readonly code: TelephonyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A PBX's own click-to-dial URL (the model of Movidesk, Senior and Api4Com-style PBX APIs): method + URL template
 * with `{extension}` and `{number}` (also `{e164}`, `{contact}`, `{username}`, `{secret}`), optional header
 * and body templates. Covers Api4Com (`POST /api/v1/dialer`, raw token header, JSON body), Zenvia Voice
 * and most cloud PBXs without new code. 2xx means the call was placed.
 */
export class HttpTemplateProvider implements TelephonyProvider {
  readonly kind = 'http-template' as const;

  constructor(private readonly config: HttpTemplateConfig) {}

  async originate(request: OriginateRequest): Promise<OriginateResult> {
    const vars = {
      extension: request.extension,
      number: request.number,
      e164: request.e164,
      contact: request.contactName,
      username: this.config.username ?? '',
      secret: this.config.secret ?? '',
    };
    try {
      const init = this.buildRequest(vars);
      const response = await fetch(init.url, {
        method: this.config.method,
        headers: init.headers,
        body: init.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      const text = await readLimited(response);
      if (response.status < 200 || response.status > 299) {
        return {
          ok: false,
          code: 'http',
          error: `HTTP ${response.status}${text.trim() ? `: ${excerpt(text)}` : ''}`,
        };
      }
      return { ok: true, callId: callIdFrom(text) };
    } catch (error) {
      return failure(error);
    }
  }

  /**
   * There is no way to check the credentials of an arbitrary dialer without placing a call, so the test
   * checks that the URL template is complete and that its server answers HTTP at all.
   */
  async test(): Promise<TestResult> {
    try {
      const sample = {
        extension: '1000',
        number: '11999999999',
        e164: '+5511999999999',
        contact: 'Teste',
        username: '',
        secret: '',
      };
      const url = new URL(this.buildRequest(sample).url);
      const response = await fetch(url.origin + '/', {
        method: 'HEAD',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      await response.body?.cancel();
      return { ok: true, detail: `${url.host} · HTTP ${response.status}` };
    } catch (error) {
      return failure(error);
    }
  }

  private buildRequest(vars: Record<string, string>): { url: string; headers: Headers; body?: string } {
    const url = fillTemplate(this.config.urlTemplate, vars, encodeURIComponent);
    if (!/^https?:\/\//i.test(url))
      throw new HttpDialError('config', 'URL must start with http:// or https://');
    try {
      new URL(url);
    } catch {
      throw new HttpDialError('config', 'invalid URL');
    }
    const headers = new Headers();
    for (const line of (this.config.headersTemplate ?? '').split(/\r?\n/)) {
      if (!line.trim()) continue;
      const colon = line.indexOf(':');
      const value = fillTemplate(line.slice(colon + 1).trim(), vars);
      if (colon <= 0 || hasLineBreak(value))
        throw new HttpDialError('config', `invalid header line: ${line.slice(0, 40)}`);
      try {
        headers.append(line.slice(0, colon).trim(), value);
      } catch {
        throw new HttpDialError('config', `invalid header line: ${line.slice(0, 40)}`);
      }
    }
    const template = this.config.method === 'POST' ? this.config.bodyTemplate?.trim() : undefined;
    if (!template) return { url, headers };
    const json = template.startsWith('{') || template.startsWith('[');
    const body = fillTemplate(
      template,
      vars,
      json ? (v) => JSON.stringify(v).slice(1, -1) : encodeURIComponent,
    );
    if (!headers.has('content-type'))
      headers.set('content-type', json ? 'application/json' : 'application/x-www-form-urlencoded');
    return { url, headers, body };
  }
}

/** Reads at most MAX_BODY bytes of the answer (an error page can be large; only an excerpt is kept). */
async function readLimited(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_BODY) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8');
}

/**
 * The provider's call id when the answer carries one: `call_id` (Movidesk's contract), `callId`, `id`,
 * `sid` (Twilio), `uuid`, also under `data`/`dados` (Zenvia: `{"dados":{"id":4921}}`); or a short
 * plain-text answer (Movidesk GET returns the id as text).
 */
export function callIdFrom(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  try {
    const json: unknown = JSON.parse(trimmed);
    if (typeof json === 'string' || typeof json === 'number') return String(json).slice(0, 200);
    for (const scope of [json, field(json, 'data'), field(json, 'dados')]) {
      for (const key of ['call_id', 'callId', 'id', 'sid', 'uuid']) {
        const value = field(scope, key);
        if (typeof value === 'string' || typeof value === 'number') return String(value).slice(0, 200);
      }
    }
    return null;
  } catch {
    return /^[\w.:-]{1,100}$/.test(trimmed) ? trimmed : null;
  }
}

const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;

function failure(error: unknown): { ok: false; code: TelephonyErrorCode; error: string } {
  if (error instanceof HttpDialError) return { ok: false, code: error.code, error: error.message };
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return { ok: false, code: 'timeout', error: 'no response in time' };
  return {
    ok: false,
    code: 'connection',
    error: e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error),
  };
}
