import { generateSync } from 'otplib';
import { Operator } from '../../../src/auth/operator.entity';
import { TotpService } from '../../../src/auth/totp/totp.service';
import { AuditLogger } from '../../../src/common/audit-logger';
import { SecretBoxError } from '../../../src/common/crypto/secret-box';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import {
  advanceTotpStep,
  ageFailureWindow,
  currentCode,
  enableTotp,
  wrongCode,
} from '../../factories/totp.factory';
import { decode, fieldError, text } from '../../support/html';
import { login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

describe('2FA (TOTP) at /account/security', () => {
  let t: TestApp;
  let auditLines: Array<[string, Record<string, unknown>]>;

  beforeAll(async () => {
    t = await startTestApp();
    jest.spyOn(t.app.get(AuditLogger), 'log').mockImplementation((event, fields) => {
      auditLines.push([event, fields]);
    });
  });
  beforeEach(() => {
    auditLines = [];
  });
  afterAll(() => t.close());

  async function signedIn(
    role: 'admin' | 'manager' | 'agent' = 'manager',
  ): Promise<{ op: TestOperator; agent: Agent }> {
    const op = await makeOperator(t, role);
    const agent = t.http();
    expect((await login(agent, op.email, op.password)).status).toBe(303);
    return { op, agent };
  }

  const operatorRow = (id: string) =>
    t.dataSource
      .query(
        `SELECT totp_secret_enc, totp_pending_secret_enc, totp_enabled_at, totp_last_step, totp_failures,
                totp_consecutive_failures, totp_locked_at FROM operators WHERE id = $1`,
        [id],
      )
      .then((rows: Array<Record<string, unknown>>) => rows[0]);

  /** The manual key as the page shows it, without the grouping spaces. */
  const manualKey = (html: string) =>
    decode(/<code id="totp-secret"[^>]*>([^<]+)<\/code>/.exec(html)![1]).replace(/\s/g, '');
  const shownUri = (html: string) => decode(/<code id="totp-uri"[^>]*>([^<]+)<\/code>/.exec(html)![1]);

  /** Nothing secret in the audit trail: neither the seed nor any code typed. */
  function expectNoSecretsLogged(...secrets: string[]) {
    const logged = JSON.stringify(auditLines);
    for (const secret of secrets) expect(logged).not.toContain(secret);
  }

  describe('enrollment', () => {
    it('shows a server-rendered QR code, the manual key and the otpauth:// URI', async () => {
      const { op, agent } = await signedIn();
      const res = await agent.get('/account/security');
      expect(res.status).toBe(200);
      const key = manualKey(res.text);
      expect(key).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes = 160 bits, base32
      const uri = shownUri(res.text);
      expect(uri).toBe(
        `otpauth://totp/Clientela:${encodeURIComponent(op.email)}?secret=${key}&issuer=Clientela`,
      );
      const img = /<img class="totp-qr" src="data:image\/svg\+xml;base64,([^"]+)"[^>]*alt="([^"]+)"/.exec(
        res.text,
      );
      expect(img).not.toBeNull();
      const svg = Buffer.from(decode(img![1]), 'base64').toString('utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(img![2]).toBe('QR code para configurar o aplicativo autenticador');
      expect(res.text).not.toMatch(/<script[^>]*>[^<]/); // no inline script (CSP)
    });

    it('keeps the same pending key on reload, so a scanned QR code stays good', async () => {
      const { agent } = await signedIn();
      const first = manualKey((await agent.get('/account/security')).text);
      const second = manualKey((await agent.get('/account/security')).text);
      expect(second).toBe(first);
    });

    it('stores the seed only sealed (AES-GCM): no base32 seed anywhere in the operator row', async () => {
      const { op, agent } = await signedIn();
      const key = manualKey((await agent.get('/account/security')).text);
      const [row] = await t.dataSource.query(
        `SELECT row_to_json(o)::text AS dump FROM operators o WHERE id = $1`,
        [op.id],
      );
      expect(row.dump).not.toContain(key);
      expect((await operatorRow(op.id)).totp_pending_secret_enc).toMatch(/^v1\./);
    });

    it('refuses a wrong code (422) and keeps 2FA off', async () => {
      const { op, agent } = await signedIn();
      const key = manualKey((await agent.get('/account/security')).text);
      const code = wrongCode(key);
      const res = await postForm(agent, '/account/security/totp', { code }, '/account/security');
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'code')).toContain('Código incorreto');
      expect((await operatorRow(op.id)).totp_enabled_at).toBeNull();
      expect(manualKey(res.text)).toBe(key); // the same QR code is shown again
      expect(auditLines).toContainEqual([
        'totp.attempt',
        expect.objectContaining({ result: 'invalid', purpose: 'enrollment', operatorId: op.id }),
      ]);
      expectNoSecretsLogged(key, code);
    });

    it('turns 2FA on with the current code, and that code cannot be used again', async () => {
      const { op, agent } = await signedIn();
      const key = manualKey((await agent.get('/account/security')).text);
      const code = generateSync({ secret: key });
      const res = await postForm(
        agent,
        '/account/security/totp',
        { code: ` ${code.slice(0, 3)} ${code.slice(3)} ` },
        '/account/security',
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/security');
      const row = await operatorRow(op.id);
      expect(row.totp_enabled_at).not.toBeNull();
      expect(row.totp_secret_enc).toMatch(/^v1\./);
      expect(row.totp_pending_secret_enc).toBeNull();
      const page = await agent.get('/account/security');
      expect(text(page.text)).toContain('Verificação em duas etapas ativada.');
      expect(page.text).not.toContain('totp-secret'); // the key is never shown again
      expect(page.text).toContain('action="/account/security/totp/disable"');

      // the confirming code is spent: using it to disable right away is a replay
      const again = await postForm(agent, '/account/security/totp/disable', { code }, '/account/security');
      expect(again.status).toBe(422);
      expect(fieldError(again.text, 'code')).toBe(
        'Este código já foi usado. Aguarde o próximo código do aplicativo.',
      );
      expect((await operatorRow(op.id)).totp_enabled_at).not.toBeNull();
      expect(auditLines.map(([event, f]) => [event, f.result])).toEqual(
        expect.arrayContaining([
          ['totp.attempt', 'accepted'],
          ['totp.enabled', undefined],
          ['totp.attempt', 'replay'],
        ]),
      );
      expectNoSecretsLogged(key, code);
    });

    it('refuses an empty code with a field message (422)', async () => {
      const { agent } = await signedIn();
      await agent.get('/account/security');
      const res = await postForm(agent, '/account/security/totp', { code: '' }, '/account/security');
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'code')).toBe('Campo obrigatório.');
    });
  });

  describe('disable', () => {
    it('needs a current code: a wrong one changes nothing, the right one turns 2FA off', async () => {
      const { op, agent } = await signedIn();
      const secret = await enableTotp(t, op);
      const refused = await postForm(
        agent,
        '/account/security/totp/disable',
        { code: wrongCode(secret) },
        '/account/security',
      );
      expect(refused.status).toBe(422);
      expect((await operatorRow(op.id)).totp_enabled_at).not.toBeNull();

      const res = await postForm(
        agent,
        '/account/security/totp/disable',
        { code: currentCode(secret) },
        '/account/security',
      );
      expect(res.status).toBe(303);
      const row = await operatorRow(op.id);
      expect(row).toMatchObject({ totp_secret_enc: null, totp_enabled_at: null, totp_failures: 0 });
      expect(auditLines.map(([event]) => event)).toContain('totp.disabled');
    });
  });

  describe('throttling and locking', () => {
    it('answers 429 with a wait message after 5 failures in 15 minutes, even for the right code', async () => {
      const { op, agent } = await signedIn();
      const secret = await enableTotp(t, op);
      for (let i = 0; i < 5; i++) {
        const res = await postForm(
          agent,
          '/account/security/totp/disable',
          { code: wrongCode(secret) },
          '/account/security',
        );
        expect(res.status).toBe(422);
      }
      const blocked = await postForm(
        agent,
        '/account/security/totp/disable',
        { code: currentCode(secret) },
        '/account/security',
      );
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
      expect(fieldError(blocked.text, 'code')).toBe(
        'Muitos códigos incorretos. Aguarde 15 minuto(s) e tente de novo.',
      );
      expect((await operatorRow(op.id)).totp_enabled_at).not.toBeNull();
      expect(auditLines.filter(([, f]) => f.result === 'throttled')).toHaveLength(1);

      // 15 minutes later the right code works again
      await ageFailureWindow(t, op, 16);
      const later = await postForm(
        agent,
        '/account/security/totp/disable',
        { code: currentCode(secret) },
        '/account/security',
      );
      expect(later.status).toBe(303);
    });

    it('locks 2FA after 10 consecutive failures until an admin resets it (audited)', async () => {
      const { op, agent } = await signedIn();
      const secret = await enableTotp(t, op);
      const fail = () =>
        postForm(agent, '/account/security/totp/disable', { code: wrongCode(secret) }, '/account/security');
      for (let i = 0; i < 5; i++) expect((await fail()).status).toBe(422);
      await ageFailureWindow(t, op, 16);
      for (let i = 0; i < 4; i++) expect((await fail()).status).toBe(422);
      const tenth = await fail();
      expect(tenth.status).toBe(422);
      // the page now shows the locked state instead of the form
      expect(text(tenth.text)).toContain('está bloqueada após 10 códigos incorretos seguidos');
      expect(tenth.text).not.toContain('action="/account/security/totp/disable"');
      expect((await operatorRow(op.id)).totp_locked_at).not.toBeNull();
      expect(auditLines.map(([event]) => event)).toContain('totp.locked');

      // locked: even the right code is refused, also after the window passed
      await ageFailureWindow(t, op, 16);
      const locked = await postForm(
        agent,
        '/account/security/totp/disable',
        { code: currentCode(secret) },
        '/account/security',
      );
      expect(locked.status).toBe(423);
      expect((await agent.get('/account/security')).text).toContain(
        'Peça a um administrador para redefini-la',
      );

      // a manager cannot reset; an admin can, from the operator's edit page
      const { agent: managerAgent } = await signedIn('manager');
      const forbidden = await postForm(
        managerAgent,
        `/settings/operators/${op.id}/reset-2fa`,
        {},
        '/account',
      );
      expect(forbidden.status).toBe(403);
      const { op: admin, agent: adminAgent } = await signedIn('admin');
      const edit = await adminAgent.get(`/settings/operators/${op.id}/edit`);
      expect(edit.text).toContain(`action="/settings/operators/${op.id}/reset-2fa"`);
      expect(text(edit.text)).toContain('Bloqueada');
      const reset = await postForm(
        adminAgent,
        `/settings/operators/${op.id}/reset-2fa`,
        {},
        `/settings/operators/${op.id}/edit`,
      );
      expect(reset.status).toBe(303);
      expect(reset.headers.location).toBe(`/settings/operators/${op.id}/edit`);
      expect(await operatorRow(op.id)).toMatchObject({
        totp_secret_enc: null,
        totp_enabled_at: null,
        totp_locked_at: null,
        totp_failures: 0,
        totp_consecutive_failures: 0,
      });
      expect(auditLines).toContainEqual([
        'totp.reset',
        expect.objectContaining({
          operatorId: admin.id,
          targetId: op.id,
          wasLocked: true,
          requestId: expect.any(String),
        }),
      ]);
      // the operator sets the app up again
      const page = await agent.get('/account/security');
      expect(page.text).toContain('id="totp-secret"');
      expect(manualKey(page.text)).not.toBe(secret);
    });

    it('a success ends a run of failures, so scattered typos never lock', async () => {
      const { op, agent } = await signedIn();
      const secret = await enableTotp(t, op);
      const service = t.app.get(TotpService);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 4; i++)
          expect((await service.verify(op.id, wrongCode(secret), { purpose: 'disable' })).ok).toBe(false);
        expect(await service.verify(op.id, currentCode(secret), { purpose: 'disable' })).toEqual({
          ok: true,
          step: expect.any(Number),
        });
        await advanceTotpStep(t, op);
        await ageFailureWindow(t, op, 16);
      }
      expect((await operatorRow(op.id)).totp_locked_at).toBeNull();
      expect((await agent.get('/account/security')).status).toBe(200);
    });
  });

  it('records every attempt in the audit log with result, operator, ip and request id — never a code or seed', async () => {
    const { op, agent } = await signedIn();
    const secret = await enableTotp(t, op);
    const bad = wrongCode(secret);
    await postForm(agent, '/account/security/totp/disable', { code: bad }, '/account/security');
    const attempt = auditLines.find(([event]) => event === 'totp.attempt')!;
    expect(attempt[1]).toEqual({
      result: 'invalid',
      purpose: 'disable',
      operatorId: op.id,
      clientId: undefined,
      ip: expect.any(String),
      requestId: expect.any(String),
      failures: 1,
      consecutive: 1,
    });
    expectNoSecretsLogged(secret, bad);
  });

  it('a seed copied into another operator’s row does not open (associated data = operator id)', async () => {
    const a = await makeOperator(t, 'manager');
    const b = await makeOperator(t, 'manager');
    await enableTotp(t, a);
    const secretB = await enableTotp(t, b);
    await t.dataSource.query(
      `UPDATE operators SET totp_secret_enc = (SELECT totp_secret_enc FROM operators WHERE id = $1) WHERE id = $2`,
      [a.id, b.id],
    );
    await expect(
      t.app.get(TotpService).verify(b.id, currentCode(secretB), { purpose: 'disable' }),
    ).rejects.toThrow(SecretBoxError);
  });

  it('shows the 2FA state and the reset button on the operator edit page only when there is something to reset', async () => {
    const { agent: adminAgent } = await signedIn('admin');
    const off = await makeOperator(t, 'agent');
    const offPage = await adminAgent.get(`/settings/operators/${off.id}/edit`);
    expect(text(offPage.text)).toContain('Inativa');
    expect(offPage.text).not.toContain('/reset-2fa');
    const on = await makeOperator(t, 'manager');
    await enableTotp(t, on);
    const onPage = await adminAgent.get(`/settings/operators/${on.id}/edit`);
    expect(onPage.text).toContain(`/settings/operators/${on.id}/reset-2fa`);
    expect(
      (await t.dataSource.getRepository(Operator).findOneByOrFail({ id: on.id })).totpEnabledAt,
    ).toBeInstanceOf(Date);
  });
});
