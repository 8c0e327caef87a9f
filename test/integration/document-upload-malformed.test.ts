// Malformed multipart bodies on the document upload (found by the bad-input sweep): a body declared
// multipart without a boundary was a 500; it is the sender's mistake, answered 400 with nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, login, seedOrgs, seedUser, type TestApp } from '../helpers/app.js';
import { openHotlineCase } from '../helpers/cases.js';

let t: TestApp;
let caseId: number;

beforeAll(async () => {
  t = await createTestApp();
  const orgs = seedOrgs(t.db);
  await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  caseId = openHotlineCase(t, orgs, { name: 'Phạm Gia Huy', birthDate: '2015-01-20', sex: 'male' }, 'Cháu bị bỏ đói nhiều ngày.');
});
afterAll(async () => {
  await t.close();
});

describe('a malformed upload', () => {
  it('without a multipart boundary is refused with the localised 400 page and stores nothing', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    const response = await t.app.inject({
      method: 'POST',
      url: `/cases/${caseId}/documents`,
      headers: { cookie: worker.cookie, 'content-type': 'multipart/form-data', 'x-csrf-token': worker.csrf },
      payload: '--x\r\n\r\n',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<html lang="vi">');
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 0 });
  });

  it('cut off before its closing boundary is answered (400) instead of holding the connection, and stores nothing', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    const body = [
      '--x',
      'Content-Disposition: form-data; name="_csrf"',
      '',
      worker.csrf,
      '--x',
      'Content-Disposition: form-data; name="file"; filename="a.pdf"',
      'Content-Type: application/pdf',
      '',
      '%PDF-1.4 truncated',
    ].join('\r\n');
    const response = await t.app.inject({
      method: 'POST',
      url: `/cases/${caseId}/documents`,
      headers: { cookie: worker.cookie, 'content-type': 'multipart/form-data; boundary=x' },
      payload: body,
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<html lang="vi">');
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 0 });
  }, 15_000);
});
