import { startTestApp, type TestApp } from '../../support/test-app';

const MIGRATION = 'AddTotpAndDeletion1764324300000';

/** The 2FA/deletion migration can be reverted and applied again (a real down()). */
describe(`migration ${MIGRATION}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const exists = async (sql: string) =>
    (await t.dataSource.query(`SELECT (${sql}) AS found`))[0].found as boolean;
  const state = async () => ({
    totpColumn: await exists(
      `SELECT count(*) > 0 FROM information_schema.columns WHERE table_name = 'operators' AND column_name = 'totp_secret_enc'`,
    ),
    deletions: await exists(`SELECT to_regclass('client_deletions') IS NOT NULL`),
    guardFunction: await exists(
      `SELECT count(*) > 0 FROM pg_proc WHERE proname = 'clientela_refuse_rows_of_deleted_client'`,
    ),
    guards: await exists(
      `SELECT count(*) > 0 FROM pg_trigger WHERE tgname LIKE 'clientela_deletion_guard_%'`,
    ),
  });

  it('is reverted by down() and applied again by up()', async () => {
    expect(await state()).toEqual({ totpColumn: true, deletions: true, guardFunction: true, guards: true });
    const applied = async () =>
      (await t.dataSource.query(`SELECT name FROM migrations ORDER BY id`)).map(
        (m: { name: string }) => m.name,
      );
    const later = (await applied()).slice((await applied()).indexOf(MIGRATION) + 1);
    // revert the migrations after this one (other modules'), then this one
    for (let i = 0; i <= later.length; i++) await t.dataSource.undoLastMigration({ transaction: 'each' });
    expect(await applied()).not.toContain(MIGRATION);
    expect(await state()).toEqual({
      totpColumn: false,
      deletions: false,
      guardFunction: false,
      guards: false,
    });

    await t.dataSource.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
    expect(await state()).toEqual({ totpColumn: true, deletions: true, guardFunction: true, guards: true });
  });
});
