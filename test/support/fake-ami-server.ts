import { createServer, type Server, type Socket } from 'node:net';

/*
 * A local stand-in for the Asterisk Manager Interface (docs.asterisk.org AMI actions
 * Login, Originate, Logoff): the banner on connect, `Key: Value` lines ending in CRLF, a blank line
 * ending each message, responses echoing the ActionID. It checks what a real Asterisk would refuse
 * (Originate before Login, a missing Originate field) and can be told to fail or to hang.
 */

export type AmiMessage = Record<string, string>;

export type FakeAmiMode =
  | 'success'
  /** `Response: Error` to Originate (e.g. the channel does not exist). */
  | 'originate-error'
  /** Never answers Login (response-timeout path). */
  | 'hang-login'
  /** Never answers Originate. */
  | 'hang-originate'
  /** Accepts the connection and says nothing, not even the banner (connect-timeout path). */
  | 'silent';

/** The fields an Originate from Clientela must carry (Async, so Asterisk answers once the call is queued). */
export const ORIGINATE_FIELDS = ['ActionID', 'Channel', 'Context', 'Exten', 'Priority', 'Timeout', 'Async'];

export interface FakeAmi {
  host: string;
  port: number;
  /** Every message received, in order, across connections (with the connection number as `_session`). */
  actions: AmiMessage[];
  /** The last Originate received, if any. */
  lastOriginate(): AmiMessage | undefined;
  mode: FakeAmiMode;
  connections: number;
  close(): Promise<void>;
}

export async function startFakeAmi(
  options: { username?: string; secret?: string; mode?: FakeAmiMode } = {},
): Promise<FakeAmi> {
  const username = options.username ?? 'clientela';
  const secret = options.secret ?? 's3cret-ami';
  const sockets = new Set<Socket>();
  const fake: FakeAmi = {
    host: '127.0.0.1',
    port: 0,
    actions: [],
    mode: options.mode ?? 'success',
    connections: 0,
    lastOriginate: () => [...fake.actions].reverse().find((a) => a.Action === 'Originate'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    const session = String(++fake.connections);
    let loggedIn = false;
    let buffer = '';
    if (fake.mode === 'silent') return;
    socket.write('Asterisk Call Manager/9.0.0\r\n');

    const reply = (fields: AmiMessage) =>
      socket.write(
        Object.entries(fields)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') + '\r\n',
      );

    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n\r\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        const message: AmiMessage = { _session: session };
        for (const line of block.split('\r\n')) {
          const colon = line.indexOf(': ');
          if (colon > 0) message[line.slice(0, colon)] = line.slice(colon + 2);
        }
        fake.actions.push(message);
        handle(message);
      }
    });

    function handle(message: AmiMessage) {
      const actionId = message.ActionID;
      const base: AmiMessage = actionId === undefined ? {} : { ActionID: actionId };
      switch (message.Action) {
        case 'Login':
          if (fake.mode === 'hang-login') return;
          if (message.Username === username && message.Secret === secret) {
            loggedIn = true;
            reply({ Response: 'Success', ...base, Message: 'Authentication accepted' });
            // Asterisk announces it is ready even with Events: off; a client must skip events.
            reply({ Event: 'FullyBooted', Privilege: 'system,all', Status: 'Fully Booted' });
          } else {
            reply({ Response: 'Error', ...base, Message: 'Authentication failed' });
            socket.end();
          }
          return;
        case 'Originate': {
          if (!loggedIn) return reply({ Response: 'Error', ...base, Message: 'Permission denied' });
          const missing = ORIGINATE_FIELDS.filter((field) => !message[field]);
          if (missing.length)
            return reply({ Response: 'Error', ...base, Message: `Missing fields: ${missing.join(', ')}` });
          if (fake.mode === 'hang-originate') return;
          if (fake.mode === 'originate-error')
            return reply({ Response: 'Error', ...base, Message: 'Originate failed' });
          return reply({ Response: 'Success', ...base, Message: 'Originate successfully queued' });
        }
        case 'Logoff':
          reply({ Response: 'Goodbye', ...base, Message: 'Thanks for all the fish.' });
          socket.end();
          return;
        default:
          reply({ Response: 'Error', ...base, Message: 'Invalid/unknown command' });
      }
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.port = (server.address() as { port: number }).port;
  return fake;
}
