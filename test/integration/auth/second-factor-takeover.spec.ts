import request from 'supertest';
import { Operator } from '../../../src/auth/operator.entity';
import { AuditLogger } from '../../../src/common/audit-logger';
import { REAUTHENTICATION_WINDOW_MS } from '../../../src/auth/reauthentication';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { currentCode, enableTotp, wrongCode } from '../../factories/totp.factory';
import { decode, fieldError, text } from '../../support/html';
import { cookiePair, csrfFor, csrfFrom, login, setCookie } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

type Agent = ReturnType<TestApp['http']>;

/*
 * A stolen admin cookie could take over the second factor and then delete clients: reset its own 2FA at
 * /settings/operators/<own id> (which also lifted a lock), read the new key at /account/security, enroll
 * and confirm a deletion. And a manager who never enrolled could be enrolled by whoever held the cookie.
 * Now: enrolling, disabling and resetting a second factor need the password typed in the last 10 minutes
 * ("Confirme sua senha", which also gives the session a new id); nobody resets their own; and each change
 * is audited and shown to its owner at their next login.
 */
describe('taking over a second factor with a session cookie', () => {
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

  const totpRow = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT totp_secret_enc, totp_pending_secret_enc, totp_enabled_at, totp_locked_at FROM operators WHERE id = $1`,
        [id],
      )
    )[0] as Record<string, unknown>;

  async function signedIn(op: TestOperator): Promise<Agent> {
    const agent = t.http();
    expect((await login(agent, op.email, op.password)).status).toBe(303);
    return agent;
  }

  /** As if the password had last been typed 11 minutes ago (a cookie copied from an older session). */
  const ageReauthentication = (op: TestOperator) =>
    t.dataSource.query(
      `UPDATE sessions SET sess = jsonb_set(sess::jsonb, '{reauthenticatedAt}', to_jsonb($2::bigint))::json
       WHERE sess -> 'operator' ->> 'id' = $1`,
      [op.id, Date.now() - REAUTHENTICATION_WINDOW_MS - 60_000],
    );

  const post = (agent: Agent, path: string, fields: Record<string, string>, formPath = '/account') =>
    csrfFor(agent, formPath).then((token) =>
      agent
        .post(path)
        .type('form')
        .send({ _csrf: token, ...fields }),
    );

  describe('no one resets their own second factor', () => {
    it('refuses an admin resetting their own 2FA (403), even right after typing the password', async () => {
      const admin = await makeOperator(t, 'admin');
      await enableTotp(t, admin);
      const agent = await signedIn(admin);
      const before = await totpRow(admin.id);
      const res = await post(agent, `/settings/operators/${admin.id}/reset-2fa`, {});
      expect(res.status).toBe(403);
      expect(text(res.text)).toContain('Você não pode redefinir a sua própria verificação em duas etapas.');
      expect(await totpRow(admin.id)).toEqual(before);
      expect(auditLines.map(([event]) => event)).not.toContain('totp.reset');
      // and the edit page offers no button for it
      const edit = await agent.get(`/settings/operators/${admin.id}/edit`);
      expect(edit.text).not.toContain('/reset-2fa');
      expect(text(edit.text)).toContain('Peça a outro administrador.');
    });

    it('so a locked admin cannot lift their own lock either', async () => {
      const admin = await makeOperator(t, 'admin');
      await enableTotp(t, admin);
      await t.dataSource.query(`UPDATE operators SET totp_locked_at = now() WHERE id = $1`, [admin.id]);
      const agent = await signedIn(admin);
      expect((await post(agent, `/settings/operators/${admin.id}/reset-2fa`, {})).status).toBe(403);
      expect((await totpRow(admin.id)).totp_locked_at).not.toBeNull();
    });
  });

  describe('a cookie without a recent password', () => {
    it('does not see the enrollment key of an operator who has not enrolled, nor creates one', async () => {
      const manager = await makeOperator(t, 'manager');
      const agent = await signedIn(manager);
      await ageReauthentication(manager);
      const page = await agent.get('/account/security');
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('id="totp-secret"');
      expect(page.text).not.toContain('otpauth://');
      expect(decode(page.text)).toContain(
        'href="/account/confirm-password?next=%2Faccount%2Fsecurity%23totp"',
      );
      expect((await totpRow(manager.id)).totp_pending_secret_enc).toBeNull();
    });

    it('cannot confirm an enrollment: it is sent to confirm the password, and 2FA stays off', async () => {
      const manager = await makeOperator(t, 'manager');
      const agent = await signedIn(manager);
      // the key was shown while the password was fresh (say, in the owner's tab)…
      const key = /id="totp-secret"[^>]*>([^<]+)</.exec((await agent.get('/account/security')).text)![1];
      await ageReauthentication(manager); // …and the cookie is used later
      const res = await post(
        agent,
        '/account/security/totp',
        { code: currentCode(key.replace(/\s/g, '')) },
        '/account/security',
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/confirm-password?next=%2Faccount%2Fsecurity');
      expect((await totpRow(manager.id)).totp_enabled_at).toBeNull();
    });

    it('cannot turn 2FA off, even with the right code', async () => {
      const manager = await makeOperator(t, 'manager');
      const secret = await enableTotp(t, manager);
      const agent = await signedIn(manager);
      await ageReauthentication(manager);
      const res = await post(
        agent,
        '/account/security/totp/disable',
        { code: currentCode(secret) },
        '/account/security',
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/confirm-password?next=%2Faccount%2Fsecurity');
      expect((await totpRow(manager.id)).totp_enabled_at).not.toBeNull();
    });

    it('cannot reset another operator’s 2FA; after confirming the password the admin can', async () => {
      const admin = await makeOperator(t, 'admin', { name: 'Alice Administradora' });
      const target = await makeOperator(t, 'manager');
      await enableTotp(t, target);
      const agent = await signedIn(admin);
      await ageReauthentication(admin);
      const editPath = `/settings/operators/${target.id}/edit`;
      const refused = await post(agent, `/settings/operators/${target.id}/reset-2fa`, {}, editPath);
      expect(refused.status).toBe(303);
      expect(refused.headers.location).toBe(`/account/confirm-password?next=${encodeURIComponent(editPath)}`);
      expect((await totpRow(target.id)).totp_enabled_at).not.toBeNull();

      // "Confirme sua senha", without JavaScript: a plain form, then back to the edit page
      const form = await agent.get(refused.headers.location);
      expect(form.status).toBe(200);
      expect(form.text).toContain('Confirme sua senha');
      expect(form.text).toContain(`name="next" value="${editPath}"`);
      const confirmed = await agent
        .post('/account/confirm-password')
        .type('form')
        .send({ _csrf: csrfFrom(form.text), password: admin.password, next: editPath });
      expect(confirmed.status).toBe(303);
      expect(confirmed.headers.location).toBe(editPath);
      const reset = await post(agent, `/settings/operators/${target.id}/reset-2fa`, {}, editPath);
      expect(reset.status).toBe(303);
      expect(reset.headers.location).toBe(editPath);
      expect((await totpRow(target.id)).totp_enabled_at).toBeNull();
      expect(auditLines).toContainEqual([
        'totp.reset',
        expect.objectContaining({ operatorId: admin.id, targetId: target.id }),
      ]);
    });
  });

  describe('a copied admin cookie cannot make itself an account it holds the password of', () => {
    it('sends the creation of an operator to confirm the password first, creating nothing', async () => {
      const admin = await makeOperator(t, 'admin');
      const agent = await signedIn(admin);
      await ageReauthentication(admin);
      const form = await agent.get('/settings/operators/new');
      expect(decode(form.text)).toContain(
        'href="/account/confirm-password?next=%2Fsettings%2Foperators%2Fnew"',
      );
      const before = await t.dataSource.getRepository(Operator).count();
      const fields = {
        name: 'Conta Do Invasor',
        email: 'invasor@example.com',
        role: 'admin',
        password: 'senha-que-o-invasor-sabe',
        active: 'true',
      };
      const res = await post(agent, '/settings/operators', fields, '/settings/operators/new');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/confirm-password?next=%2Fsettings%2Foperators%2Fnew');
      expect(await t.dataSource.getRepository(Operator).count()).toBe(before);
      expect((await login(t.http(), fields.email, fields.password)).status).toBe(422);
      // the admin, having typed the password, can
      await post(
        agent,
        '/account/confirm-password',
        { password: admin.password },
        '/account/confirm-password',
      );
      expect((await post(agent, '/settings/operators', fields, '/settings/operators/new')).status).toBe(303);
      expect(await t.dataSource.getRepository(Operator).count()).toBe(before + 1);
    });

    it('sends a change of another operator (a new password, a role) to confirm the password first', async () => {
      const admin = await makeOperator(t, 'admin');
      const victim = await makeOperator(t, 'manager');
      const agent = await signedIn(admin);
      await ageReauthentication(admin);
      const editPath = `/settings/operators/${victim.id}/edit`;
      const res = await post(
        agent,
        editPath,
        {
          name: victim.name,
          email: victim.email,
          role: 'admin',
          password: 'senha-trocada-pelo-invasor',
          active: 'true',
        },
        editPath,
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/account/confirm-password?next=${encodeURIComponent(editPath)}`);
      const row = await t.dataSource.getRepository(Operator).findOneByOrFail({ id: victim.id });
      expect(row.role).toBe('manager');
      expect((await login(t.http(), victim.email, victim.password)).status).toBe(303);
    });
  });

  describe('"Confirme sua senha"', () => {
    it('refuses a wrong password with 422 and a message, and counts it against the login limit', async () => {
      const manager = await makeOperator(t, 'manager');
      const agent = await signedIn(manager);
      await ageReauthentication(manager);
      const attempt = (password: string) =>
        post(agent, '/account/confirm-password', { password }, '/account/confirm-password');
      const wrong = await attempt('nao-e-a-senha-certa');
      expect(wrong.status).toBe(422);
      expect(fieldError(wrong.text, 'password')).toBe('Senha incorreta.');
      expect(wrong.text).not.toContain('nao-e-a-senha-certa');
      expect(auditLines.map(([event]) => event)).toContain('reauthentication.failed');
      for (let i = 0; i < 9; i++) expect((await attempt(`errada-${i}-xxxxxxxx`)).status).toBe(422);
      const blocked = await attempt(manager.password);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await agent.get('/account/security')).text).not.toContain('id="totp-secret"');
    });

    it('gives the session a new id: a cookie copied before the confirmation does not share it', async () => {
      const manager = await makeOperator(t, 'manager');
      const agent = t.http();
      const signIn = await login(agent, manager.email, manager.password);
      const copied = cookiePair(setCookie(signIn, 'clientela.sid')!);
      await ageReauthentication(manager);
      const confirmed = await post(
        agent,
        '/account/confirm-password',
        { password: manager.password, next: '/account/security' },
        '/account/confirm-password',
      );
      expect(confirmed.status).toBe(303);
      expect(confirmed.headers.location).toBe('/account/security');
      expect(cookiePair(setCookie(confirmed, 'clientela.sid')!)).not.toBe(copied);
      expect((await agent.get('/account/security')).text).toContain('id="totp-secret"');
      const withCopy = await request(t.app.getHttpServer()).get('/account/security').set('Cookie', copied);
      expect(withCopy.status).toBe(303);
    });

    it('answers htmx with HX-Redirect, and never sends the operator off the site', async () => {
      const manager = await makeOperator(t, 'manager');
      const agent = await signedIn(manager);
      const token = await csrfFor(agent, '/account/confirm-password');
      const res = await agent
        .post('/account/confirm-password')
        .set('HX-Request', 'true')
        .type('form')
        .send({ _csrf: token, password: manager.password, next: '//evil.example/x' });
      expect(res.status).toBe(200);
      expect(res.headers['hx-redirect']).toBe('/account/security');
      const page = await agent.get('/account/confirm-password?next=https%3A%2F%2Fevil.example');
      expect(page.text).toContain('name="next" value="/account/security"');
    });
  });

  describe('notices at the next login', () => {
    const flashes = (html: string) =>
      [...html.matchAll(/<div class="alert alert-info"[^>]*>([\s\S]*?)<\/div>/g)].map((m) => text(m[1]));

    it('tells the operator that an admin reset their 2FA, who and when — once', async () => {
      const admin = await makeOperator(t, 'admin', { name: 'Beatriz Administradora' });
      const target = await makeOperator(t, 'manager');
      await enableTotp(t, target);
      const adminAgent = await signedIn(admin);
      const editPath = `/settings/operators/${target.id}/edit`;
      expect(
        (await post(adminAgent, `/settings/operators/${target.id}/reset-2fa`, {}, editPath)).status,
      ).toBe(303);
      const agent = t.http();
      const signIn = await login(agent, target.email, target.password);
      const first = await agent.get(signIn.headers.location);
      const notices = flashes(first.text);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(
        /^Sua verificação em duas etapas foi redefinida por Beatriz Administradora em \d{2}\/\d{2}\/\d{4},? \d{2}:\d{2}\./,
      );
      // shown once: the next page and the next login do not repeat it
      expect(flashes((await agent.get('/clients')).text)).toEqual([]);
      const again = t.http();
      await login(again, target.email, target.password);
      expect(flashes((await again.get('/clients')).text)).toEqual([]);
    });

    it('tells the operator their 2FA was turned on and off, at the next login', async () => {
      const manager = await makeOperator(t, 'manager');
      const agent = await signedIn(manager);
      const key = /id="totp-secret"[^>]*>([^<]+)</
        .exec((await agent.get('/account/security')).text)![1]
        .replace(/\s/g, '');
      const enabled = await post(
        agent,
        '/account/security/totp',
        { code: currentCode(key) },
        '/account/security',
      );
      expect(enabled.status).toBe(303);
      await t.dataSource.query(`UPDATE operators SET totp_last_step = totp_last_step - 2 WHERE id = $1`, [
        manager.id,
      ]);
      expect(
        (await post(agent, '/account/security/totp/disable', { code: wrongCode(key) }, '/account/security'))
          .status,
      ).toBe(422);
      const disabled = await post(
        agent,
        '/account/security/totp/disable',
        { code: currentCode(key) },
        '/account/security',
      );
      expect(disabled.status).toBe(303);
      expect(auditLines.map(([event]) => event)).toEqual(
        expect.arrayContaining(['totp.enabled', 'totp.disabled']),
      );
      const next = t.http();
      const signIn = await login(next, manager.email, manager.password);
      const notices = flashes((await next.get(signIn.headers.location)).text);
      expect(notices).toEqual([
        expect.stringMatching(/^Sua verificação em duas etapas foi ativada em /),
        expect.stringMatching(/^Sua verificação em duas etapas foi desativada em /),
      ]);
    });
  });
});
