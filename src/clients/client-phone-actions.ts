import { Injectable } from '@nestjs/common';

/** A module that places calls (telephony) tells the client views whether it does so right now. */
export interface PhoneCallsProvider {
  /** True while a PBX is configured: numbers get a call button instead of a `tel:` link. */
  placesCalls(): Promise<boolean>;
}

/**
 * How the client views (list rows, the client page's contacts) offer a contact's registered number: a
 * plain `tel:` link that the operator's own device dials, or — when a provider registered here places calls
 * — a call button (`clients/_call-button`) posting to `POST /clients/:id/contacts/:contactId/call`, a route
 * that provider serves. Clients never import it; it registers when it starts, as client page sections do.
 */
@Injectable()
export class ClientPhoneActions {
  private provider: PhoneCallsProvider | null = null;

  register(provider: PhoneCallsProvider): void {
    this.provider = provider;
  }

  /** Whether to render call buttons (`clickToCall` in the views) rather than `tel:` links. */
  async clickToCall(): Promise<boolean> {
    return this.provider ? this.provider.placesCalls() : false;
  }
}
