import type { OriginateRequest, OriginateResult, TelephonyProvider, TestResult } from './telephony-provider';

/**
 * No PBX configured: the call is a `tel:` link in E.164 that the operator's softphone or phone opens
 * (the fallback when no PBX is configured). Nothing leaves the server.
 */
export class TelLinkProvider implements TelephonyProvider {
  readonly kind = 'none' as const;

  originate(request: OriginateRequest): Promise<OriginateResult> {
    return Promise.resolve({ ok: true, callId: null, telHref: telHref(request.e164) });
  }

  test(): Promise<TestResult> {
    return Promise.resolve({ ok: true, detail: 'tel:' });
  }
}

export const telHref = (e164: string): string => `tel:${e164}`;
