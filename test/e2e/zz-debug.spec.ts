import { makeClient } from '../factories/client.factory';
import { makeOperator } from '../factories/operator.factory';
import { launchBrowser } from '../support/browser';
import { startTestApp } from '../support/test-app';

it('debug', async () => {
  const browser = await launchBrowser();
  const t = await startTestApp({ listen: true });
  try {
    const m = await makeOperator(t, 'manager');
    const c = await makeClient(t, { tradeName: 'Delta', city: 'Natal', state: 'RN' });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.on('request', (r) => { if (!/assets|vendor/.test(r.url())) console.log('REQ', r.method(), r.url()); });
    page.on('response', (r) => { if (!/assets|vendor/.test(r.url())) console.log('RES', r.status(), r.url(), r.headers()['set-cookie'] ?? ''); });
    await page.goto(`${t.baseUrl}/login`);
    await page.getByLabel('E-mail').fill(m.email);
    await page.getByLabel('Senha').fill(m.password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(`${t.baseUrl}/clients`);
    let misses = 0;
    for (let i = 0; i < 12; i++) {
      await page.goto(`${t.baseUrl}/clients?status=all`);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/status')),
        page.locator(`#client-${c.id} button`).click(),
      ]);
      await page.waitForLoadState('load');
      await page.waitForTimeout(300);
      const flash = await page.locator('#flash').innerHTML();
      if (!flash.includes('Cliente')) { misses++; console.log('MISS', i, response.status(), flash); }
    }
    console.log('misses', misses);
  } finally {
    await browser.close();
    await t.close();
  }
});
