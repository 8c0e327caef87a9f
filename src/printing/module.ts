/**
 * Printable legal forms (Mẫu 01–07): a section on the case page listing the forms the case has
 * reached, and GET /cases/:id/print/:form rendering one of them as a print-ready page. The forms are
 * official documents and always print in Vietnamese, whatever language the reader uses.
 */
import type { FastifyInstance } from 'fastify';
import type { CasePageTools, CaseworkModule } from '../casework/module.js';
import { formatDate, formatDateTime } from '../i18n/dates.js';
import { translator } from '../i18n/i18n.js';
import { notFound } from '../web/http-error.js';
import { loadFormData, loadPrintCase } from './data.js';
import { availableForms, FORM_TITLES, formNumber, isPrintForm } from './forms.js';
import { dateParts, issuerName, PRINT_BLANK } from './paper.js';

const VIETNAMESE = translator('vi');

function printRoutes(app: FastifyInstance, tools: CasePageTools): void {
  app.get('/cases/:id/print/:form', { config: { permission: 'case.read' } }, async (request, reply) => {
    const form = (request.params as Record<string, unknown>).form;
    if (!isPrintForm(form)) throw notFound();
    const row = tools.loadReadable(request);
    // One entry per printed form: printing takes case data off the system, so which form is recorded.
    request.auditRead({ action: `case.print.${form}`, entityType: 'case', entityId: row.id });
    const printCase = loadPrintCase(app.db, row);
    const number = formNumber(form);
    return reply.page(`pages/print/${form}`, {
      // The reference and form only: a child's name would stay in browser history and print headers.
      title: `${row.reference} · ${VIETNAMESE('print.form_number', { number })}`,
      // The form is Vietnamese; the toolbar around it speaks the reader's language.
      t: VIETNAMESE,
      locale: 'vi',
      ui: request.t,
      uiLocale: request.locale,
      formatDate,
      formatDateTime,
      number,
      formTitle: FORM_TITLES[form],
      backHref: `/cases/${row.id}`,
      blank: PRINT_BLANK,
      issuer: issuerName(printCase.commune),
      dateParts,
      ...printCase,
      ...loadFormData(app.db, form, row),
    });
  });
}

export const printingModule: CaseworkModule = {
  id: 'printing',
  template: '/pages/print/_section',
  load: ({ db, row }) => {
    const forms = availableForms(db, row);
    if (forms.length === 0) return null;
    return { printForms: forms.map((form) => ({ href: `/cases/${row.id}/print/${form}`, number: formNumber(form), title: FORM_TITLES[form] })) };
  },
  routes: printRoutes,
};
