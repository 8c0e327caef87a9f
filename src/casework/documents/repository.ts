import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { documents } from '../schema.js';

export type DocumentRow = typeof documents.$inferSelect;

export interface DocumentListItem {
  id: number;
  originalName: string;
  mimeType: string;
  size: number;
  uploadedAt: string;
  uploaderName: string | null;
}

/** A case's documents, newest first, with who uploaded them. */
export function documentsOf(db: DbOrTx, caseId: number): DocumentListItem[] {
  return db.all<DocumentListItem>(sql`
    SELECT d.id, d.original_name AS originalName, d.mime_type AS mimeType, d.size, d.uploaded_at AS uploadedAt,
           u.display_name AS uploaderName
    FROM documents d LEFT JOIN users u ON u.id = d.uploaded_by
    WHERE d.case_id = ${caseId}
    ORDER BY d.uploaded_at DESC, d.id DESC`);
}

/** A document of this case only: an id from another case is simply not found. */
export function findCaseDocument(db: DbOrTx, caseId: number, documentId: number): DocumentRow | null {
  return db.select().from(documents).where(and(eq(documents.id, documentId), eq(documents.caseId, caseId))).get() ?? null;
}
