import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import {
  fillTemplate,
  hasLineBreak,
  type OriginateRequest,
  type OriginateResult,
  type TelephonyErrorCode,
  type TelephonyProvider,
  type TestResult,
} from './telephony-provider';

export interface AmiConfig {
  host: string;
  port: number;
  username: string;
  secret: string;
  context: string;
  /** e.g. `PJSIP/{extension}`, `SIP/{extension}`, `Local/{extension}@from-internal`. */
  channelTemplate: string;
  /** Optional, e.g. `Clientela <{extension}>`; `{number}`, `{contact}` and `{extension}` are filled in. */
  callerId: string | null;
  /** For connecting and for each response. */
  timeoutMs: number;
}

/** How long the operator's phone rings before Asterisk gives up (the Originate `Timeout`, in ms). */
export const RING_TIMEOUT_MS = 30_000;
const LOGOFF_WAIT_MS = 1_000;

type AmiMessage = Record<string, string>;

class AmiError extends Error {
  constructor(
    readonly code: TelephonyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Asterisk Manager Interface over TCP (docs.asterisk.org, AMI actions Login/Originate/Logoff): read the banner, `Action: Login`, then
 * `Action: Originate` with `Async: true` (Asterisk answers as soon as the call is queued: it rings the
 * operator's channel, and when answered the dialplan `Context`/`Exten` dials the contact), then
 * `Action: Logoff`. One short-lived connection per call: nothing to keep alive or reconnect.
 */
export class AsteriskAmiProvider implements TelephonyProvider {
  readonly kind = 'asterisk-ami' as const;

  constructor(private readonly config: AmiConfig) {}

  async originate(request: OriginateRequest): Promise<OriginateResult> {
    const vars = {
      extension: request.extension,
      number: request.number,
      contact: callerIdName(request.contactName),
    };
    const actionId = randomUUID();
    const fields: AmiMessage = {
      Action: 'Originate',
      ActionID: actionId,
      Channel: fillTemplate(this.config.channelTemplate, vars),
      Context: this.config.context,
      Exten: request.number,
      Priority: '1',
      Timeout: String(RING_TIMEOUT_MS),
      Async: 'true',
    };
    if (this.config.callerId) fields.CallerID = fillTemplate(this.config.callerId, vars);
    try {
      return await this.session(async (ami) => {
        const response = await ami.request(fields);
        if (response.Response !== 'Success')
          throw new AmiError('rejected', response.Message || 'Originate failed');
        return { ok: true, callId: actionId };
      });
    } catch (error) {
      return failure(error);
    }
  }

  async test(): Promise<TestResult> {
    try {
      return await this.session(async (ami) => ({ ok: true, detail: ami.banner }));
    } catch (error) {
      return failure(error);
    }
  }

  /** Connect, log in, run `work`, log off and close — whatever happens. */
  private async session<T>(work: (ami: AmiConnection) => Promise<T>): Promise<T> {
    const { host, port, username, secret, timeoutMs } = this.config;
    const ami = await AmiConnection.open(host, port, timeoutMs);
    try {
      const login = await ami.request({
        Action: 'Login',
        ActionID: randomUUID(),
        Username: username,
        Secret: secret,
        Events: 'off',
      });
      if (login.Response !== 'Success') throw new AmiError('auth', login.Message || 'Authentication failed');
      const result = await work(ami);
      await ami.request({ Action: 'Logoff', ActionID: randomUUID() }, LOGOFF_WAIT_MS).catch(() => undefined);
      return result;
    } finally {
      ami.close();
    }
  }
}

function failure(error: unknown): { ok: false; code: TelephonyErrorCode; error: string } {
  if (error instanceof AmiError) return { ok: false, code: error.code, error: error.message };
  const e = error as NodeJS.ErrnoException;
  return { ok: false, code: 'connection', error: e?.code ? `${e.code}` : String(e?.message ?? error) };
}

/** A caller-id name cannot contain quotes, angle brackets or line breaks (they delimit the number). */
const callerIdName = (name: string) => name.replace(/["<>\r\n\0]/g, '').trim();

/**
 * One AMI connection: frames incoming bytes into messages (`Key: Value` lines, a blank line ends each)
 * and matches responses to requests by `ActionID`; events and unrelated responses are skipped.
 */
class AmiConnection {
  banner = '';
  private buffer = '';
  private closedError: AmiError | null = null;
  private waiter: { actionId: string; resolve: (m: AmiMessage) => void; reject: (e: Error) => void } | null =
    null;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {}

  static open(host: string, port: number, timeoutMs: number): Promise<AmiConnection> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const ami = new AmiConnection(socket, timeoutMs);
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      // One deadline for connecting and reading the banner (a port that accepts but says nothing is no AMI).
      const timer = setTimeout(
        () => fail(new AmiError('timeout', `no banner from ${host}:${port} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.setEncoding('utf8');
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (!settled) fail(new AmiError('connection', `${error.code ?? error.message} (${host}:${port})`));
        else ami.fail(new AmiError('connection', error.code ?? error.message));
      });
      socket.on('close', () => {
        if (!settled) fail(new AmiError('connection', `connection closed by ${host}:${port}`));
        else ami.fail(new AmiError('connection', 'connection closed by the server'));
      });
      socket.on('data', (chunk: string) => {
        if (settled) return ami.receive(chunk);
        ami.buffer += chunk;
        const end = ami.buffer.indexOf('\n');
        if (end < 0) {
          if (ami.buffer.length > 1024) fail(new AmiError('protocol', 'not an Asterisk Manager Interface'));
          return;
        }
        ami.banner = ami.buffer.slice(0, end).replace(/\r$/, '');
        ami.buffer = ami.buffer.slice(end + 1);
        if (!/^Asterisk Call Manager\//.test(ami.banner))
          return fail(new AmiError('protocol', `unexpected banner: ${ami.banner.slice(0, 80)}`));
        settled = true;
        clearTimeout(timer);
        resolve(ami);
        if (ami.buffer) ami.receive('');
      });
      socket.connect(port, host);
    });
  }

  /** Sends an action and waits for the response carrying its ActionID. */
  request(fields: AmiMessage, timeoutMs = this.timeoutMs): Promise<AmiMessage> {
    if (this.closedError) return Promise.reject(this.closedError);
    for (const [key, value] of Object.entries(fields)) {
      if (hasLineBreak(key) || hasLineBreak(value))
        return Promise.reject(new AmiError('config', `line break in ${key}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new AmiError('timeout', `no response to ${fields.Action} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        actionId: fields.ActionID,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const text =
        Object.entries(fields)
          .map(([key, value]) => `${key}: ${value}\r\n`)
          .join('') + '\r\n';
      this.socket.write(text);
    });
  }

  close(): void {
    this.closedError ??= new AmiError('connection', 'connection closed');
    this.socket.end();
    this.socket.destroy();
  }

  receive(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const match = /\r?\n\r?\n/.exec(this.buffer);
      if (!match) break;
      const block = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      if (block.trim()) this.dispatch(parseMessage(block));
    }
    if (this.buffer.length > 64 * 1024) this.fail(new AmiError('protocol', 'message too long'));
  }

  private dispatch(message: AmiMessage): void {
    const waiter = this.waiter;
    if (!waiter || !('Response' in message)) return;
    // Asterisk echoes the ActionID; a response without one can only answer the single request in flight.
    if (message.ActionID !== undefined && message.ActionID !== waiter.actionId) return;
    this.waiter = null;
    waiter.resolve(message);
  }

  fail(error: AmiError): void {
    this.closedError ??= error;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(error);
  }
}

function parseMessage(block: string): AmiMessage {
  const message: AmiMessage = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    if (!(key in message)) message[key] = line.slice(colon + 1).trim();
  }
  return message;
}
