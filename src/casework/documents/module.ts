/**
 * Case documents: PDF and images (JPEG, PNG, WebP), checked by content, stored outside the web root
 * under random names, and only ever handed back as downloads (attachment, nosniff, the sniffed type),
 * so an uploaded file can never be rendered as a page of this site. Uploads and downloads are audited.
 */
import fs from 'node:fs';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../../audit/log.js';
import { multipartToken, verifyCsrf } from '../../auth/csrf.js';
import { caseSubject, findCase, type CaseRow } from '../../cases/repository.js';
import { writeTransaction, type Db } from '../../db/client.js';
import type { MessageKey } from '../../i18n/vi.js';
import { isAllowed } from '../../permissions/check.js';
import { HttpError, notFound } from '../../web/http-error.js';
import { idParam } from '../../web/params.js';
import type { CaseworkModule } from '../module.js';
import { recordCasework } from '../record.js';
import { documents } from '../schema.js';
import { attachmentDisposition, documentLabel } from './file-name.js';
import { DOCUMENT_EXTENSIONS, DOCUMENT_TYPES, sniffDocumentType, type DocumentType } from './file-type.js';
import { documentsOf, findCaseDocument } from './repository.js';
import { removeStored, storedPath, storeUpload, type StoredUpload } from './storage.js';

const FORM_ID = 'document';
const FILE_FIELD = 'file';
const MEBIBYTE = 1_048_576;

/** What the file input offers; the server decides by content whatever the browser lets through. */
const ACCEPT = Object.values(DOCUMENT_EXTENSIONS)
  .flat()
  .map((extension) => `.${extension}`)
  .concat(DOCUMENT_TYPES)
  .join(',');

function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(value);
}

/** Why an upload was turned away: the form is shown again with the reason under the file input. */
class UploadRefused extends Error {
  constructor(
    readonly status: number,
    readonly reason: MessageKey,
  ) {
    super(reason);
  }
}

/** The accepted type of what was stored, or why it is refused. */
function judge(truncated: boolean, stored: StoredUpload): DocumentType | UploadRefused {
  if (truncated) return new UploadRefused(413, 'document.too_large');
  if (stored.size === 0) return new UploadRefused(400, 'document.required');
  return sniffDocumentType(stored.head) ?? new UploadRefused(400, 'document.type_not_allowed');
}

/** Each app's upload limit (its config), for the form's hint; sections see the database, not the config. */
const uploadLimits = new WeakMap<Db, number>();

/** One formatter per locale: building an Intl.NumberFormat costs more than the rest of this section. */
const sizeFormats = new Map<string, Intl.NumberFormat>();
function sizeFormatFor(locale: string): Intl.NumberFormat {
  let format = sizeFormats.get(locale);
  if (!format) sizeFormats.set(locale, (format = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 })));
  return format;
}

export const documentsModule: CaseworkModule = {
  id: 'documents',
  template: '/pages/cases/sections/documents',
  timelineKinds: { document: 'caseTimeline.kind_document' },

  load({ db, row, subject, actor, orgs, locale, t, state }) {
    const open = state.openAction === FORM_ID;
    const number = sizeFormatFor(locale);
    const sizeText = (bytes: number): string =>
      bytes >= MEBIBYTE ? t('document.size_mb', { size: number.format(bytes / MEBIBYTE) }) : t('document.size_kb', { size: number.format(Math.max(0.1, bytes / 1024)) });
    return {
      documents: {
        fileField: FILE_FIELD,
        accept: ACCEPT,
        items: documentsOf(db, row.id).map((document) => ({
          ...document,
          typeLabel: isDocumentType(document.mimeType) ? (DOCUMENT_EXTENSIONS[document.mimeType][0] ?? '').toUpperCase() : '',
          sizeText: sizeText(document.size),
        })),
        mayUpload: isAllowed('case.serve', actor, subject, orgs),
        maxMegabytes: Math.floor((uploadLimits.get(db) ?? 0) / MEBIBYTE),
        errors: open ? (state.errors ?? {}) : {},
      },
    };
  },

  routes(app, tools) {
    const maxBytes = app.config.maxUploadBytes;
    uploadLimits.set(app.db, maxBytes);

    /** Streams the one file to disk, then keeps it only if it is an accepted type within the limit. */
    async function receive(request: FastifyRequest, row: CaseRow): Promise<void> {
      const part = await request
        .file({
          limits: { fileSize: maxBytes, files: 1, fields: 2, fieldSize: 256, parts: 3 },
          // Too large is answered with the form and a reason, not an error page.
          throwFileSizeLimit: false,
        })
        .catch((error: unknown) => {
          // A body that is not well-formed multipart (no boundary) is the sender's mistake: 400, not 500.
          if ((error as { statusCode?: unknown }).statusCode === undefined) throw new HttpError(400, 'error.bad_request');
          throw error;
        });
      // The token travels in the body, in a field the browser sends before the file: checked before any byte is stored.
      verifyCsrf(request, multipartToken(request, part?.fields ?? {}));
      request.authorize('case.serve', caseSubject(app.db, row), { type: 'case', id: row.id });
      if (!part || part.fieldname !== FILE_FIELD) throw new UploadRefused(400, 'document.required');

      // A body cut off before its closing boundary leaves the file stream destroyed without an error,
      // and a stream that never ends would hold the request open: it is an incomplete upload.
      const incomplete = (): boolean => part.file.destroyed && !part.file.readableEnded;
      if (incomplete()) throw new UploadRefused(400, 'document.incomplete');
      const stored = await storeUpload(app.config.dataDir, part.file).catch((error: unknown) => {
        if (incomplete()) throw new UploadRefused(400, 'document.incomplete');
        throw error;
      });
      const type = judge(part.file.truncated, stored);
      if (type instanceof UploadRefused) {
        await removeStored(app.config.dataDir, stored.storedName);
        throw type;
      }
      const writer = { actor: request.requireActor(), audit: request.auditContext };
      try {
        writeTransaction(app.db, (tx) => {
          const { id } = tx
            .insert(documents)
            .values({
              caseId: row.id,
              storedName: stored.storedName,
              originalName: documentLabel(part.filename, type),
              mimeType: type,
              size: stored.size,
              sha256: stored.sha256,
              uploadedBy: writer.actor.userId,
            })
            .returning({ id: documents.id })
            .get();
          recordCasework(tx, writer, row.id, { kind: 'document', detail: { documentId: id } }, 'case.document_upload');
        });
      } catch (error) {
        await removeStored(app.config.dataDir, stored.storedName);
        throw error;
      }
    }

    async function upload(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const row = tools.loadReadable(request);
      if (!request.isMultipart()) throw new HttpError(400, 'error.bad_request');
      try {
        await receive(request, row);
      } catch (error) {
        if (!(error instanceof UploadRefused)) throw error;
        recordAudit(app.db, request.auditContext, { action: 'case.document_upload', entityType: 'case', entityId: row.id, outcome: 'refused' });
        const current = findCase(app.db, row.id) ?? row;
        return tools.renderCase(request, reply, current, { status: error.status, openAction: FORM_ID, errors: { [FILE_FIELD]: error.reason } });
      }
      return tools.afterChange(request, reply, row.id, 'document.uploaded', FORM_ID);
    }

    // Only this route parses multipart bodies: the plugin lives in its own scope.
    void app.register(async (scope) => {
      await scope.register(multipart);
      scope.post('/cases/:id/documents', { config: { permission: 'case.serve', csrf: 'multipart' } }, upload);
    });

    app.get('/cases/:id/documents/:documentId', { config: { permission: 'case.read' } }, async (request, reply) => {
      const row = tools.loadReadable(request);
      const document = findCaseDocument(app.db, row.id, idParam(request, 'documentId'));
      if (!document) throw notFound();
      const file = storedPath(app.config.dataDir, document.storedName);
      const size = await fs.promises.stat(file).then(
        (stats) => stats.size,
        () => null,
      );
      if (size === null) {
        request.log.error({ documentId: document.id }, 'stored document file is missing');
        throw notFound();
      }
      request.auditRead({ action: 'case.document_download', entityType: 'case', entityId: row.id });
      return reply
        .header('content-type', isDocumentType(document.mimeType) ? document.mimeType : 'application/octet-stream')
        .header('content-disposition', attachmentDisposition(document.originalName))
        .header('x-content-type-options', 'nosniff')
        .header('content-length', size)
        .send(fs.createReadStream(file));
    });
  },
};

